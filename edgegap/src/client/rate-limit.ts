/**
 * Client-side rate limiter: a sliding one-second window per call class, so no more than
 * `perSecond` requests of a class start within any 1000 ms (Edgegap's documented limits:
 * deploy 40/s, status 20/s, list 10/s). Time and sleeping are injected for tests.
 */

/**
 * Time source and sleep used by the limiter and the retry backoff (inject a fake in tests).
 * @example new EdgegapClient({ clock: { now: () => t, sleep: async (ms) => { t += ms; } } });
 */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Real time: Date.now and a setTimeout sleep that rejects when `signal` aborts. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

const WINDOW_MS = 1000;
/**
 * Extra room on the window, ms: a request granted now reaches Edgegap a little later (the
 * sending itself takes time), so keep a small safety gap instead of hitting the limit exactly.
 */
const SAFETY_MS = 25;

/**
 * At most `perSecond` requests in any sliding window of one second. `acquire()` waits for a
 * slot and resolves with `sent`, to call right when the request goes out: the slot's time is
 * then the real send time, not the (possibly earlier) grant time.
 */
export class SlidingWindowLimiter {
  private slots: { at: number }[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly perSecond: number,
    private readonly clock: Clock,
  ) {}

  /** Resolves with a `sent()` marker when one more request may start; served in order. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    const turn = this.queue.then(() => this.waitForSlot(signal));
    // A failed (aborted) waiter must not block the ones behind it.
    this.queue = turn.catch(() => {});
    return turn;
  }

  private async waitForSlot(signal?: AbortSignal): Promise<() => void> {
    const window = WINDOW_MS + SAFETY_MS;
    for (;;) {
      signal?.throwIfAborted();
      const now = this.clock.now();
      this.slots = this.slots.filter((s) => s.at > now - window);
      if (this.slots.length < this.perSecond) {
        const slot = { at: now };
        this.slots.push(slot);
        return () => {
          slot.at = Math.max(slot.at, this.clock.now());
        };
      }
      const oldest = Math.min(...this.slots.map((s) => s.at));
      await this.clock.sleep(oldest + window - now + 1, signal);
    }
  }
}
