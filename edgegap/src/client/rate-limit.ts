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

/** At most `perSecond` acquisitions in any sliding window of one second. */
export class SlidingWindowLimiter {
  private readonly starts: number[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly perSecond: number,
    private readonly clock: Clock,
  ) {}

  /** Resolves when one more request may start; calls are served in order. */
  acquire(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.waitForSlot(signal));
    // A failed (aborted) waiter must not block the ones behind it.
    this.queue = turn.catch(() => {});
    return turn;
  }

  private async waitForSlot(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.clock.now();
      while (this.starts.length > 0 && this.starts[0]! <= now - WINDOW_MS) this.starts.shift();
      if (this.starts.length < this.perSecond) {
        this.starts.push(now);
        return;
      }
      await this.clock.sleep(this.starts[0]! + WINDOW_MS - now + 1, signal);
    }
  }
}
