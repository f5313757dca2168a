/**
 * The servers that have free seats, filed by version and by how many seats are free, so a
 * placement reads the fullest few servers without scanning the fleet: the cost of finding a
 * seat stays the same at 10 servers and at 10,000. The fleet cache files a server again
 * whenever its record or one of its seats changes, and when a reservation on it expires
 * (`ExpiryQueue`).
 */

export interface FreeSeatIndexOptions {
  /**
   * Servers with the same number of free seats are split by a hash of their id into this many
   * lanes (default 1: one lane, in filing order).
   */
  lanes?: number;
  /**
   * The lane this index walks first (then the next ones, wrapping). Replicas given different
   * first lanes start filling different servers among equally full ones instead of all taking
   * the same next empty server and racing for its seats.
   */
  firstLane?: number;
}

/**
 * Servers by version and free-seat count; fullest (fewest free seats) first, then lane by lane
 * from the first lane, each lane in the order its servers were filed.
 *
 * @example
 * const index = new FreeSeatIndex();
 * index.file('srv-1', '1.0.0', 3);
 * [...index.fullestFirst('1.0.0')]; // ['srv-1']
 */
export class FreeSeatIndex {
  /** Per version: slot `n` holds the servers with exactly `n` free seats, by lane. */
  readonly #byVersion = new Map<string, Array<Array<Set<string>> | undefined>>();
  readonly #filed = new Map<string, { version: string; free: number; lane: number }>();
  readonly #lanes: number;
  readonly #firstLane: number;

  constructor(options: FreeSeatIndexOptions = {}) {
    this.#lanes = Math.max(1, Math.floor(options.lanes ?? 1));
    this.#firstLane = Math.abs(Math.floor(options.firstLane ?? 0)) % this.#lanes;
  }

  /** File `serverId` under `version` with `free` seats; `free <= 0` takes it out. */
  file(serverId: string, version: string, free: number): void {
    const current = this.#filed.get(serverId);
    if (current && current.version === version && current.free === free) return;
    if (current) this.#bucket(current.version, current.free, current.lane)?.delete(serverId);
    if (free <= 0) {
      this.#filed.delete(serverId);
      return;
    }
    const lane = current?.lane ?? laneOf(serverId, this.#lanes);
    this.#filed.set(serverId, { version, free, lane });
    let slots = this.#byVersion.get(version);
    if (!slots) {
      slots = [];
      this.#byVersion.set(version, slots);
    }
    let lanes = slots[free];
    if (!lanes) {
      lanes = Array.from({ length: this.#lanes }, () => new Set<string>());
      slots[free] = lanes;
    }
    lanes[lane]!.add(serverId);
  }

  /** Take `serverId` out (gone, not ready, full). */
  remove(serverId: string): void {
    const current = this.#filed.get(serverId);
    if (!current) return;
    this.#bucket(current.version, current.free, current.lane)?.delete(serverId);
    this.#filed.delete(serverId);
  }

  #bucket(version: string, free: number, lane: number): Set<string> | undefined {
    return this.#byVersion.get(version)?.[free]?.[lane];
  }

  /** Free seats `serverId` is filed with (0 when it is not filed). */
  free(serverId: string): number {
    return this.#filed.get(serverId)?.free ?? 0;
  }

  /**
   * Servers of `version` with free seats, fullest first. The walk is live: `remove` during it
   * is safe, `file` is not (a re-filed server could come up twice).
   */
  *fullestFirst(version: string): Generator<string> {
    const slots = this.#byVersion.get(version);
    if (!slots) return;
    for (let free = 1; free < slots.length; free++) {
      const lanes = slots[free];
      if (!lanes) continue;
      for (let n = 0; n < this.#lanes; n++) {
        const lane = lanes[(this.#firstLane + n) % this.#lanes]!;
        if (lane.size > 0) yield* lane;
      }
    }
  }
}

/**
 * The lane of `id` among `lanes` (FNV-1a of the string): the same on every replica.
 *
 * @example
 * new FreeSeatIndex({ lanes: 16, firstLane: laneOf(instanceId, 16) });
 */
export function laneOf(id: string, lanes: number): number {
  if (lanes === 1) return 0;
  let hash = 2166136261;
  for (let i = 0; i < id.length; i++) {
    hash = Math.imul(hash ^ id.charCodeAt(i), 16777619);
  }
  return (hash >>> 0) % lanes;
}

/**
 * Server ids due for a recount at a time: a min-heap on the time, one pending time per server
 * (a later time for a server already due sooner is dropped; the sooner recount schedules the
 * next).
 *
 * @example
 * const queue = new ExpiryQueue();
 * queue.schedule('srv-1', Date.now() + 30_000);
 * for (const id of queue.due(Date.now())) recount(id);
 */
export class ExpiryQueue {
  readonly #heap: Array<{ at: number; serverId: string }> = [];
  readonly #pending = new Map<string, number>();

  schedule(serverId: string, at: number): void {
    const pending = this.#pending.get(serverId);
    if (pending !== undefined && pending <= at) return;
    this.#pending.set(serverId, at);
    this.#push({ at, serverId });
  }

  /** Pop every server due at or before `now` (each once). */
  *due(now: number): Generator<string> {
    while (this.#heap.length > 0 && this.#heap[0]!.at <= now) {
      const { at, serverId } = this.#pop();
      if (this.#pending.get(serverId) !== at) continue; // superseded by a sooner time
      this.#pending.delete(serverId);
      yield serverId;
    }
  }

  forget(serverId: string): void {
    this.#pending.delete(serverId);
  }

  get size(): number {
    return this.#pending.size;
  }

  #push(entry: { at: number; serverId: string }): void {
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.at <= entry.at) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  #pop(): { at: number; serverId: string } {
    const heap = this.#heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && heap[right]!.at < heap[left]!.at ? right : left;
        if (heap[child]!.at >= last.at) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}
