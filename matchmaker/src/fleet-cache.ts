/**
 * An in-memory view of the app's servers and seats, kept current by KV watches, so a warm
 * placement reads memory and writes one KV key instead of scanning buckets. The view may lag
 * by a few milliseconds: the seat reservation itself is a KV compare-and-set, which is what
 * prevents overselling; the cache only picks good candidates. Servers with free seats are kept
 * in an index (`FreeSeatIndex`), so picking them costs the same whatever the fleet's size.
 */
import type { KV, KvWatchEntry } from '@nats-io/kv';
import {
  Backoff,
  type BackoffOptions,
  isRecordFresh,
  isSeatTaken,
  parseSeatKey,
  type SeatRecord,
  SeatState,
  type ServerRecord,
  ServerState,
  seatHeldUntil,
  seatKey,
} from '@playgap/protocol';
import { ExpiryQueue, FreeSeatIndex, hashOf } from './free-seat-index.js';

/** Waits between tries to restart the watches: 250 ms doubling to 5 s, jittered. */
const REWATCH_BACKOFF: Readonly<BackoffOptions> = Object.freeze({
  initialDelayMs: 250,
  maxDelayMs: 5_000,
});

/** What FleetCache keeps per server between seat changes, so no placement scans its seats. */
interface Occupancy {
  /** Seats taken (connected, or reserved and not expired). */
  count: number;
  /** Until then no taken seat frees by the clock alone. */
  validUntil: number;
  /**
   * The seats from the seat offset up to here (not included) were all taken when last looked
   * at, so a free-seat scan starts here; a seat before it freeing moves it back.
   */
  scanFrom: number;
}

interface Versioned<T> {
  value: T;
  revision: number;
}

/**
 * What happened in the fleet, as the watches see it live (the initial contents are not
 * replayed as events): a player connected to or left a server, a server became ready or its
 * record went away (it stopped).
 */
export type FleetEvent =
  | { kind: 'player_joined' | 'player_left'; seat: SeatRecord }
  | { kind: 'server_ready' | 'server_gone'; server: ServerRecord };

/** A free seat of a server: `revision` is set when it holds an expired reservation to take over. */
export interface FreeSeat {
  serverId: string;
  seatIndex: number;
  revision?: number;
}

export interface FleetCacheOptions {
  servers: KV;
  seats: KV;
  /** Records older than this (ms since `updatedAt`) count as gone. */
  serverStaleMs: number;
  /** Seat records older than this (ms since `updatedAt`) were aged out of KV: free. Default 60 000. */
  seatStaleMs?: number;
  now?: () => number;
  /** Longest wait for the initial state of a bucket. Default 3 000 ms. */
  initialTimeoutMs?: number;
  /**
   * Where this replica starts in a server's seats (indices wrap): replicas filling the same
   * fullest server then propose different seats instead of racing for the same one. Default:
   * from a hash of `instanceId` (0 without one).
   */
  seatOffset?: number;
  /**
   * This replica's instance id: a server another replica is filling right now (its
   * reservations came first in the seats stream, within the last FILLER_WINDOW_MS) is offered
   * after the servers nobody is filling, so replicas fill different servers instead of racing
   * for the same seats. Every replica reads the same stream order, so they agree who fills what.
   * It also picks the replica's first lane among equally full servers (FILL_LANES): while
   * another replica is placing (its reservations seen within SPREAD_WINDOW_MS), replicas
   * opening their next server at the same moment mostly open different ones. Alone, a replica
   * takes equally full servers in the order they were filed.
   */
  instanceId?: string;
}

/** Lanes equally full servers are split into when replicas are told apart by instanceId. */
const FILL_LANES = 16;
/** How long after another replica's last reservation this one still spreads over lanes. */
const SPREAD_WINDOW_MS = 30_000;

/** How long a server stays with the replica that last reserved on it first. */
const FILLER_WINDOW_MS = 1_000;

