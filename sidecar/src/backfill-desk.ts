/**
 * Backfill requests of this server (POST/GET/DELETE /v1/backfill): a running match asks the
 * matchmakers for more players. Each request is a BackfillRecord in the app's `backfills`
 * bucket under `<serverId>.<backfillId>`, holding the players still in the match (the rules
 * judge newcomers with them); matchmakers add fills to it with compare-and-set. A KV watch on
 * this server's keys tells the game server (event `backfill`) as players are placed; the desk
 * deletes a request once filled, withdrawn or expired, and all of them when the sidecar exits.
 */
import { randomUUID } from 'node:crypto';
import type { KV, KvEntry } from '@nats-io/kv';
import {
  type BackfillRecord,
  BackfillState,
  backfillKey,
  ErrorCode,
  isSeatTaken,
  type RosterPlayer,
  type SeatRecord,
} from '@playgap/protocol';
import {
  BACKFILL_EXPIRY_SECONDS,
  type SidecarBackfill,
  type SidecarEventData,
  type SidecarRequest,
  type SidecarResponse,
} from '@playgap/protocol/sidecar-api';
import type { Clock, TimerHandle } from './clock.js';
import { NatsUnavailableError, SidecarError } from './errors.js';

/** What `team` means when the request leaves it out. */
const ANY_TEAM = 'any';

export interface BackfillDeskOptions {
  app: string;
  version: string;
  serverId: string;
  clock: Clock;
  /** This server's seat records (the matches and who is still in them). */
  seats: () => readonly SeatRecord[];
  capacity: () => number;
  /** A `backfill` event for the game server (GET /v1/events). */
  onEvent: (data: SidecarEventData['backfill']) => void;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

interface Open {
  record: BackfillRecord;
  revision: number;
  expiry: TimerHandle;
  /** Placed newcomers already told to the game server. */
  told: number;
}

/**
 * @example
 * const desk = new BackfillDesk({ app, version, serverId, clock, seats, capacity, onEvent });
 * await desk.start(kv.backfills);
 * const { backfillId } = await desk.request({ team: 'team-2', count: 1 });
 */
export class BackfillDesk {
  readonly #o: BackfillDeskOptions;
  readonly #open = new Map<string, Open>();
  #kv: KV | undefined;
  #stopWatch: (() => void) | undefined;

  constructor(options: BackfillDeskOptions) {
    this.#o = options;
  }

  /** Follow this server's backfill records (restart after a reconnect with the new bucket). */
  async start(kv: KV): Promise<void> {
    this.#stopWatch?.();
    this.#kv = kv;
    const watch = await kv.watch({ key: `${this.#o.serverId}.*` });
    this.#stopWatch = () => watch.stop();
    void (async () => {
      for await (const entry of watch) this.#apply(entry);
    })().catch(() => {});
  }

  /**
   * Open a backfill request; refusals: UNKNOWN_MATCH, UNKNOWN_TEAM, BACKFILL_NO_ROOM,
   * NATS_UNAVAILABLE (the caller checks the server state first).
   */
  async request(
    body: SidecarRequest<'requestBackfill'>,
  ): Promise<SidecarResponse<'requestBackfill'>> {
    const kv = this.#kv;
    if (!kv) throw new NatsUnavailableError('NATS is unreachable; ask for backfill again shortly.');
    const now = this.#o.clock.now();
    const match = this.#match(body.matchId, now);
    const team = body.team === undefined || body.team === ANY_TEAM ? undefined : body.team;
    const teams = new Set(match.players.flatMap((p) => (p.team ? [p.team] : [])));
    if (team !== undefined && !teams.has(team)) {
      throw new SidecarError(
        ErrorCode.UNKNOWN_TEAM,
        teams.size === 0
          ? `Match ${match.matchId} has no teams; leave "team" out to fill any seat.`
          : `Match ${match.matchId} has no team "${team.slice(0, 64)}"; it has ${[...teams].join(', ')} (or "any").`,
        404,
      );
    }
    const room = this.#freeSeats(now);
    if (body.count > room) {
      throw new SidecarError(
        ErrorCode.BACKFILL_NO_ROOM,
        `Only ${room} free seat(s) are not promised to another backfill; ask for fewer or raise the capacity (PUT /v1/capacity).`,
        409,
      );
    }
    const id = randomUUID().replaceAll('-', '');
    const expiresAt = now + (body.expiresInSeconds ?? BACKFILL_EXPIRY_SECONDS.default) * 1000;
    const record: BackfillRecord = {
      id,
      app: this.#o.app,
      version: this.#o.version,
      serverId: this.#o.serverId,
      mode: match.mode,
      matchId: match.matchId,
      ...(team ? { team } : {}),
      count: body.count,
      filled: 0,
      fills: [],
      players: match.players,
      ...(match.variables ? { matchVariables: match.variables } : {}),
      state: BackfillState.OPEN,
      createdAt: now,
      expiresAt,
      updatedAt: now,
    };
    let revision: number;
    try {
      revision = await kv.create(backfillKey(this.#o.serverId, id), JSON.stringify(record));
    } catch (cause) {
      throw new NatsUnavailableError('NATS refused the backfill record; try again shortly.', {
        cause,
      });
    }
    this.#track(record, revision);
    this.#o.log?.('backfill requested', {
      backfillId: id,
      matchId: match.matchId,
      count: body.count,
    });
    return { backfillId: id, expiresAt };
  }

