/**
 * Per-IP admission for the front: a fixed-window request rate limit and a cap on concurrent
 * placements, both with an injected clock. Memory is bounded: idle IPs are forgotten.
 */
import { ErrorCode } from '@playgap/protocol';
import { PlacementError } from '../errors.js';

export interface RequestLimitsOptions {
  perWindow: number;
  windowMs: number;
  maxConcurrent: number;
  now?: () => number;
}

/**
 * @example
 * const limits = new RequestLimits({ perWindow: 30, windowMs: 10_000, maxConcurrent: 4 });
 * const release = limits.admit('203.0.113.7'); // throws RATE_LIMITED / TOO_MANY_CONCURRENT
 * release();
 */
export class RequestLimits {
  readonly #o: RequestLimitsOptions;
  readonly #now: () => number;
  readonly #windows = new Map<string, { start: number; count: number }>();
  readonly #active = new Map<string, number>();

  constructor(options: RequestLimitsOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** Admit one request from `ip` or throw; call the returned function when it finishes. */
  admit(ip: string): () => void {
    const window = this.#window(ip);
    const active = this.#active.get(ip) ?? 0;
    if (active >= this.#o.maxConcurrent) {
      throw new PlacementError(
        ErrorCode.TOO_MANY_CONCURRENT,
        `At most ${this.#o.maxConcurrent} placements at once from one address.`,
      );
    }
    window.count++;
    this.#active.set(ip, active + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#active.get(ip) ?? 1) - 1;
      if (left <= 0) this.#active.delete(ip);
      else this.#active.set(ip, left);
    };
  }

  /**
   * Count one more request of a connection that already holds its slot (a kept play socket's
   * next request) against the rate window; throws RATE_LIMITED past it.
   */
  charge(ip: string): void {
    this.#window(ip).count++;
  }

  /** The current window of `ip`, or RATE_LIMITED when it is used up. */
  #window(ip: string): { start: number; count: number } {
    const now = this.#now();
    let window = this.#windows.get(ip);
    if (!window || now - window.start >= this.#o.windowMs) {
      if (this.#windows.size > 100_000) this.#sweep(now);
      window = { start: now, count: 0 };
      this.#windows.set(ip, window);
    }
    if (window.count >= this.#o.perWindow) {
      const waitS = Math.ceil((window.start + this.#o.windowMs - now) / 1000);
      throw new PlacementError(
        ErrorCode.RATE_LIMITED,
        `Too many requests from your address; try again in ${waitS} s.`,
      );
    }
    return window;
  }

  #sweep(now: number): void {
    for (const [ip, window] of this.#windows) {
      if (now - window.start >= this.#o.windowMs) this.#windows.delete(ip);
    }
  }
}