/**
 * Watches the servers and seats buckets of one app.
 *
 * @example
 * const fleet = new FleetCache({ servers: kv.servers, seats: kv.seats, serverStaleMs: 15_000 });
 * await fleet.start();
 * const seat = fleet.freeSeats('1.0.0')[0];
 */
export class FleetCache {
  readonly #servers = new Map<string, Versioned<ServerRecord>>();
  /**
   * Occupied-seat count per server, kept up to date seat by seat and valid until a seat frees
   * by the clock alone (a reservation expires, a record ages out): then it is counted again.
   */
  readonly #occupancy = new Map<string, Occupancy>();
  #lastSweepAt = 0;
  /** Seats by server and index; `null` = deleted, kept as a tombstone with its revision. */
  readonly #seats = new Map<string, Map<number, Versioned<SeatRecord | null>>>();
  /** Ready, live servers with free seats, by version and free count (and lane: see instanceId). */
  readonly #free: FreeSeatIndex;
  readonly #seatOffset: number;
  /** When a server's occupancy changes by the clock alone (a reservation expires, a seat ages out). */
  readonly #recounts = new ExpiryQueue();
  /** Party id → server id → how many of its seat records carry that party. */
  readonly #parties = new Map<string, Map<string, number>>();
  /** Server id → the replica filling it and when it last reserved there (FleetCacheOptions.instanceId). */
  readonly #fillers = new Map<string, { by: string; at: number }>();
  /** When a reservation of another replica last came by (FleetCacheOptions.instanceId). */
  #otherReplicaAt = Number.NEGATIVE_INFINITY;
  readonly #options: FleetCacheOptions;
  readonly #now: () => number;
  readonly #watchers: Array<{ stop(): void }> = [];
  readonly #listeners = new Set<() => void>();
  readonly #seatRemovedListeners = new Set<(seat: SeatRecord) => void>();
  readonly #eventListeners = new Set<(event: FleetEvent) => void>();
  #stopped = false;
  #rewatching: Promise<void> | undefined;

  constructor(options: FleetCacheOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    const hash = options.instanceId === undefined ? undefined : hashOf(options.instanceId);
    this.#free =
      hash === undefined
        ? new FreeSeatIndex()
        : new FreeSeatIndex({ lanes: FILL_LANES, firstLane: hash % FILL_LANES });
    // The hash's other bits, so the seat offset does not follow the lane.
    this.#seatOffset = options.seatOffset ?? (hash === undefined ? 0 : hash >>> 4);
  }

  /** Start both watches; resolves once the current contents are loaded. */
  async start(): Promise<void> {
    await Promise.all([
      this.#watch(this.#options.servers, (e) => this.#applyServer(e)),
      this.#watch(this.#options.seats, (e) => this.#applySeat(e)),
    ]);
  }

  stop(): void {
    this.#stopped = true;
    this.#stopWatches();
  }

  #stopWatches(): void {
    for (const w of this.#watchers) w.stop();
    this.#watchers.length = 0;
  }

