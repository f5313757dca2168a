/**
 * This server's seats in the app's `seats` KV bucket. A KV watch on `<serverId>.>` keeps a
 * cache of every seat, so a verify finds the player's reservation without a scan; consuming it
 * is a KV update at the cached revision (compare-and-set), so one reservation admits one
 * connection even when two requests race. Connected seats are rewritten every heartbeat
 * (bucket max age only, nats-server 2.9) and deleted on disconnect or exit. A seat whose player
 * dropped stays in the book in state `grace` (expiresAt = the end of the grace period) until
 * the player comes back (`resume`) or the grace ends (`releaseHeld`).
 */
import type { KV, KvEntry } from '@nats-io/kv';
import {
  ErrorCode,
  isLiveReservation,
  type SeatRecord,
  SeatState,
  seatKey,
  seatKeysOf,
} from '@playgap/protocol';
import { isKvConflict } from '@playgap/protocol/kv';
import { NatsUnavailableError, SeatRefusedError } from './errors.js';

/** Connected seats rewritten concurrently per heartbeat slice. */
const REFRESH_SLICE = 64;

interface CachedSeat {
  record: SeatRecord;
  revision: number;
}

/** A seat this sidecar turned into a connection. */
export interface ConnectedSeat {
  clientId: string;
  seatIndex: number;
  record: SeatRecord;
}

/**
 * Seat cache and connection records of one server.
 *
 * @example
 * const book = new SeatBook(seatsKv, 'abc123'); await book.start();
 * const seat = await book.consume('42', Date.now());
 */
export class SeatBook {
  private readonly cache = new Map<string, CachedSeat>();
  /** clientId → key of its latest reserved seat in the cache (O(1) lookup on verify). */
  private readonly reservedBy = new Map<string, string>();
  /** Seat keys whose delete did not reach NATS (disconnects during an outage). */
  private readonly pendingDeletes = new Set<string>();
  private readonly connected = new Map<string, ConnectedSeat>();
  private stopWatch: (() => void) | undefined;

  constructor(
    private kv: KV,
    private readonly serverId: string,
    private readonly capacity: () => number,
  ) {}

  /** Start (or restart, after a reconnect) the watch that fills the cache. */
  async start(kv: KV = this.kv): Promise<void> {
    this.stopWatch?.();
    this.kv = kv;
    this.cache.clear();
    this.reservedBy.clear();
    const watch = await kv.watch({ key: seatKeysOf(this.serverId) });
    this.stopWatch = () => watch.stop();
    void (async () => {
      for await (const entry of watch) this.apply(entry);
    })().catch(() => {});
  }

  stop(): void {
    this.stopWatch?.();
    this.stopWatch = undefined;
  }

  /** Players on this server: connected, or dropped with their seat held (grace). */
  get players(): number {
    return this.connected.size;
  }

  isConnected(clientId: string): boolean {
    return this.connected.has(clientId);
  }

  /** Every seat record of this server in the cache (reserved and connected). */
  seatRecords(): SeatRecord[] {
    return [...this.cache.values()].map((seat) => seat.record);
  }

  connectedSeats(): ConnectedSeat[] {
    return [...this.connected.values()];
  }

  /**
   * Turn this client's live reservation into a connection (CAS). Throws NO_RESERVATION when
   * there is none (or it expired), ALREADY_CONNECTED when the client holds a connection.
   */
  async consume(clientId: string, nowMs: number, playerId?: string): Promise<ConnectedSeat> {
    if (this.connected.has(clientId)) {
      throw new SeatRefusedError(
        ErrorCode.ALREADY_CONNECTED,
        `Client ${clientId} is already connected to this server.`,
      );
    }
    let seat = this.findReservation(clientId, nowMs);
    // The reservation may be newer than the watch has delivered: read the seats directly once.
    if (!seat) seat = await this.scanForReservation(clientId, nowMs);
    if (!seat) {
      throw new SeatRefusedError(
        ErrorCode.NO_RESERVATION,
        `No live seat reservation on this server for client ${clientId}.`,
      );
    }
    const record: SeatRecord = {
      ...seat.record,
      state: SeatState.CONNECTED,
      connectedAt: nowMs,
      updatedAt: nowMs,
      ...(playerId && !seat.record.playerId ? { playerId } : {}),
    };
    const key = seatKey(this.serverId, record.seatIndex);
    let revision: number;
    try {
      revision = await this.kv.update(key, JSON.stringify(record), seat.revision);
    } catch (cause) {
      if (!isKvConflict(cause)) {
        throw new NatsUnavailableError(
          'The seat could not be updated in NATS; try again shortly.',
          { cause },
        );
      }
      // Someone else changed the seat first (a racing verify of the same token, or a takeover).
      throw new SeatRefusedError(
        ErrorCode.NO_RESERVATION,
        `The seat reserved for client ${clientId} was taken by another request.`,
        { cause },
      );
    }
    if (this.connected.has(clientId)) {
      // A racing verify of another reservation of this client won: give this seat back.
      await this.kv.delete(key).catch(() => {});
      throw new SeatRefusedError(
        ErrorCode.ALREADY_CONNECTED,
        `Client ${clientId} is already connected to this server.`,
      );
    }
    this.setCached(key, { record, revision });
    const connected = { clientId, seatIndex: record.seatIndex, record };
    this.connected.set(clientId, connected);
    return connected;
  }

