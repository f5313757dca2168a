/**
 * What the operator dashboard shows, kept live: the fleet (servers, seats, players with names)
 * from the matchmaker's own KV watches, deployments starting from a watch of the deployments
 * bucket, and the placements this front answered (a rate and latency series over the last
 * minutes, and the most recent errors with their codes). `snapshot()` is one JSON-ready view;
 * `onChange` tells the page's stream when to send a new one.
 */
import type { KV, KvWatchEntry } from '@nats-io/kv';
import {
  type DeploymentRecord,
  DeploymentState,
  type SeatRecord,
  SeatState,
  type ServerRecord,
} from '@playgap/protocol';
import type { FleetCache } from '../fleet-cache.js';

/** Seconds per point of the placement series, and how many points it keeps (5 minutes). */
export const SERIES_STEP_MS = 5_000;
export const SERIES_POINTS = 60;
/** Recent errors kept for the page. */
export const RECENT_ERRORS = 20;
/** A failed deployment record stays on the page this long. */
const FAILED_DEPLOYMENT_SHOWN_MS = 5 * 60_000;

export interface DashboardServer {
  id: string;
  version: string;
  state: ServerRecord['state'];
  capacity: number;
  /** Seats taken now (connected, or reserved and not expired). */
  used: number;
  /** Players the sidecar reports connected. */
  players: number;
  location?: string;
  startedAt: number;
}

export interface DashboardPlayer {
  serverId: string;
  seat: number;
  clientId: string;
  name?: string;
  state: SeatRecord['state'];
  /** Unix ms: connected at, or reserved at for a player still on the way. */
  since: number;
}

export interface DashboardDeployment {
  requestId: string;
  version: string;
  state: DeploymentRecord['state'];
  startedAt: number;
  deadlineAt: number;
  promised: number;
  capacity: number;
  error?: string;
}

export interface SeriesPoint {
  /** Start of the step, Unix ms. */
  at: number;
  placements: number;
  errors: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface RecentError {
  at: number;
  code: string;
  message: string;
}

export interface DashboardSnapshot {
  app: string;
  versions: readonly string[];
  instanceId: string;
  at: number;
  servers: DashboardServer[];
  players: DashboardPlayer[];
  deployments: DashboardDeployment[];
  /** Waiting matchmaking tickets per queued mode and version. */
  tickets: DashboardQueue[];
  series: SeriesPoint[];
  totals: { placements: number; errors: number };
  errors: RecentError[];
}

/** One queued mode's waiting tickets. */
export interface DashboardQueue {
  mode: string;
  version: string;
  tickets: number;
  players: number;
}

export interface DashboardStateOptions {
  app: string;
  versions: readonly string[];
  instanceId: string;
  fleet: FleetCache;
  /** The app's deployments bucket; watched for deployments starting. */
  deployments?: KV;
  /** Seats older than this without an update are gone (the seats bucket's max age). */
  seatStaleMs: number;
  now?: () => number;
  /** The matchmaking queues' waiting tickets (the ticket matcher's view). */
  queues?: () => DashboardQueue[];
}

interface Step {
  at: number;
  /** Players placed (errors are counted apart; latencies are of both). */
  placements: number;
  errors: number;
  latencies: number[];
}

/**
 * @example
 * const state = new DashboardState({ app: 'arena', versions: ['1.0.0'], instanceId, fleet, seatStaleMs });
 * await state.start();
 * state.recordPlacement('ok', 12);
 * const view = state.snapshot();
 */
export class DashboardState {
  readonly #o: DashboardStateOptions;
  readonly #now: () => number;
  readonly #deployments = new Map<string, DeploymentRecord>();
  readonly #steps: Step[] = [];
  readonly #errors: RecentError[] = [];
  readonly #listeners = new Set<() => void>();
  #totals = { placements: 0, errors: 0 };
  #watch: { stop(): void } | undefined;
  #offFleet: (() => void) | undefined;