  /**
   * Start both watches again, replaying the buckets' current state (revisions keep what is
   * newer). Call it when the NATS connection came back: a watch whose consumer lived on a lost
   * cluster node stays silent until the client notices missed heartbeats, and meanwhile every
   * server record would age out of the cache. Retried with backoff until JetStream answers
   * (a new stream leader may still be being elected) or `stop()`.
   *
   * @example
   * for await (const s of nc.status()) if (s.type === 'reconnect') void fleet.rewatch();
   */
  rewatch(): Promise<void> {
    this.#rewatching ??= (async () => {
      const backoff = new Backoff(REWATCH_BACKOFF);
      while (!this.#stopped) {
        this.#stopWatches();
        try {
          await this.start();
          return;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, backoff.next()));
        }
      }
    })().finally(() => {
      this.#rewatching = undefined;
    });
    return this.#rewatching;
  }

  /** Call `listener` after every change; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Resolve at the next change, or after `maxMs` when nothing changes (placements poll on it).
   *
   * @example
   * await fleet.nextChange(statusPollMs);
   */
  nextChange(maxMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        off();
        resolve();
      };
      const timer = setTimeout(done, maxMs);
      const off = this.onChange(done);
    });
  }

  /** Call `listener` with the last value of every seat that is deleted (player left). */
  onSeatRemoved(listener: (seat: SeatRecord) => void): () => void {
    this.#seatRemovedListeners.add(listener);
    return () => this.#seatRemovedListeners.delete(listener);
  }

  /**
   * Call `listener` with every live fleet event (joins, leaves, servers ready or gone).
   *
   * @example
   * fleet.onEvent((e) => console.log(e.kind));
   */
  onEvent(listener: (event: FleetEvent) => void): () => void {
    this.#eventListeners.add(listener);
    return () => this.#eventListeners.delete(listener);
  }

  #emit(event: FleetEvent): void {
    for (const listener of this.#eventListeners) listener(event);
  }

  /** Every seat record known, with its key and revision (for sweeps). */
  seats(): Array<{ key: string; record: SeatRecord; revision: number }> {
    const result: Array<{ key: string; record: SeatRecord; revision: number }> = [];
    for (const [serverId, map] of this.#seats) {
      for (const [index, { value, revision }] of map) {
        if (value) result.push({ key: seatKey(serverId, index), record: value, revision });
      }
    }
    return result;
  }

  async #watch(kv: KV, apply: (entry: KvWatchEntry) => void): Promise<void> {
    const status = await kv.status();
    const iter = await kv.watch();
    this.#watchers.push(iter);
    let markReady!: () => void;
    const ready = new Promise<void>((resolve) => {
      markReady = resolve;
    });
    if (status.values === 0) markReady();
    const timer = setTimeout(markReady, this.#options.initialTimeoutMs ?? 3_000);
    (async () => {
      for await (const entry of iter) {
        try {
          apply(entry);
        } catch {
          // A record that does not parse is ignored, never fatal.
        }
        if (entry.isUpdate || entry.delta === 0) markReady();
        for (const listener of this.#listeners) listener();
      }
    })().catch(() => {});
    await ready;
    clearTimeout(timer);
  }

  #applyServer(entry: KvWatchEntry): void {
    const current = this.#servers.get(entry.key);
    if (current && current.revision > entry.revision) return;
    if (entry.operation !== 'PUT') {
      this.#servers.delete(entry.key);
      if (current && entry.isUpdate) this.#emit({ kind: 'server_gone', server: current.value });
    } else {
      const server = entry.json<ServerRecord>();
      this.#servers.set(entry.key, { value: server, revision: entry.revision });
      // Scan positions are relative to the capacity: count again if it changed.
      if (current && current.value.capacity !== server.capacity) this.#occupancy.delete(entry.key);
      const wasReady = current?.value.state === ServerState.READY;
      if (entry.isUpdate && server.state === ServerState.READY && !wasReady) {
        this.#emit({ kind: 'server_ready', server });
      }
    }
    this.#refile(entry.key);
  }

  #applySeat(entry: KvWatchEntry): void {
    const parsed = parseSeatKey(entry.key);
    if (!parsed) return;
    if (entry.operation !== 'PUT') {
      const map = this.#seatMap(parsed.serverId);
      const previous = map.get(parsed.seatIndex);
      if (previous && previous.revision > entry.revision) return;
      // A KV create on a key whose last message is a delete marker must be an update at the
      // marker's revision: keep it, so the reservation is one round trip.
      this.#setSeat(parsed.serverId, parsed.seatIndex, { value: null, revision: entry.revision });
      if (previous?.value && entry.isUpdate) {
        for (const listener of this.#seatRemovedListeners) listener(previous.value);
        // A player left: connected, or dropped and its grace over.
        if (previous.value.state !== SeatState.RESERVED) {
          this.#emit({ kind: 'player_left', seat: previous.value });
        }
      }
      return;
    }
    const known = this.#seats.get(parsed.serverId)?.get(parsed.seatIndex);
    // This process's own reservation coming back (noted when written): nothing new to parse.
    if (known && known.revision >= entry.revision) {
      if (known.value) this.#noteFiller(parsed.serverId, known.value);
      return;
    }
    const seat = entry.json<SeatRecord>();
    this.#noteFiller(parsed.serverId, seat);
    const before = known?.value;
    this.noteSeat(entry.key, seat, entry.revision);
    if (
      entry.isUpdate &&
      seat.state === SeatState.CONNECTED &&
      before?.state !== SeatState.CONNECTED &&
      // A player back from a drop (grace → connected) did not join again.
      before?.state !== SeatState.GRACE
    ) {
      this.#emit({ kind: 'player_joined', seat });
    }
  }

  /** A reservation in stream order: the server's filler is its first reserver in the window. */
  #noteFiller(serverId: string, seat: SeatRecord): void {
    if (this.#options.instanceId === undefined) return;
    if (seat.state !== SeatState.RESERVED || seat.reservedBy === undefined) return;
    const now = this.#now();
    if (seat.reservedBy !== this.#options.instanceId) this.#otherReplicaAt = now;
    const filler = this.#fillers.get(serverId);
    if (!filler || now - filler.at > FILLER_WINDOW_MS) {
      this.#fillers.set(serverId, { by: seat.reservedBy, at: now });
    } else if (filler.by === seat.reservedBy) {
      filler.at = now;
    }
  }

  /** Another replica is filling `serverId` right now. */
  #filledByOther(serverId: string, now: number): boolean {
    const filler = this.#fillers.get(serverId);
    if (!filler) return false;
    if (now - filler.at > FILLER_WINDOW_MS) {
      this.#fillers.delete(serverId);
      return false;
    }
    return filler.by !== this.#options.instanceId;
  }

  #hostsParty(serverId: string, party: string, now: number): boolean {
    if (!this.#parties.get(party)?.has(serverId)) return false;
    for (const { value } of this.#seats.get(serverId)?.values() ?? []) {
      if (value?.party !== party) continue;
      if (isSeatTaken(value, now)) return true;
    }
    return false;
  }

  /** Drop what is known of a seat (after a failed compare-and-set: the cache was wrong). */
  forgetSeat(key: string, revision: number): void {
    const parsed = parseSeatKey(key);
    if (!parsed) return;
    if (this.#seats.get(parsed.serverId)?.get(parsed.seatIndex)?.revision === revision) {
      this.#setSeat(parsed.serverId, parsed.seatIndex, undefined);
    }
  }

  /**
   * Set (or with `undefined` drop) one seat's known state, keeping the party map, and file its
   * server again: every seat change goes through here.
   */
  #setSeat(serverId: string, index: number, seat: Versioned<SeatRecord | null> | undefined): void {
    const map = this.#seatMap(serverId);
    const previous = map.get(index)?.value;
    if (seat) map.set(index, seat);
    else map.delete(index);
    const before = previous?.party;
    const after = seat?.value?.party;
    if (before !== after) {
      if (before) this.#countParty(before, serverId, -1);
      if (after) this.#countParty(after, serverId, 1);
    }
    this.#recountSeat(serverId, index, previous ?? null, seat?.value ?? null);
    this.#refile(serverId);
  }

  /** Bring a server's Occupancy up to date with one seat's change (no scan). */
  #recountSeat(
    serverId: string,
    index: number,
    previous: SeatRecord | null,
    next: SeatRecord | null,
  ): void {
    const occupancy = this.#occupancy.get(serverId);
    if (!occupancy) return;
    const now = this.#now();
    if (now >= occupancy.validUntil) {
      this.#occupancy.delete(serverId); // a seat freed by the clock meanwhile: count again
      return;
    }
    const stale = this.#seatStaleMs;
    // Before validUntil no taken seat has freed by the clock, so `previous` is counted as it is now.
    const was = previous !== null && isSeatTaken(previous, now, stale);
    const is = next !== null && isSeatTaken(next, now, stale);
    if (is) {
      // Taken before too or not, it may free sooner than any other seat.
      const until = seatHeldUntil(next!, stale);
      if (until < occupancy.validUntil) {
        occupancy.validUntil = until;
        this.#recounts.schedule(serverId, until);
      }
    }
    if (was === is) return;
    if (is) occupancy.count++;
    else {
      occupancy.count--;
      const capacity = this.#servers.get(serverId)?.value.capacity ?? 0;
      if (index < capacity) {
        const position = (index - this.#seatStart(capacity) + capacity) % capacity;
        if (position < occupancy.scanFrom) occupancy.scanFrom = position;
      }
    }
  }

  /** Where this replica starts in a server's seats (FleetCacheOptions.seatOffset). */
  #seatStart(capacity: number): number {
    return capacity > 0 ? this.#seatOffset % capacity : 0;
  }

  #countParty(party: string, serverId: string, delta: number): void {
    let servers = this.#parties.get(party);
    if (!servers) {
      servers = new Map();
      this.#parties.set(party, servers);
    }
    const count = (servers.get(serverId) ?? 0) + delta;
    if (count > 0) servers.set(serverId, count);
    else servers.delete(serverId);
    if (servers.size === 0) this.#parties.delete(party);
  }

  /** File a server in the free-seat index as it is now (or take it out). */
  #refile(serverId: string): void {
    const entry = this.#servers.get(serverId);
    const server = entry?.value;
    // No digest yet, no player: WebTransport clients need it to trust the certificate.
    if (
      !server ||
      server.state !== ServerState.READY ||
      !server.certDigest ||
      !this.#isLive(server)
    ) {
      this.#free.remove(serverId);
      return;
    }
    this.#free.file(serverId, server.version, server.capacity - this.occupiedSeats(serverId));
  }

  /** The seat map of a server (made when missing). */
  #seatMap(serverId: string): Map<number, Versioned<SeatRecord | null>> {
    let map = this.#seats.get(serverId);
    if (!map) {
      map = new Map();
      this.#seats.set(serverId, map);
    }
    return map;
  }

  /** Record a seat this process just wrote, before the watch echoes it back. */
  noteSeat(key: string, record: SeatRecord, revision: number): void {
    const parsed = parseSeatKey(key);
    if (!parsed) return;
    const current = this.#seats.get(parsed.serverId)?.get(parsed.seatIndex);
    if (current && current.revision > revision) return;
    this.#setSeat(parsed.serverId, parsed.seatIndex, { value: record, revision });
  }

  /** A server whose record is fresh (any state), or undefined. */
  server(serverId: string): ServerRecord | undefined {
    const entry = this.#servers.get(serverId);
    if (!entry || !this.#isLive(entry.value)) return undefined;
    return entry.value;
  }

  /** Every server whose record is fresh (any state), for views such as the dashboard. */
  liveServers(): ServerRecord[] {
    const live: ServerRecord[] = [];
    for (const { value } of this.#servers.values()) if (this.#isLive(value)) live.push(value);
    return live;
  }

  get #seatStaleMs(): number {
    return this.#options.seatStaleMs ?? 60_000;
  }

  /**
   * Forget servers gone for twice their stale time, with their seats: KV max age removes
   * records without telling watchers, so without this the cache would only grow.
   */
  #sweep(now: number): void {
    if (now - this.#lastSweepAt < this.#options.serverStaleMs) return;
    this.#lastSweepAt = now;
    for (const [id, { value }] of this.#servers) {
      if (now - value.updatedAt > 2 * this.#options.serverStaleMs) {
        for (const index of [...(this.#seats.get(id)?.keys() ?? [])]) {
          this.#setSeat(id, index, undefined);
        }
        this.#servers.delete(id);
        this.#seats.delete(id);
        this.#occupancy.delete(id);
        this.#recounts.forget(id);
        this.#free.remove(id);
      }
    }
  }

  #isLive(server: ServerRecord): boolean {
    return isRecordFresh(server, this.#now(), this.#options.serverStaleMs);
  }

  /** Seats of a server in use right now (connected, or reserved and not expired). */
  occupiedSeats(serverId: string): number {
    return this.#occupancyOf(serverId, this.#now()).count;
  }

  /** The server's Occupancy, counted again when missing or past its validUntil. */
  #occupancyOf(serverId: string, now: number): Occupancy {
    const cached = this.#occupancy.get(serverId);
    if (cached && now < cached.validUntil) return cached;
    let count = 0;
    let validUntil = Number.POSITIVE_INFINITY;
    for (const { value } of this.#seats.get(serverId)?.values() ?? []) {
      if (!value || !isSeatTaken(value, now, this.#seatStaleMs)) continue;
      count++;
      validUntil = Math.min(validUntil, seatHeldUntil(value, this.#seatStaleMs));
    }
    const occupancy: Occupancy = { count, validUntil, scanFrom: 0 };
    this.#occupancy.set(serverId, occupancy);
    if (validUntil !== Number.POSITIVE_INFINITY) this.#recounts.schedule(serverId, validUntil);
    return occupancy;
  }

  /**
   * Free seats on ready servers of `version`, fullest server first (pack players so empty
   * servers can stop) — servers already seating `party` before all — lowest seat index first,
   * skipping keys in `skip` (seats being tried).
   */
  freeSeats(
    version: string,
    skip: ReadonlySet<string> = new Set(),
    limit = 8,
    party?: string,
  ): FreeSeat[] {
    const now = this.#now();
    this.#sweep(now);
    for (const serverId of this.#recounts.due(now)) this.#refile(serverId);
    const result: FreeSeat[] = [];
    const taken = new Set<string>();
    if (party) {
      // Servers already seating this party come first, fullest first among them.
      const hosts = [...(this.#parties.get(party)?.keys() ?? [])]
        .filter((id) => this.#free.free(id) > 0 && this.#hostsParty(id, party, now))
        .sort((a, b) => this.#free.free(a) - this.#free.free(b));
      for (const serverId of hosts) {
        if (this.#collectSeats(version, serverId, skip, limit, now, result)) taken.add(serverId);
        if (result.length >= limit) return result;
      }
    }
    // Servers another replica is filling come after the others (and only when those fall short).
    const deferred: string[] = [];
    const spread = now - this.#otherReplicaAt < SPREAD_WINDOW_MS;
    for (const serverId of this.#free.fullestFirst(version, spread)) {
      if (taken.has(serverId)) continue;
      if (this.#filledByOther(serverId, now)) {
        deferred.push(serverId);
        continue;
      }
      this.#collectSeats(version, serverId, skip, limit, now, result);
      if (result.length >= limit) return result;
    }
    for (const serverId of deferred) {
      this.#collectSeats(version, serverId, skip, limit, now, result);
      if (result.length >= limit) break;
    }
    return result;
  }

  /**
   * Append the free seats of one filed server to `result` (from the seat offset on, up to `limit`);
   * false when the server is not one to place on (another version, or its record went stale,
   * which takes it out of the index until its next heartbeat).
   */
  #collectSeats(
    version: string,
    serverId: string,
    skip: ReadonlySet<string>,
    limit: number,
    now: number,
    result: FreeSeat[],
  ): boolean {
    const server = this.#servers.get(serverId)?.value;
    if (!server || server.version !== version) return false;
    if (!this.#isLive(server)) {
      this.#free.remove(serverId);
      return false;
    }
    const seats = this.#seats.get(serverId);
    const capacity = server.capacity;
    const start = this.#seatStart(capacity);
    const occupancy = this.#occupancyOf(serverId, now);
    const stale = this.#seatStaleMs;
    // Seats before scanFrom were all taken; taken seats met at the front move it on.
    let front = true;
    for (let n = occupancy.scanFrom; n < capacity && result.length < limit; n++) {
      const i = start + n < capacity ? start + n : start + n - capacity;
      const seat = seats?.get(i);
      if (seat?.value && isSeatTaken(seat.value, now, stale)) {
        if (front) occupancy.scanFrom = n + 1;
        continue;
      }
      front = false;
      if (skip.has(seatKey(serverId, i))) continue;
      result.push(
        seat ? { serverId, seatIndex: i, revision: seat.revision } : { serverId, seatIndex: i },
      );
    }
    return true;
  }
}
