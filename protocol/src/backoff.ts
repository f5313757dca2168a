/**
 * The one retry backoff of playgap: exponential, capped, with jitter, so many processes that
 * lost the same thing at once (a NATS node, Edgegap's rate limit, a sidecar that is starting)
 * do not all come back in the same millisecond. Pure: no timers, no clock; callers sleep on
 * their own (injected) clock. Browser-safe.
 */

/**
 * How a backoff grows. Retry number `attempt` (1-based) waits up to its ceiling,
 * `min(maxDelayMs, initialDelayMs * factor ** (attempt - 1))`, less a random share `jitter`
 * of it.
 */
export interface BackoffOptions {
  /** Ceiling of the first delay, in ms (> 0). */
  initialDelayMs: number;
  /** Largest ceiling, in ms (>= initialDelayMs). */
  maxDelayMs: number;
  /** Growth of the ceiling per attempt (>= 1); default {@link BACKOFF_DEFAULTS}.factor. */
  factor?: number;
  /**
   * Share of each delay drawn at random, from 0 (no jitter: always the ceiling) to 1 (full
   * jitter: anywhere in [0, ceiling)); default {@link BACKOFF_DEFAULTS}.jitter, so a delay is
   * never less than half its ceiling.
   */
  jitter?: number;
  /** Uniform source in [0, 1); default Math.random (tests pass a fixed one). */
  random?: () => number;
}

/** Named defaults of {@link BackoffOptions}. */
export const BACKOFF_DEFAULTS = { factor: 2, jitter: 0.5 } as const;

/** Backoff options that cannot describe a backoff (a programming error, thrown at once). */
export class BackoffOptionsError extends RangeError {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`backoff ${option} ${message}`);
    this.name = 'BackoffOptionsError';
  }
}

function checkOptions(options: BackoffOptions): void {
  const { initialDelayMs, maxDelayMs } = options;
  const factor = options.factor ?? BACKOFF_DEFAULTS.factor;
  const jitter = options.jitter ?? BACKOFF_DEFAULTS.jitter;
  if (!Number.isFinite(initialDelayMs) || initialDelayMs <= 0) {
    throw new BackoffOptionsError(
      'initialDelayMs',
      `must be a finite number > 0, not ${initialDelayMs}`,
    );
  }
  if (!Number.isFinite(maxDelayMs) || maxDelayMs < initialDelayMs) {
    throw new BackoffOptionsError(
      'maxDelayMs',
      `must be finite and >= initialDelayMs, not ${maxDelayMs}`,
    );
  }
  if (!Number.isFinite(factor) || factor < 1) {
    throw new BackoffOptionsError('factor', `must be a finite number >= 1, not ${factor}`);
  }
  if (!(jitter >= 0 && jitter <= 1)) {
    throw new BackoffOptionsError('jitter', `must be from 0 to 1, not ${jitter}`);
  }
}

/**
 * The ceiling of retry number `attempt` (1-based): what it waits with no jitter.
 *
 * @example
 * backoffCeilingMs(3, { initialDelayMs: 250, maxDelayMs: 4_000 }); // 1000
 */
export function backoffCeilingMs(attempt: number, options: BackoffOptions): number {
  checkOptions(options);
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new BackoffOptionsError('attempt', `must be an integer >= 1, not ${attempt}`);
  }
  const factor = options.factor ?? BACKOFF_DEFAULTS.factor;
  // Capped before it can overflow: a long outage reaches attempt numbers in the thousands.
  const exponent = Math.min(attempt - 1, 1_100);
  return Math.min(options.maxDelayMs, options.initialDelayMs * factor ** exponent);
}

/**
 * The delay before retry number `attempt` (1-based), in whole ms: its ceiling less a random
 * share `jitter` of it, so it lies in [ceiling * (1 - jitter), ceiling].
 *
 * @example
 * await sleepOn(clock, backoffDelayMs(attempt, { initialDelayMs: 250, maxDelayMs: 5_000 }));
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions): number {
  const ceiling = backoffCeilingMs(attempt, options);
  const jitter = options.jitter ?? BACKOFF_DEFAULTS.jitter;
  const random = (options.random ?? Math.random)();
  return Math.floor(ceiling * (1 - jitter) + ceiling * jitter * random);
}

/**
 * A retry loop's backoff state: `next()` gives the next delay, `reset()` starts over after a
 * success (a connection that came back and was lost again starts from the first delay).
 *
 * @example
 * const backoff = new Backoff({ initialDelayMs: 250, maxDelayMs: 5_000 });
 * for (;;) {
 *   try { return await attempt(); } catch { await sleepOn(clock, backoff.next()); }
 * }
 */
export class Backoff {
  readonly #options: BackoffOptions;
  #attempt = 0;

  constructor(options: BackoffOptions) {
    checkOptions(options);
    this.#options = { ...options };
  }

  /** Retries taken since the start or the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** The delay before the next retry (and count it). */
  next(): number {
    this.#attempt++;
    return backoffDelayMs(this.#attempt, this.#options);
  }

  /** Start again from the first delay. */
  reset(): void {
    this.#attempt = 0;
  }
}
