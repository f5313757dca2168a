/**
 * Every matchmaker replica runs one: it follows the tickets bucket (a KV watch), keeps a
 * MatchPool per mode and version, and every `matchIntervalMs` forms matches and claims their
 * tickets with a compare-and-set each. A match whose claims do not all succeed (another replica
 * got one first) is released again. The claimer refreshes `claimedAt` while it places the match;
 * a claim left stale for `claimStaleMs` (its replica died) is put back to searching by any
 * replica, so no ticket is lost. Expired and cancelled tickets are failed here too.
 */
import type { KV, KvEntry } from '@nats-io/kv';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import {
  ErrorCode,
  MATCHMAKER_QUEUE,
  type PlayReply,
  subjects,
  type TicketRecord,
  TicketState,
} from '@playgap/protocol';
import { KvWriter } from '@playgap/protocol/kv';
import { toWireError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ProgressFn } from '../pool/progress.js';
import type { BackfillRound } from './backfill-filler.js';
import { TicketsBackToSearching } from './backfill-placement.js';
import { ClaimedTickets } from './claimed-tickets.js';
import { type FormedMatch, MatchPool } from './match-pool.js';
import type { MatchmakingConfig, QueueMode } from './matchmaking-config.js';
import { type StoredTicket, TicketStore } from './ticket-store.js';

/** Places a claimed match: each player's answer by player id. */
export type PlaceMatch = (
  match: FormedMatch,
  records: readonly TicketRecord[],
  /** How the match's server is coming (deploying, waiting for it): shown to its players. */
  progress: ProgressFn,
) => Promise<{ serverId: string; replies: Record<string, PlayReply> }>;

export interface TicketMatcherOptions {
  app: string;
  tickets: KV;
  nc: NatsConnection;
  instanceId: string;
  config: MatchmakingConfig;
  placeMatch: PlaceMatch;
  now?: () => number;
  /** How often matches are formed. Default 200 ms. */
  matchIntervalMs?: number;
  /** How often a claimer refreshes the claims it is placing. Default 3 000 ms. */
  claimHeartbeatMs?: number;
  /** A claim not refreshed for this long goes back to searching. Default 15 000 ms. */
  claimStaleMs?: number;
  /** Matches formed per mode per round at most. Default 2 000. */
  maxMatchesPerRound?: number;
  log?: Logger;
  /** Fills running matches' backfill requests each round, before new matches form. */
  backfill?: { fill(round: BackfillRound): Promise<void> };
  /** Called per formed and placed match (metrics, the bench). */
  onMatch?: (match: FormedMatch, outcome: 'placed' | 'lost' | string) => void;
}

/** How long an answered ticket's revision is kept to skip the watch's echo of it. */
const FINISHED_KEEP_MS = 30_000;

/** What a replica knows of one ticket. */
type Known = StoredTicket;

/**
 * @example
 * const matcher = new TicketMatcher({ app, tickets: kv.tickets, nc, instanceId, config, placeMatch });
 * await matcher.start();
 * await matcher.stop();
 */
export class TicketMatcher {
  readonly #o: TicketMatcherOptions;
  readonly #store: TicketStore;
  readonly #writer: KvWriter;
  readonly #now: () => number;
  #config: MatchmakingConfig;
  readonly #known = new Map<string, Known>();
  /**
   * Tickets this replica answered, with the revision it wrote: the watch's echo of that write
   * (and anything older) is dropped unread. Entries leave after FINISHED_KEEP_MS.
   */
  readonly #finished = new Map<string, { revision: number; at: number }>();
  readonly #pools = new Map<string, MatchPool>();
  /** Tickets this replica is placing now (their claims are refreshed, never taken over). */
  readonly #placing = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #watch: { stop(): void } | undefined;
  #cancels: Subscription | undefined;
  #round: Promise<void> | undefined;
  #stopped = false;
  readonly #inflight = new Set<Promise<unknown>>();

  constructor(options: TicketMatcherOptions) {
    this.#o = options;
    this.#writer = new KvWriter(options.nc, options.tickets);
    this.#store = new TicketStore(options.tickets, this.#writer);
    this.#now = options.now ?? Date.now;
    this.#config = options.config;
  }

