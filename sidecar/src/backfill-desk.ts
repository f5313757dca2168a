/**
 * Backfill requests of this server (POST/GET/DELETE /v1/backfill): a running match asks the
 * matchmakers for more players. The requests of one match live in one BackfillRecord of the
 * app's `backfills` bucket under `<serverId>.<matchId>`, with the players still in the match
 * (the rules judge newcomers with them); matchmakers add fills to it with compare-and-set, so
 * one record decides every team's room. A KV watch on this server's keys tells the game server
 * (event `backfill`) as players are placed; the desk removes a request once filled, withdrawn
 * or expired, the record once no request is left, and every record when the sidecar exits.
 */
import { randomUUID } from 'node:crypto';
import type { KV, KvEntry } from '@nats-io/kv';
import {
  type BackfillFill,
  type BackfillRecord,
  type BackfillRequest,
  backfillKey,
  ErrorCode,
  isSeatTaken,
  type RosterPlayer,
  type SeatRecord,
} from '@playgap/protocol';
import { isKvConflict } from '@playgap/protocol/kv';
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

/**
 * How long a placed fill outlives its request while this sidecar has not seen its newcomers'
 * seats (the seat watch lags the matchmaker's write): until then the fill still counts them, so
 * a newer request of the match does not give their seats away again. Past this the seat is gone
 * (the newcomer never came) or long seen.
 */
const UNSEEN_FILL_MS = 30_000;
/** How often a record kept only for unseen fills is checked again. */
const UNSEEN_RECHECK_MS = 1_000;

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

/** A request of this server, as the desk follows it. */
interface Tracked {
  matchId: string;
  expiry: TimerHandle;
  /** Placed newcomers already told to the game server. */
  told: number;
}

type EndReason = 'filled' | 'expired' | 'withdrawn';

/**
 * @example
 * const desk = new BackfillDesk({ app, version, serverId, clock, seats, capacity, onEvent });
 * await desk.start(kv.backfills);
 * const { backfillId } = await desk.request({ team: 'team-2', count: 1 });
 */