  list(): SidecarResponse<'backfills'> {
    return { backfills: [...this.#open.values()].map((o) => view(o.record)) };
  }

  /** Withdraw one request: UNKNOWN_BACKFILL when it is not open here. */
  async withdraw(backfillId: string): Promise<SidecarResponse<'withdrawBackfill'>> {
    const open = this.#open.get(backfillId);
    if (!open) {
      throw new SidecarError(
        ErrorCode.UNKNOWN_BACKFILL,
        `No open backfill request ${backfillId} on this server (filled, expired or withdrawn already?).`,
        404,
      );
    }
    if (!this.#kv) throw new NatsUnavailableError('NATS is unreachable; withdraw again shortly.');
    await this.#end(open, 'withdrawn');
    return { ok: true };
  }

  /** Delete every open request (the sidecar exits). */
  async close(): Promise<void> {
    this.#stopWatch?.();
    await Promise.allSettled(
      [...this.#open.values()].map((open) => {
        open.expiry.cancel();
        return this.#kv?.delete(backfillKey(this.#o.serverId, open.record.id));
      }),
    );
    this.#open.clear();
  }

  /** The match named (or the only one), with the players whose seat still holds. */
  #match(matchId: string | undefined, now: number) {
    const byMatch = new Map<string, SeatRecord[]>();
    for (const seat of this.#o.seats()) {
      if (!seat.matchId) continue;
      byMatch.set(seat.matchId, [...(byMatch.get(seat.matchId) ?? []), seat]);
    }
    const id = matchId ?? (byMatch.size === 1 ? [...byMatch.keys()][0] : undefined);
    const seats = id === undefined ? undefined : byMatch.get(id);
    if (!seats || id === undefined) {
      throw new SidecarError(
        ErrorCode.UNKNOWN_MATCH,
        matchId !== undefined
          ? `No match ${matchId.slice(0, 128)} on this server; GET /v1/match lists them.`
          : `This server has ${byMatch.size} matches; name one with "matchId" (GET /v1/match lists them).`,
        404,
      );
    }
    const roster = new Map<string, RosterPlayer>();
    for (const seat of seats) for (const p of seat.roster ?? []) roster.set(p.playerId, p);
    const present = new Set(
      seats.filter((s) => isSeatTaken(s, now)).map((s) => s.playerId ?? s.clientId),
    );
    const first = seats.find((s) => s.mode) ?? (seats[0] as SeatRecord);
    return {
      matchId: id,
      mode: first.mode ?? '',
      variables: first.matchVariables,
      players: [...roster.values()].filter((p) => present.has(p.playerId)),
    };
  }

  /** Seats neither taken nor promised to an open backfill (its unplaced part). */
  #freeSeats(now: number): number {
    const taken = this.#o.seats().filter((s) => isSeatTaken(s, now)).length;
    let promised = 0;
    for (const { record } of this.#open.values())
      promised += record.count - placedOf(record).length;
    return Math.max(0, this.#o.capacity() - taken - promised);
  }

  #track(record: BackfillRecord, revision: number): void {
    const current = this.#open.get(record.id);
    if (current && current.revision >= revision) return;
    current?.expiry.cancel();
    const expiry = this.#o.clock.setTimeout(
      () => {
        const open = this.#open.get(record.id);
        if (open) void this.#end(open, 'expired');
      },
      Math.max(0, record.expiresAt - this.#o.clock.now()),
    );
    const open: Open = { record, revision, expiry, told: current?.told ?? 0 };
    this.#open.set(record.id, open);
    const placed = placedOf(record);
    if (placed.length > open.told) {
      open.told = placed.length;
      const done = placed.length >= record.count;
      this.#o.onEvent(event(record, done ? 'filled' : 'open'));
      if (done) void this.#end(open, undefined);
    }
  }

  #apply(entry: KvEntry): void {
    const id = entry.key.slice(this.#o.serverId.length + 1);
    if (entry.operation !== 'PUT') {
      // Deleted by this desk (its event went out then) or aged out.
      const open = this.#open.get(id);
      open?.expiry.cancel();
      this.#open.delete(id);
      return;
    }
    try {
      this.#track(entry.json<BackfillRecord>(), entry.revision);
    } catch {
      // not a backfill record: ignore
    }
  }

  /** Delete the record; tell the game server why, unless it was filled (already told). */
  async #end(open: Open, why: 'expired' | 'withdrawn' | undefined): Promise<void> {
    if (this.#open.get(open.record.id) !== open) return;
    open.expiry.cancel();
    this.#open.delete(open.record.id);
    if (why) this.#o.onEvent(event(open.record, why));
    await this.#kv?.delete(backfillKey(this.#o.serverId, open.record.id)).catch((error) => {
      this.#o.log?.('backfill record not deleted (it ages out)', {
        backfillId: open.record.id,
        error: String(error),
      });
    });
  }
}

/** Newcomers whose seats are reserved (fills `placed`). */
function placedOf(record: BackfillRecord): string[] {
  return record.fills
    .filter((f) => f.state === 'placed')
    .flatMap((f) => f.players.map((p) => p.playerId));
}

function view(record: BackfillRecord): SidecarBackfill {
  return {
    backfillId: record.id,
    matchId: record.matchId,
    mode: record.mode,
    team: record.team ?? ANY_TEAM,
    count: record.count,
    filled: record.filled,
    playerIds: placedOf(record),
    expiresAt: record.expiresAt,
  };
}

function event(
  record: BackfillRecord,
  state: SidecarEventData['backfill']['state'],
): SidecarEventData['backfill'] {
  const playerIds = placedOf(record);
  return {
    backfillId: record.id,
    matchId: record.matchId,
    state,
    count: record.count,
    filled: playerIds.length,
    playerIds,
  };
}
