/**
 * The in-process half of "one deployment start per version at a time": calls for the same key
 * run one after another, calls for different keys side by side. The cross-replica half is the
 * starting slot (starting-slot.ts).
 */

/**
 * Serializes async work per key within this process; a failed call does not block the next.
 *
 * @example
 * const locks = new KeyedLock();
 * await locks.run('1.0.0', () => startOrJoin('1.0.0'));
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Run `fn` once every earlier call for `key` has settled; resolves to its result. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const settled = run.catch(() => {});
    this.#tails.set(key, settled);
    try {
      return await run;
    } finally {
      if (this.#tails.get(key) === settled) this.#tails.delete(key);
    }
  }

  /** Keys with a call running or queued (memory stays bounded: idle keys are dropped). */
  get size(): number {
    return this.#tails.size;
  }
}