export class BackfillDesk {
  readonly #o: BackfillDeskOptions;
  /** This server's records, by match id. */
  readonly #records = new Map<string, { record: BackfillRecord; revision: number }>();
  readonly #tracked = new Map<string, Tracked>();
  /** Records kept only for fills whose newcomers' seats are not seen yet, by match id. */
  readonly #rechecks = new Map<string, TimerHandle>();
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
    if (!this.#kv) throw new NatsUnavailableError('NATS is unreachable; ask again shortly.');
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
    const request: BackfillRequest = {
      id: randomUUID().replaceAll('-', ''),
      ...(team ? { team } : {}),
      count: body.count,
      filled: 0,
      createdAt: now,
      expiresAt: now + (body.expiresInSeconds ?? BACKFILL_EXPIRY_SECONDS.default) * 1000,
    };
    // Read the seats again on each attempt: a fill placed meanwhile may have seated someone.
    const written = await this.#mutate(match.matchId, (current) => {
      const now = this.#o.clock.now();
      const players = this.#match(match.matchId, now).players;
      return {
        app: this.#o.app,
        version: this.#o.version,
        serverId: this.#o.serverId,
        mode: match.mode,
        matchId: match.matchId,
        requests: [...(current?.requests ?? []), request],
        // Newcomers of ended requests are in the seats (in `players` while there) once seen.
        fills: (current?.fills ?? []).filter(
          (f) => current?.requests.some((r) => r.id === f.requestId) || this.#unseen(f, now),
        ),
        players,
        ...(match.variables ? { matchVariables: match.variables } : {}),
        updatedAt: now,
      };
    });
    if (!written) {
      throw new NatsUnavailableError('NATS did not take the backfill request; try again shortly.');
    }
    this.#track(match.matchId, request);
    this.#o.log?.('backfill requested', {
      backfillId: request.id,
      matchId: match.matchId,
      count: body.count,
    });
    return { backfillId: request.id, expiresAt: request.expiresAt };
  }

  list(): SidecarResponse<'backfills'> {
    const backfills: SidecarBackfill[] = [];
    for (const { record } of this.#records.values()) {
      for (const request of record.requests) {
        if (this.#tracked.has(request.id)) backfills.push(view(record, request));
      }
    }
    return { backfills };
  }

  /** Withdraw one request: UNKNOWN_BACKFILL when it is not open here. */
  async withdraw(backfillId: string): Promise<SidecarResponse<'withdrawBackfill'>> {
    if (!this.#tracked.has(backfillId)) {
      throw new SidecarError(
        ErrorCode.UNKNOWN_BACKFILL,
        `No open backfill request ${backfillId} on this server (filled, expired or withdrawn already?); GET /v1/backfill lists them.`,
        404,
      );
    }
    if (!this.#kv) throw new NatsUnavailableError('NATS is unreachable; withdraw again shortly.');
    await this.#end(backfillId, 'withdrawn');
    return { ok: true };
  }

  /** Delete every record of this server (the sidecar exits). */
  async close(): Promise<void> {
    this.#stopWatch?.();
    for (const tracked of this.#tracked.values()) tracked.expiry.cancel();
    this.#tracked.clear();
    for (const recheck of this.#rechecks.values()) recheck.cancel();
    this.#rechecks.clear();
    await Promise.allSettled(
      [...this.#records.keys()].map((matchId) =>
        this.#kv?.delete(backfillKey(this.#o.serverId, matchId)),
      ),
    );
    this.#records.clear();
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

  /** Seats neither taken nor promised to an open request (its part not placed yet). */
  #freeSeats(now: number): number {
    const taken = this.#o.seats().filter((s) => isSeatTaken(s, now)).length;
    let promised = 0;
    for (const { record } of this.#records.values()) {
      for (const request of record.requests) {
        if (this.#tracked.has(request.id))
          promised += Math.max(0, request.count - placedOf(record, request.id).length);
      }
    }
    return Math.max(0, this.#o.capacity() - taken - promised);
  }

  #track(matchId: string, request: BackfillRequest): void {
    if (this.#tracked.has(request.id)) return;
    const expiry = this.#o.clock.setTimeout(
      () => void this.#end(request.id, 'expired'),
      Math.max(0, request.expiresAt - this.#o.clock.now()),
    );
    this.#tracked.set(request.id, { matchId, expiry, told: 0 });
  }

  #apply(entry: KvEntry): void {
    const matchId = entry.key.slice(this.#o.serverId.length + 1);
    const current = this.#records.get(matchId);
    if (current && current.revision > entry.revision) return;
    if (entry.operation !== 'PUT') {
      this.#records.delete(matchId);
      return;
    }
    let record: BackfillRecord;
    try {
      record = entry.json<BackfillRecord>();
    } catch {
      return;
    }
    this.#records.set(matchId, { record, revision: entry.revision });
    for (const request of record.requests) {
      const tracked = this.#tracked.get(request.id);
      if (!tracked) continue;
      const placed = placedOf(record, request.id);
      if (placed.length <= tracked.told) continue;
      tracked.told = placed.length;
      const done = placed.length >= request.count;
      this.#o.onEvent(event(record, request, done ? 'filled' : 'open'));
      if (done) void this.#end(request.id, 'filled');
    }
  }

  /** Take the request out of its record (deleting the record with the last one). */
  async #end(requestId: string, why: EndReason): Promise<void> {
    const tracked = this.#tracked.get(requestId);
    if (!tracked) return;
    tracked.expiry.cancel();
    this.#tracked.delete(requestId);
    const stored = this.#records.get(tracked.matchId);
    const request = stored?.record.requests.find((r) => r.id === requestId);
    if (why !== 'filled' && stored && request) this.#o.onEvent(event(stored.record, request, why));
    const done = await this.#mutate(tracked.matchId, (current) => {
      if (!current) return undefined;
      const requests = current.requests.filter((r) => r.id !== requestId);
      if (requests.length === 0) return this.#leftover(current);
      return { ...current, requests, updatedAt: this.#o.clock.now() };
    }).catch(() => false);
    if (!done) {
      this.#o.log?.('backfill request not removed from NATS (it ages out)', {
        backfillId: requestId,
      });
    }
  }

  /**
   * A record whose last request ended: deleted, or kept with no request while a placed fill's
   * newcomers are not seen in this server's seats yet (checked again shortly).
   */
  #leftover(current: BackfillRecord): BackfillRecord | 'delete' {
    const now = this.#o.clock.now();
    const fills = current.fills.filter((f) => this.#unseen(f, now));
    if (fills.length === 0) return 'delete';
    this.#recheck(current.matchId);
    return { ...current, requests: [], fills, updatedAt: now };
  }

  #recheck(matchId: string): void {
    if (this.#rechecks.has(matchId)) return;
    const timer = this.#o.clock.setTimeout(() => {
      this.#rechecks.delete(matchId);
      void this.#mutate(matchId, (current) =>
        current && current.requests.length === 0 ? this.#leftover(current) : undefined,
      ).catch(() => {});
    }, UNSEEN_RECHECK_MS);
    this.#rechecks.set(matchId, timer);
  }

  /** A placed fill with a newcomer whose seat this sidecar has not seen yet (and not too old). */
  #unseen(fill: BackfillFill, now: number): boolean {
    if (fill.state !== 'placed' || now - fill.claimedAt >= UNSEEN_FILL_MS) return false;
    const seen = new Set(this.#o.seats().map((s) => s.playerId ?? s.clientId));
    return fill.players.some((p) => !seen.has(p.playerId));
  }

  /** Read-modify-write the match's record with compare-and-set retries. */
  async #mutate(
    matchId: string,
    change: (current: BackfillRecord | undefined) => BackfillRecord | 'delete' | undefined,
  ): Promise<boolean> {
    const kv = this.#kv;
    if (!kv) return false;
    const key = backfillKey(this.#o.serverId, matchId);
    for (let attempt = 0; attempt < 10; attempt++) {
      const entry = await kv.get(key);
      const current = entry?.operation === 'PUT' ? entry.json<BackfillRecord>() : undefined;
      const next = change(current);
      if (next === undefined) return true;
      try {
        if (next === 'delete') {
          if (entry) await kv.delete(key, { previousSeq: entry.revision });
        } else if (entry) {
          await kv.update(key, JSON.stringify(next), entry.revision);
        } else {
          await kv.create(key, JSON.stringify(next));
        }
        return true;
      } catch (error) {
        if (!isKvConflict(error)) throw error;
      }
    }
    return false;
  }
}

/** Newcomers of a request whose seats are reserved (its fills `placed`). */
function placedOf(record: BackfillRecord, requestId: string): string[] {
  return record.fills
    .filter((f) => f.requestId === requestId && f.state === 'placed')
    .flatMap((f) => f.players.map((p) => p.playerId));
}

function view(record: BackfillRecord, request: BackfillRequest): SidecarBackfill {
  return {
    backfillId: request.id,
    matchId: record.matchId,
    mode: record.mode,
    team: request.team ?? ANY_TEAM,
    count: request.count,
    filled: request.filled,
    playerIds: placedOf(record, request.id),
    expiresAt: request.expiresAt,
  };
}

function event(
  record: BackfillRecord,
  request: BackfillRequest,
  state: SidecarEventData['backfill']['state'],
): SidecarEventData['backfill'] {
  const playerIds = placedOf(record, request.id);
  return {
    backfillId: request.id,
    matchId: record.matchId,
    state,
    count: request.count,
    filled: playerIds.length,
    playerIds,
  };
}