  constructor(options: DashboardStateOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** Follow the fleet and the deployments bucket; resolves once the watch is open. */
  async start(): Promise<void> {
    this.#offFleet = this.#o.fleet.onChange(() => this.#changed());
    if (!this.#o.deployments) return;
    const iter = await this.#o.deployments.watch();
    this.#watch = iter;
    void (async () => {
      for await (const entry of iter) this.#applyDeployment(entry);
    })().catch(() => {
      // The watch ended with the connection; the page keeps the last view.
    });
  }

  stop(): void {
    this.#offFleet?.();
    this.#watch?.stop();
    this.#listeners.clear();
  }

  /** Called on every change worth a new snapshot; returns the function that stops it. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** One placement answered by the front: `outcome` is `ok` or the error code. */
  recordPlacement(outcome: string, ms: number, message?: string): void {
    const step = this.#step();
    step.latencies.push(ms);
    if (outcome === 'ok') {
      step.placements++;
      this.#totals.placements++;
    } else {
      step.errors++;
      this.#totals.errors++;
      this.#errors.unshift({ at: this.#now(), code: outcome, message: message ?? '' });
      this.#errors.length = Math.min(this.#errors.length, RECENT_ERRORS);
    }
    this.#changed();
  }

  snapshot(): DashboardSnapshot {
    const now = this.#now();
    const { fleet } = this.#o;
    const servers = fleet
      .liveServers()
      .map((server): DashboardServer => {
        const row: DashboardServer = {
          id: server.id,
          version: server.version,
          state: server.state,
          capacity: server.capacity,
          used: fleet.occupiedSeats(server.id),
          players: server.players,
          startedAt: server.startedAt,
        };
        const place = server.location?.city ?? server.location?.country;
        if (place) row.location = place;
        return row;
      })
      .sort((a, b) => a.startedAt - b.startedAt || a.id.localeCompare(b.id));
    const live = new Set(servers.map((s) => s.id));
    const players = fleet
      .seats()
      .map(({ record }) => record)
      .filter((seat) => live.has(seat.serverId) && this.#seatTaken(seat, now))
      .map((seat): DashboardPlayer => {
        const row: DashboardPlayer = {
          serverId: seat.serverId,
          seat: seat.seatIndex,
          clientId: seat.clientId,
          state: seat.state,
          since: seat.connectedAt ?? seat.updatedAt,
        };
        if (seat.name) row.name = seat.name;
        return row;
      })
      .sort((a, b) => a.since - b.since);
    const deployments = [...this.#deployments.values()]
      .filter(
        (d) =>
          d.state === DeploymentState.STARTING ||
          (d.state === DeploymentState.FAILED && now - d.updatedAt < FAILED_DEPLOYMENT_SHOWN_MS),
      )
      .map((d): DashboardDeployment => {
        const row: DashboardDeployment = {
          requestId: d.requestId,
          version: d.version,
          state: d.state,
          startedAt: d.startedAt,
          deadlineAt: d.deadlineAt,
          promised: d.promised,
          capacity: d.capacity,
        };
        if (d.error) row.error = d.error;
        return row;
      })
      .sort((a, b) => a.startedAt - b.startedAt);
    return {
      app: this.#o.app,
      versions: this.#o.versions,
      instanceId: this.#o.instanceId,
      at: now,
      servers,
      players,
      deployments,
      tickets: this.#o.queues?.() ?? [],
      series: this.#series(now),
      totals: { ...this.#totals },
      errors: [...this.#errors],
    };
  }

  /** Connected and fresh, or reserved and not expired. */
  #seatTaken(seat: SeatRecord, now: number): boolean {
    if (now - seat.updatedAt >= this.#o.seatStaleMs) return false;
    return seat.state === SeatState.CONNECTED || seat.expiresAt > now;
  }

  #step(): Step {
    const at = Math.floor(this.#now() / SERIES_STEP_MS) * SERIES_STEP_MS;
    const last = this.#steps.at(-1);
    if (last?.at === at) return last;
    const step: Step = { at, placements: 0, errors: 0, latencies: [] };
    this.#steps.push(step);
    const oldest = at - (SERIES_POINTS - 1) * SERIES_STEP_MS;
    while ((this.#steps[0]?.at ?? oldest) < oldest) this.#steps.shift();
    return step;
  }

  /** One point per step over the window, empty steps included, oldest first. */
  #series(now: number): SeriesPoint[] {
    const end = Math.floor(now / SERIES_STEP_MS) * SERIES_STEP_MS;
    const byAt = new Map(this.#steps.map((s) => [s.at, s]));
    const points: SeriesPoint[] = [];
    for (let i = SERIES_POINTS - 1; i >= 0; i--) {
      const at = end - i * SERIES_STEP_MS;
      const step = byAt.get(at);
      const sorted = step ? [...step.latencies].sort((a, b) => a - b) : [];
      points.push({
        at,
        placements: step?.placements ?? 0,
        errors: step?.errors ?? 0,
        p50Ms: quantile(sorted, 0.5),
        p99Ms: quantile(sorted, 0.99),
      });
    }
    return points;
  }

  #applyDeployment(entry: KvWatchEntry): void {
    if (entry.operation !== 'PUT') {
      this.#deployments.delete(entry.key);
    } else {
      try {
        this.#deployments.set(entry.key, entry.json<DeploymentRecord>());
      } catch {
        return; // a record that does not parse is not shown
      }
    }
    this.#changed();
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}

function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return Math.round((sorted[Math.max(0, index)] ?? 0) * 10) / 10;
}
