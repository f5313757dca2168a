/**
 * The servers that have free seats, filed by version and by how many seats are free, so a
 * placement reads the fullest few servers without scanning the fleet: the cost of finding a
 * seat stays the same at 10 servers and at 10,000. The fleet cache files a server again
 * whenever its record or one of its seats changes, and when a reservation on it expires
 * (`ExpiryQueue`).
 */

/**
 * Servers by version and free-seat count; fullest (fewest free seats) first, then in the order
 * they were filed.
 *
 * @example
 * const index = new FreeSeatIndex();
 * index.file('srv-1', '1.0.0', 3);
 * [...index.fullestFirst('1.0.0')]; // ['srv-1']
 */
export class FreeSeatIndex {
  /** Per version: slot `n` holds the servers with exactly `n` free seats. */
  readonly #byVersion = new Map<string, Array<Set<string> | undefined>>();
  readonly #filed = new Map<string, { version: string; free: number }>();

  /** File `serverId` under `version` with `free` seats; `free <= 0` takes it out. */
  file(serverId: string, version: string, free: number): void {
    const current = this.#filed.get(serverId);
    if (current && current.version === version && current.free === free) return;
    if (current) this.#bucket(current.version, current.free)?.delete(serverId);
    if (free <= 0) {
      this.#filed.delete(serverId);
      return;
    }
    this.#filed.set(serverId, { version, free });
    let slots = this.#byVersion.get(version);
    if (!slots) {
      slots = [];
      this.#byVersion.set(version, slots);
    }
    let bucket = slots[free];
    if (!bucket) {
      bucket = new Set();
      slots[free] = bucket;
    }
    bucket.add(serverId);
  }

  /** Take `serverId` out (gone, not ready, full). */
  remove(serverId: string): void {
    const current = this.#filed.get(serverId);
    if (!current) return;
    this.#bucket(current.version, current.free)?.delete(serverId);
    this.#filed.delete(serverId);
  }

  #bucket(version: string, free: number): Set<string> | undefined {
    return this.#byVersion.get(version)?.[free];
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
      const bucket = slots[free];
      if (bucket && bucket.size > 0) yield* bucket;
    }
  }
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
