/**
 * The matchmaker's side of backfill: it follows the `backfills` bucket (one record per running
 * match with open requests, written by its server's sidecar; see protocol's BackfillRecord)
 * and, in each match round of the TicketMatcher and before new matches form (a running match
 * that lost a player comes first), fills the open requests from the waiting tickets of the
 * mode that fit (backfill-fit.ts). Room is taken first, as a fill added to the match's record
 * with a compare-and-set at its revision (two replicas, or two requests of one match, never
 * overfill it), then the tickets are claimed like any match's; a lost claim gives the room
 * back. A fill left `claiming` past the claim timeout (its replica died) is undone by any
 * replica, while its tickets go back to searching the usual way.
 */
import { randomUUID } from 'node:crypto';
import type { KV, KvEntry } from '@nats-io/kv';
import type {
  BackfillFill,
  BackfillRecord,
  BackfillRequest,
  RosterPlayer,
} from '@playgap/protocol';
import { isKvConflict } from '@playgap/protocol/kv';
import type { Logger } from '../log.js';
import { fitBackfill } from './backfill-fit.js';
import type { FormedMatch, MatchPool } from './match-pool.js';
import type { MatchmakingConfig, QueueMode } from './matchmaking-config.js';
import { type CompiledMode, compileMode } from './rules.js';
import type { Ticket } from './ticket.js';

/** A formed match that joins a running one: its tickets go onto the backfill's server. */
export interface BackfillMatch extends FormedMatch {
  backfill: { key: string; fillId: string; record: BackfillRecord };
}

/** True for a match that fills a backfill. */
export function isBackfillMatch(match: FormedMatch): match is BackfillMatch {
  return 'backfill' in match;
}

/** What the TicketMatcher lends a backfill round. */
export interface BackfillRound {
  now: number;
  /** The waiting tickets of a mode and version, if any. */
  pool(mode: string, version: string): MatchPool | undefined;
  /** Claim a match's tickets (compare-and-set each); false when one was lost. */
  claim(match: FormedMatch): Promise<boolean>;
}

export interface BackfillFillerOptions {
  backfills: KV;
  instanceId: string;
  config: () => MatchmakingConfig;
  /** A `claiming` fill older than this is undone. Default 15 000 ms (the claim timeout). */
  claimStaleMs?: number;
  now?: () => number;
  log?: Logger;
}

interface Stored {
  record: BackfillRecord;
  revision: number;
}

/**
 * @example
 * const filler = new BackfillFiller({ backfills: kv.backfills, instanceId, config: () => source.current() });
 * await filler.start();
 * const matcher = new TicketMatcher({ ..., backfill: filler });
 */
export class BackfillFiller {
  readonly #o: BackfillFillerOptions;
  readonly #now: () => number;
  readonly #open = new Map<string, Stored>();
  /** Fills this replica is placing (never undone as stale by itself). */
  readonly #mine = new Set<string>();
  readonly #compiled = new WeakMap<QueueMode, CompiledMode>();
  #watch: { stop(): void } | undefined;