  /** Follow the bucket (after its current content is read), then match every interval. */
  async start(): Promise<void> {
    const watch = await this.#o.tickets.watch();
    this.#watch = watch;
    let ready: () => void = () => {};
    const caughtUp = new Promise<void>((resolve) => {
      ready = resolve;
    });
    void (async () => {
      for await (const entry of watch) {
        this.#apply(entry);
        if (entry.isUpdate || entry.delta === 0) ready();
      }
    })().catch(() => {});
    const status = await this.#o.tickets.status();
    if (status.values === 0) ready();
    const timer = setTimeout(ready, 3_000);
    await caughtUp;
    clearTimeout(timer);
    this.#cancels = this.#o.nc.subscribe(subjects(this.#o.app).ticketCancel, {
      queue: MATCHMAKER_QUEUE,
      callback: (_err, msg) => {
        let ticketId: unknown;
        try {
          ticketId = msg.json<{ ticketId?: unknown }>().ticketId;
        } catch {
          return;
        }
        if (typeof ticketId !== 'string') return;
        void this.cancel(ticketId).then(
          (cancelled) => msg.respond(JSON.stringify({ cancelled })),
          () => {},
        );
      },
    });
    const tick = () => {
      if (this.#stopped) return;
      this.#round = this.runRound()
        .catch((error) =>
          this.#o.log?.warn(
            { event: 'match_round_failed', error: String(error) },
            'match round failed',
          ),
        )
        .finally(() => {
          if (!this.#stopped) this.#timer = setTimeout(tick, this.#o.matchIntervalMs ?? 200);
        });
    };
    this.#timer = setTimeout(tick, 0);
  }

  /** A new matchmaking config: waiting tickets stay; those of a removed mode fail with MODE_REMOVED. */
  setConfig(config: MatchmakingConfig): void {
    this.#config = config;
    const now = this.#now();
    for (const [key, pool] of this.#pools) {
      const modeName = key.slice(0, key.lastIndexOf('@'));
      const mode = config.modes[modeName];
      if (mode?.kind === 'queue') pool.setMode(mode, now);
    }
  }

  /** Cancel a searching ticket; false when it is matched already or gone. */
  cancel(ticketId: string): Promise<boolean> {
    return this.#store.fail(
      ticketId,
      ErrorCode.TICKET_CANCELLED,
      'The ticket was cancelled before a match formed.',
      this.#now(),
    );
  }

  /** Waiting tickets per mode (the dashboard). */
  waiting(): { mode: string; version: string; tickets: number; players: number }[] {
    return [...this.#pools].map(([key, pool]) => {
      const at = key.lastIndexOf('@');
      return {
        mode: key.slice(0, at),
        version: key.slice(at + 1),
        tickets: pool.size,
        players: pool.tickets().reduce((sum, t) => sum + t.players.length, 0),
      };
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#watch?.stop();
    this.#cancels?.unsubscribe();
    await this.#round?.catch(() => {});
    await Promise.allSettled([...this.#inflight]);
    this.#writer.close();
  }

  #apply(entry: KvEntry): void {
    const id = entry.key;
    const finished = this.#finished.get(id);
    if (finished) {
      if (entry.revision <= finished.revision) return;
      this.#finished.delete(id);
    }
    const current = this.#known.get(id);
    // `>=`: the echo of this replica's own write, already known from its answer.
    if (current && current.revision >= entry.revision) return;
    this.#removeFromPools(id);
    if (entry.operation !== 'PUT') {
      this.#known.delete(id);
      return;
    }
    let record: TicketRecord;
    try {
      record = entry.json<TicketRecord>();
    } catch {
      return;
    }
    if (record.state === TicketState.PLACED || record.state === TicketState.FAILED) {
      this.#known.delete(id);
      return;
    }
    this.#known.set(id, { record, revision: entry.revision });
    if (record.state === TicketState.SEARCHING) {
      const pool = this.#poolFor(record);
      pool?.add(
        {
          id,
          mode: record.mode,
          createdAt: record.createdAt,
          players: record.players,
          ...(record.party ? { party: record.party } : {}),
        },
        this.#now(),
      );
    }
  }

  #poolFor(record: TicketRecord): MatchPool | undefined {
    const key = `${record.mode}@${record.version}`;
    let pool = this.#pools.get(key);
    if (!pool) {
      const mode = this.#config.modes[record.mode];
      if (mode?.kind !== 'queue') return undefined; // failed as MODE_REMOVED in the round
      pool = new MatchPool(record.mode, mode);
      this.#pools.set(key, pool);
    }
    return pool;
  }

  #removeFromPools(id: string): void {
    const known = this.#known.get(id);
    if (known) this.#pools.get(`${known.record.mode}@${known.record.version}`)?.remove(id);
  }

  /** One round: end expired and orphaned tickets, take stale claims back, form and claim matches. */
  async runRound(): Promise<void> {
    const now = this.#now();
    const endings: Promise<unknown>[] = [];
    for (const { record } of this.#known.values()) {
      const mode = this.#config.modes[record.mode];
      if (record.state !== TicketState.SEARCHING) continue;
      if (mode?.kind !== 'queue') {
        endings.push(
          this.#store.fail(
            record.id,
            ErrorCode.MODE_REMOVED,
            `Mode "${record.mode}" was removed from the matchmaking config; queue again.`,
            now,
          ),
        );
      } else if (now >= record.expiresAt) {
        endings.push(
          this.#store.fail(
            record.id,
            ErrorCode.TICKET_EXPIRED,
            `No match formed within ${mode.ticketTimeoutSeconds} s; queue again.`,
            now,
          ),
        );
      }
    }
    const staleMs = this.#o.claimStaleMs ?? 15_000;
    for (const known of this.#known.values()) {
      const r = known.record;
      if (r.state !== TicketState.MATCHED || this.#placing.has(r.id)) continue;
      if (now - (r.claimedAt ?? 0) < staleMs) continue;
      endings.push(this.#release(known, now, 'stale'));
    }
    await Promise.allSettled(endings);
    for (const [id, finished] of this.#finished) {
      if (now - finished.at < FINISHED_KEEP_MS) break; // oldest first
      this.#finished.delete(id);
    }
    // A running match that lost players comes before a new one.
    await this.#o.backfill
      ?.fill({
        now,
        pool: (mode, version) => this.#pools.get(`${mode}@${version}`),
        claim: (match) => this.#claim(match),
      })
      .catch((error) =>
        this.#o.log?.warn(
          { event: 'backfill_round_failed', error: String(error) },
          'backfill round failed',
        ),
      );
    const claims: Promise<boolean>[] = [];
    for (const [key, pool] of this.#pools) {
      const modeName = key.slice(0, key.lastIndexOf('@'));
      if (this.#config.modes[modeName]?.kind !== 'queue') continue;
      for (const match of pool.findMatches(now, this.#o.maxMatchesPerRound ?? 2_000)) {
        for (const t of match.tickets) pool.remove(t.id);
        claims.push(this.#claim(match));
      }
    }
    await Promise.allSettled(claims);
  }

  /** What this replica wrote itself: newer than what it knew, so the watch's echo is skipped. */
  #learn(id: string, written: Known): void {
    const current = this.#known.get(id);
    if (!current || current.revision < written.revision) this.#known.set(id, written);
  }

  /** A ticket this replica answered: forgotten, and its echo skipped. */
  #finish(id: string, revision: number): void {
    const current = this.#known.get(id);
    if (current && current.revision <= revision) {
      this.#removeFromPools(id);
      this.#known.delete(id);
    }
    this.#finished.set(id, { revision, at: this.#now() });
  }

  /** Put a matched ticket back to searching (claim lost or left stale). */
  async #release(known: Known, now: number, why: string): Promise<void> {
    const { matchId: _m, claimedBy: _c, claimedAt: _a, team: _t, ...rest } = known.record;
    const next: TicketRecord = { ...rest, state: TicketState.SEARCHING, updatedAt: now };
    const revision = await this.#store.update(known, next);
    if (revision !== undefined) {
      this.#o.log?.info(
        { event: 'ticket_released', ticketId: known.record.id, why },
        'ticket back to searching',
      );
    }
  }

  /** Claim every ticket of `match` and start placing it; false when one was lost. */
  async #claim(match: FormedMatch): Promise<boolean> {
    const now = this.#now();
    const teamOf = new Map<string, string>();
    for (const team of match.teams ?? [])
      for (const id of team.ticketIds) teamOf.set(id, team.name);
    const claimed: Known[] = [];
    let lost = false;
    await Promise.all(
      match.tickets.map(async (ticket) => {
        const known = this.#known.get(ticket.id);
        if (!known || known.record.state !== TicketState.SEARCHING) {
          lost = true;
          return;
        }
        const team = teamOf.get(ticket.id);
        const next: TicketRecord = {
          ...known.record,
          state: TicketState.MATCHED,
          matchId: match.matchId,
          claimedBy: this.#o.instanceId,
          claimedAt: now,
          ...(team ? { team } : {}),
          updatedAt: now,
        };
        this.#placing.add(ticket.id);
        const revision = await this.#store.update(known, next).catch(() => undefined);
        if (revision === undefined) lost = true;
        else {
          claimed.push({ record: next, revision });
          this.#learn(ticket.id, { record: next, revision });
        }
      }),
    );
    if (lost) {
      // Another replica claimed one of them first: give the rest back at once.
      await Promise.allSettled(claimed.map((k) => this.#release(k, this.#now(), 'lost')));
      for (const t of match.tickets) this.#placing.delete(t.id);
      this.#o.onMatch?.(match, 'lost');
      return false;
    }
    const work = this.#placeClaimed(match, claimed);
    this.#inflight.add(work);
    void work.finally(() => this.#inflight.delete(work));
    return true;
  }

  async #placeClaimed(match: FormedMatch, claimed: Known[]): Promise<void> {
    const tickets = new ClaimedTickets(claimed, this.#store);
    const heartbeat = setInterval(() => {
      const now = this.#now();
      void tickets.rewrite((r) => ({ ...r, claimedAt: now, updatedAt: now }));
    }, this.#o.claimHeartbeatMs ?? 3_000);
    // The match's players see how its server is coming: one rewrite per new stage.
    let stageShown: string | undefined;
    const progress: ProgressFn = (stage, message) => {
      if (stage === stageShown) return;
      stageShown = stage;
      const now = this.#now();
      void tickets.rewrite((r) => ({ ...r, placing: { stage, message }, updatedAt: now }));
    };
    let outcome = 'placed';
    try {
      let result: Awaited<ReturnType<PlaceMatch>> | undefined;
      let failure: { code: string; message: string } | undefined;
      try {
        result = await this.#o.placeMatch(match, tickets.records(), progress);
      } catch (error) {
        if (error instanceof TicketsBackToSearching) {
          clearInterval(heartbeat);
          await tickets.settled();
          await Promise.allSettled(
            tickets.known().map((k) => this.#release(k, this.#now(), 'backfill_missed')),
          );
          outcome = 'released';
          return;
        }
        failure = toWireError(error);
        outcome = failure.code;
      }
      clearInterval(heartbeat);
      const now = this.#now();
      // After any heartbeat or progress write still on its way (the answer names its revision).
      const written = await tickets.rewrite((record) => {
        // Object rest is slow in V8 (a tenth of a ticket's CPU): only when there is a `placing`.
        const rest = record.placing ? withoutPlacing(record) : record;
        if (failure) return { ...rest, state: TicketState.FAILED, error: failure, updatedAt: now };
        const replies: Record<string, unknown> = {};
        for (const p of record.players) {
          const reply = result?.replies[p.playerId];
          if (reply) replies[p.playerId] = reply;
        }
        return { ...rest, state: TicketState.PLACED, replies, updatedAt: now };
      });
      for (const [id, revision] of written) {
        if (revision !== undefined) this.#finish(id, revision);
      }
      this.#o.log?.info(
        {
          event: failure ? 'match_failed' : 'match_placed',
          matchId: match.matchId,
          mode: match.mode,
          players: match.players,
          ...(result ? { serverId: result.serverId } : {}),
          ...(failure ? { code: failure.code } : {}),
        },
        failure ? 'match placement failed' : 'match placed',
      );
    } finally {
      clearInterval(heartbeat);
      for (const k of claimed) this.#placing.delete(k.record.id);
      this.#o.onMatch?.(match, outcome);
    }
  }
}

function withoutPlacing(record: TicketRecord): TicketRecord {
  const { placing: _placing, ...rest } = record;
  return rest;
}

export type { QueueMode };