  /** Free this client's seat; false when the client is not connected here. */
  async release(clientId: string, online = true): Promise<boolean> {
    const seat = this.connected.get(clientId);
    if (!seat) return false;
    this.connected.delete(clientId);
    const key = seatKey(this.serverId, seat.seatIndex);
    this.deleteCached(key);
    if (online) await this.deleteKey(key);
    else this.pendingDeletes.add(key);
    return true;
  }

  /**
   * The player's connection dropped: hold its seat until `untilMs` (state grace). The record
   * is written now when NATS is up, else on the next refresh.
   */
  async hold(clientId: string, nowMs: number, untilMs: number): Promise<void> {
    const seat = this.connected.get(clientId);
    if (!seat) return;
    seat.record = {
      ...seat.record,
      state: SeatState.GRACE,
      expiresAt: untilMs,
      disconnectedAt: nowMs,
      updatedAt: nowMs,
    };
    await this.write(seat);
  }

  /** The player came back within the grace: its seat is connected again. */
  async resume(clientId: string, nowMs: number): Promise<ConnectedSeat | undefined> {
    const seat = this.connected.get(clientId);
    if (!seat) return undefined;
    const { disconnectedAt: _dropped, ...record } = seat.record;
    seat.record = { ...record, state: SeatState.CONNECTED, updatedAt: nowMs };
    await this.write(seat);
    return seat;
  }

  /** The seat this client holds (connected or in grace). */
  seatOf(clientId: string): ConnectedSeat | undefined {
    return this.connected.get(clientId);
  }

  /**
   * The grace ended: free the held seat, only if the record is still the one this sidecar
   * wrote (a matchmaker may already have reserved the seat it saw expire).
   */
  async releaseHeld(clientId: string, online = true): Promise<boolean> {
    const seat = this.connected.get(clientId);
    if (!seat) return false;
    const key = seatKey(this.serverId, seat.seatIndex);
    const revision = this.cache.get(key)?.revision;
    if (!online || revision === undefined) return this.release(clientId, online);
    this.connected.delete(clientId);
    this.deleteCached(key);
    try {
      await this.kv.delete(key, { previousSeq: revision });
    } catch (cause) {
      // Someone else wrote the seat since: it is theirs now. Otherwise retry on refresh.
      if (!isKvConflict(cause)) this.pendingDeletes.add(key);
    }
    return true;
  }

  /** Write one seat's record now; a failure is repaired by the next refresh. */
  private async write(seat: ConnectedSeat): Promise<void> {
    const key = seatKey(this.serverId, seat.seatIndex);
    try {
      const revision = await this.kv.put(key, JSON.stringify(seat.record));
      this.setCached(key, { record: seat.record, revision });
    } catch {
      // NATS is away; refresh() rewrites every seat from memory when it is back.
    }
  }

  /** Delete a seat key; remembered and retried on the next refresh when NATS refuses. */
  private async deleteKey(key: string): Promise<void> {
    try {
      await this.kv.delete(key);
      this.pendingDeletes.delete(key);
    } catch {
      this.pendingDeletes.add(key);
    }
  }

  /** Rewrite every connected seat (heartbeat, and after NATS comes back). */
  async refresh(nowMs: number): Promise<void> {
    // Seats freed while NATS was down are deleted first.
    await Promise.all([...this.pendingDeletes].map((key) => this.deleteKey(key)));
    // In slices, so a server full of players does not send a burst of writes at once.
    const seats = [...this.connected.values()];
    for (let i = 0; i < seats.length; i += REFRESH_SLICE) {
      await Promise.all(
        seats.slice(i, i + REFRESH_SLICE).map(async (seat) => {
          if (this.connected.get(seat.clientId) !== seat) return;
          seat.record = { ...seat.record, updatedAt: nowMs };
          const key = seatKey(this.serverId, seat.seatIndex);
          const revision = await this.kv.put(key, JSON.stringify(seat.record));
          this.setCached(key, { record: seat.record, revision });
        }),
      );
    }
  }

