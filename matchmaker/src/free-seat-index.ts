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
   * The lane a spread walk reads first (then the next ones, wrapping). Replicas given different
   * first lanes start filling different servers among equally full ones instead of all taking
   * the same next empty server and racing for its seats.
   */
  firstLane?: number;
}

/** The servers with one number of free seats, in filing order and by lane. */
interface Slot {
  all: Set<string>;
  /** Only with more than one lane. */
  lanes: Array<Set<string>> | undefined;
  size: number;
  /** Its free count is in the version's `counts`. */
  listed: boolean;
}

/** One version's servers: slot `n` holds those with exactly `n` free seats. */
interface VersionSlots {
  slots: Array<Slot | undefined>;
  /** Free counts that have (or just had) servers, ascending: the walk reads only these. */
  counts: number[];
  /** Free counts whose slot emptied since the last walk (taken out of `counts` then). */
  emptied: number[];
}

/**
 * Servers by version and free-seat count; fullest (fewest free seats) first, then in the order
 * they were filed, or (a spread walk) lane by lane from the first lane, each lane in filing
 * order. A walk reads only the free counts some server has, so 1,000-seat servers cost no more
 * than 16-seat ones.
 *
 * @example
 * const index = new FreeSeatIndex();
 * index.file('srv-1', '1.0.0', 3);
 * [...index.fullestFirst('1.0.0')]; // ['srv-1']
 */
export class FreeSeatIndex {
  readonly #byVersion = new Map<string, VersionSlots>();
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
    if (current) this.#unfile(serverId, current);
    if (free <= 0) {
      this.#filed.delete(serverId);
      return;
    }
    const lane = current?.lane ?? laneOf(serverId, this.#lanes);
    this.#filed.set(serverId, { version, free, lane });
    let v = this.#byVersion.get(version);
    if (!v) {
      v = { slots: [], counts: [], emptied: [] };
      this.#byVersion.set(version, v);
    }
    let slot = v.slots[free];
    if (!slot) {
      slot = {
        all: new Set(),
        lanes:
          this.#lanes > 1
            ? Array.from({ length: this.#lanes }, () => new Set<string>())
            : undefined,
        size: 0,
        listed: false,
      };
      v.slots[free] = slot;
    }
    if (!slot.listed) {
      v.counts.splice(insertionPoint(v.counts, free), 0, free);
      slot.listed = true;
    }
    slot.all.add(serverId);
    if (slot.lanes) slot.lanes[lane]!.add(serverId);
    slot.size++;
  }

  /** Take `serverId` out (gone, not ready, full). */
  remove(serverId: string): void {
    const current = this.#filed.get(serverId);
    if (!current) return;
    this.#unfile(serverId, current);
    this.#filed.delete(serverId);
  }

  #unfile(serverId: string, filed: { version: string; free: number; lane: number }): void {
    const v = this.#byVersion.get(filed.version);
    const slot = v?.slots[filed.free];
    if (!v || !slot?.all.delete(serverId)) return;
    if (slot.lanes) slot.lanes[filed.lane]!.delete(serverId);
    if (--slot.size === 0) v.emptied.push(filed.free);
  }

  /** Free seats `serverId` is filed with (0 when it is not filed). */
  free(serverId: string): number {
    return this.#filed.get(serverId)?.free ?? 0;
  }

  /**
   * Servers of `version` with free seats, fullest first; `spread`: equally full ones lane by
   * lane from the first lane instead of in filing order. The walk is live: `remove` during it
   * is safe, `file` is not (a re-filed server could come up twice).
   */
  *fullestFirst(version: string, spread = false): Generator<string> {
    const v = this.#byVersion.get(version);
    if (!v) return;
    // Drop the counts that emptied (and stayed empty) since the last walk; removes during this
    // walk only add to `emptied`, so `counts` holds still while it is read.
    for (const free of v.emptied) {
      const slot = v.slots[free];
      if (!slot || slot.size > 0 || !slot.listed) continue;
      slot.listed = false;
      const at = insertionPoint(v.counts, free);
      if (v.counts[at] === free) v.counts.splice(at, 1);
    }
    v.emptied.length = 0;
    const counts = v.counts;
    for (let k = 0; k < counts.length; k++) {
      const slot = v.slots[counts[k]!];
      if (!slot || slot.size === 0) continue;
      if (!spread || !slot.lanes) {
        yield* slot.all;
        continue;
      }
      for (let n = 0; n < this.#lanes; n++) {
        const lane = slot.lanes[(this.#firstLane + n) % this.#lanes]!;
        if (lane.size > 0) yield* lane;
      }
    }
  }
}

/** Where `value` is, or would go, in the ascending `sorted` (binary search). */
function insertionPoint(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid]! < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** FNV-1a of a string, unsigned 32-bit: the same on every replica. */
export function hashOf(id: string): number {
  let hash = 2166136261;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 16777619);
  return hash >>> 0;
}

/**
 * The lane of `id` among `lanes`.
 *
 * @example
 * new FreeSeatIndex({ lanes: 16, firstLane: laneOf(instanceId, 16) });
 */
export function laneOf(id: string, lanes: number): number {
  return lanes === 1 ? 0 : hashOf(id) % lanes;
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