  constructor(options: BackfillFillerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  async start(): Promise<void> {
    const watch = await this.#o.backfills.watch();
    this.#watch = watch;
    void (async () => {
      for await (const entry of watch) this.#apply(entry);
    })().catch(() => {});
  }

  stop(): void {
    this.#watch?.stop();
  }

  /** Open backfills this replica knows of (the dashboard, tests). */
  open(): BackfillRecord[] {
    return [...this.#open.values()].map((s) => s.record);
  }

  /** One round: undo stale fills, then fill each match's oldest open request that tickets fit. */
  async fill(round: BackfillRound): Promise<void> {
    const { now } = round;
    const staleMs = this.#o.claimStaleMs ?? 15_000;
    // Each pool's waiting tickets, oldest first, sorted once per round.
    const sorted = new Map<MatchPool, Ticket[]>();
    const candidatesOf = (pool: MatchPool) => {
      let list = sorted.get(pool);
      if (!list) {
        list = pool.tickets().sort((a, b) => a.createdAt - b.createdAt);
        sorted.set(pool, list);
      }
      return list;
    };
    // Tickets a fill took leave the round's list too (a rare write, so a copy is fine).
    const taken = (pool: MatchPool, ids: ReadonlySet<string>) =>
      sorted.set(
        pool,
        candidatesOf(pool).filter((t) => !ids.has(t.id)),
      );
    for (const [key, { record }] of this.#open) {
      const stale = record.fills.filter(
        (f) => f.state === 'claiming' && !this.#mine.has(f.id) && now - f.claimedAt >= staleMs,
      );
      if (stale.length > 0) {
        for (const f of stale) await this.undo(key, f.id, 'stale');
        continue; // judged again next round, from the record as it is now
      }
      const mode = this.#o.config().modes[record.mode];
      if (mode?.kind !== 'queue') continue;
      const pool = round.pool(record.mode, record.version);
      if (!pool || pool.size === 0) continue;
      const open = record.requests
        .filter((r) => now < r.expiresAt && r.filled < r.count)
        .sort((a, b) => a.createdAt - b.createdAt);
      // One fill per match and round: the next one reads the record it wrote.
      for (const request of open) {
        const wrote = await this.#fillOne(key, request, mode, pool, candidatesOf(pool), round);
        if (wrote) {
          taken(pool, wrote);
          break;
        }
      }
    }
  }

  /** Try to fill `request`; the tickets it took when a fill was written (claimed or given back). */
  async #fillOne(
    key: string,
    request: BackfillRequest,
    mode: QueueMode,
    pool: MatchPool,
    candidates: readonly Ticket[],
    round: BackfillRound,
  ): Promise<ReadonlySet<string> | undefined> {
    const stored = this.#open.get(key);
    if (!stored) return undefined;
    const { record, revision } = stored;
    const compiled = this.#compile(record.mode, mode);
    const pick = fitBackfill(
      compiled,
      {
        ...(request.team ? { team: request.team } : {}),
        wanted: request.count - request.filled,
        players: playersIn(record),
      },
      candidates,
      round.now,
      256,
      true,
    );
    if (!pick) return undefined;
    const ids = new Set(pick.tickets.map((t) => t.id));
    const fill: BackfillFill = {
      id: randomUUID().replaceAll('-', ''),
      requestId: request.id,
      ticketIds: pick.tickets.map((t) => t.id),
      players: pick.tickets.flatMap((t) =>
        t.players.map((p) => {
          const team = pick.teamOf.get(t.id);
          return {
            playerId: p.playerId,
            ...(p.name ? { name: p.name } : {}),
            ...(team ? { team } : {}),
            ...(p.attributes ? { attributes: p.attributes } : {}),
            ...(p.latencies ? { latencies: p.latencies } : {}),
          };
        }),
      ),
      state: 'claiming',
      claimedBy: this.#o.instanceId,
      claimedAt: round.now,
    };
    const next = withFills(record, [...record.fills, fill], round.now);
    // Room first: a compare-and-set, so no two replicas promise the same seats.
    const written = await this.#update(key, next, revision);
    if (written === undefined) return ids; // another replica wrote first: next round
    this.#mine.add(fill.id);
    for (const t of pick.tickets) pool.remove(t.id);
    const match: BackfillMatch = {
      matchId: record.matchId,
      mode: record.mode,
      tickets: pick.tickets,
      stages: {},
      spreads: {},
      players: pick.players,
      backfill: { key, fillId: fill.id, record: next },
    };
    if (compiled.mode.teams) {
      match.teams = [...groupBy(pick.teamOf)].map(([name, ticketIds]) => ({ name, ticketIds }));
    }
    let claimed = false;
    try {
      claimed = await round.claim(match);
    } finally {
      if (!claimed) await this.undo(key, fill.id, 'lost');
    }
    if (claimed) {
      this.#o.log?.info(
        {
          event: 'backfill_claimed',
          backfillId: request.id,
          serverId: record.serverId,
          matchId: record.matchId,
          players: pick.players,
        },
        'tickets claimed for a backfill',
      );
    }
    return ids;
  }