  /**
   * Delete every seat of this server (exit path): connections and leftover reservations. The
   * bucket is asked for this server's keys as well, so a reservation the watch has not
   * delivered yet is deleted too.
   */
  async releaseAll(): Promise<void> {
    const keys = new Set<string>([...this.cache.keys(), ...this.pendingDeletes]);
    for (const seat of this.connected.values()) keys.add(seatKey(this.serverId, seat.seatIndex));
    this.connected.clear();
    this.cache.clear();
    this.reservedBy.clear();
    for (const key of await this.storedKeys()) keys.add(key);
    await Promise.all([...keys].map((key) => this.kv.delete(key).catch(() => {})));
  }

  /** This server's seat keys as the bucket holds them now; none when NATS does not answer. */
  private async storedKeys(): Promise<string[]> {
    const found: string[] = [];
    try {
      for await (const key of await this.kv.keys(seatKeysOf(this.serverId))) found.push(key);
    } catch {
      // Leftover seats expire with the bucket's max age.
    }
    return found;
  }

  private setCached(key: string, seat: CachedSeat): void {
    const previous = this.cache.get(key);
    if (previous && this.reservedBy.get(previous.record.clientId) === key) {
      this.reservedBy.delete(previous.record.clientId);
    }
    this.cache.set(key, seat);
    if (seat.record.state === SeatState.RESERVED) this.reservedBy.set(seat.record.clientId, key);
  }

  private deleteCached(key: string): void {
    const previous = this.cache.get(key);
    if (previous && this.reservedBy.get(previous.record.clientId) === key) {
      this.reservedBy.delete(previous.record.clientId);
    }
    this.cache.delete(key);
  }

  private apply(entry: KvEntry): void {
    if (entry.operation !== 'PUT') {
      this.deleteCached(entry.key);
      return;
    }
    try {
      const record = entry.json<SeatRecord>();
      const known = this.cache.get(entry.key);
      if (!known || known.revision < entry.revision)
        this.setCached(entry.key, { record, revision: entry.revision });
    } catch {
      this.deleteCached(entry.key);
    }
  }

  private findReservation(clientId: string, nowMs: number): CachedSeat | undefined {
    const key = this.reservedBy.get(clientId);
    const seat = key === undefined ? undefined : this.cache.get(key);
    return seat && isReservationOf(seat.record, clientId, nowMs) ? seat : undefined;
  }

  private async scanForReservation(
    clientId: string,
    nowMs: number,
  ): Promise<CachedSeat | undefined> {
    for (const key of await this.readSeats()) {
      const cached = this.cache.get(key);
      if (cached && isReservationOf(cached.record, clientId, nowMs)) return cached;
    }
    return undefined;
  }

  /** Read every seat of this server from the bucket into the cache; the keys found. */
  private async readSeats(): Promise<string[]> {
    const indexes = Array.from({ length: this.capacity() }, (_, i) => i);
    const entries = await Promise.all(
      indexes.map((i) => this.kv.get(seatKey(this.serverId, i)).catch(() => null)),
    );
    const found: string[] = [];
    for (const entry of entries) {
      if (entry?.operation !== 'PUT') continue;
      this.apply(entry);
      found.push(entry.key);
    }
    return found;
  }

  /**
   * True when a live reservation of this server is in the cache: a player is on the way.
   *
   * @example
   * if (book.hasReservation(Date.now())) return; // do not stop yet
   */
  hasReservation(nowMs: number): boolean {
    for (const { record } of this.cache.values()) {
      if (isLiveReservation(record, nowMs)) return true;
    }
    return false;
  }

  /**
   * Like {@link hasReservation}, after reading the bucket itself: a reservation made a moment
   * ago may not have come through the watch yet.
   */
  async hasStoredReservation(nowMs: number): Promise<boolean> {
    await this.readSeats();
    return this.hasReservation(nowMs);
  }
}

function isReservationOf(record: SeatRecord, clientId: string, nowMs: number): boolean {
  return record.clientId === clientId && isLiveReservation(record, nowMs);
}