  /** The fill's seats are reserved: mark it placed (the sidecar tells its game server). */
  async markPlaced(key: string, fillId: string): Promise<void> {
    await this.#change(key, (r) =>
      r.fills.some((f) => f.id === fillId)
        ? r.fills.map((f) => (f.id === fillId ? { ...f, state: 'placed' as const } : f))
        : undefined,
    );
    this.#mine.delete(fillId);
  }

  /** Take a fill out again (claim lost, seats lost, or stale): its room is open again. */
  async undo(key: string, fillId: string, why: string): Promise<void> {
    const done = await this.#change(key, (r) =>
      r.fills.some((f) => f.id === fillId) ? r.fills.filter((f) => f.id !== fillId) : undefined,
    );
    this.#mine.delete(fillId);
    if (done)
      this.#o.log?.info({ event: 'backfill_fill_undone', key, why }, 'backfill fill undone');
  }

  /** Rewrite the record's fills with compare-and-set retries; false when it is gone or unchanged. */
  async #change(
    key: string,
    fills: (record: BackfillRecord) => BackfillFill[] | undefined,
  ): Promise<boolean> {
    const now = this.#now();
    for (let attempt = 0; attempt < 8; attempt++) {
      const entry = await this.#o.backfills.get(key);
      if (entry?.operation !== 'PUT') return false; // withdrawn, expired or filled: nothing to keep
      const record = entry.json<BackfillRecord>();
      const next = fills(record);
      if (!next) return false;
      if ((await this.#update(key, withFills(record, next, now), entry.revision)) !== undefined)
        return true;
    }
    return false;
  }

  async #update(key: string, record: BackfillRecord, revision: number) {
    try {
      return await this.#o.backfills.update(key, JSON.stringify(record), revision);
    } catch (error) {
      if (isKvConflict(error)) return undefined;
      throw error;
    }
  }

  #compile(name: string, mode: QueueMode): CompiledMode {
    let compiled = this.#compiled.get(mode);
    if (!compiled) {
      compiled = compileMode(name, mode);
      this.#compiled.set(mode, compiled);
    }
    return compiled;
  }

  #apply(entry: KvEntry): void {
    const current = this.#open.get(entry.key);
    if (current && current.revision > entry.revision) return;
    if (entry.operation !== 'PUT') {
      this.#open.delete(entry.key);
      return;
    }
    try {
      this.#open.set(entry.key, { record: entry.json<BackfillRecord>(), revision: entry.revision });
    } catch {
      this.#open.delete(entry.key);
    }
  }
}

/** The record with `fills`, and each request's filled count to match. */
function withFills(record: BackfillRecord, fills: BackfillFill[], now: number): BackfillRecord {
  const filled = new Map<string, number>();
  for (const f of fills) filled.set(f.requestId, (filled.get(f.requestId) ?? 0) + f.players.length);
  return {
    ...record,
    requests: record.requests.map((r) => ({ ...r, filled: filled.get(r.id) ?? 0 })),
    fills,
    updatedAt: now,
  };
}

/**
 * Everyone in the match as the record knows it: the players there at the latest request and
 * every fill's newcomers (once by id: a placed newcomer is in both after a later request).
 */
export function playersIn(record: BackfillRecord): RosterPlayer[] {
  const byId = new Map<string, RosterPlayer>();
  for (const p of record.players) byId.set(p.playerId, p);
  for (const f of record.fills) for (const p of f.players) byId.set(p.playerId, p);
  return [...byId.values()];
}

function groupBy(teamOf: ReadonlyMap<string, string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [ticketId, team] of teamOf) out.set(team, [...(out.get(team) ?? []), ticketId]);
  return out;
}
