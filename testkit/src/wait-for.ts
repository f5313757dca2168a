/**
 * The one bounded poll of the test suites: check a condition until it holds or a deadline
 * passes, then fail naming what was awaited. Tests wait on state, never on a fixed sleep.
 */

export interface WaitForOptions {
  /** What is awaited, for the timeout message. Default `condition`. */
  what?: string;
  /** Give up after this long. Default 10 000 ms (bounds for a busy machine, not a speed). */
  timeoutMs?: number;
  /** Pause between checks. Default 20 ms. */
  intervalMs?: number;
  /**
   * Treat a throwing check as "not yet" and report its last error on timeout (a server that
   * is still starting). Default false: the error fails the wait at once.
   */
  retryErrors?: boolean;
  /** More to say on timeout (a process's output, say); called once, when the wait fails. */
  detail?: () => string;
}

/** What a check returns once it holds: its value, without the falsy ones. */
export type Truthy<T> = Exclude<T, false | 0 | 0n | '' | null | undefined>;

/** The wait ran out; `lastError` is the check's last error when `retryErrors` was on. */
export class WaitTimeoutError extends Error {
  constructor(
    message: string,
    readonly lastError?: unknown,
  ) {
    super(message, lastError === undefined ? undefined : { cause: lastError });
    this.name = 'WaitTimeoutError';
  }
}

/**
 * Poll `check` until it returns a truthy value, and return that value; throw
 * WaitTimeoutError after `timeoutMs`. The check may be async.
 *
 * @example
 * await waitFor(() => sidecar.disconnects.includes('42'), { what: 'disconnect report' });
 * const seat = await waitFor(async () => (await seats.get(key))?.json(), { timeoutMs: 5_000 });
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<Truthy<T>> {
  const { what = 'condition', timeoutMs = 10_000, intervalMs = 20, retryErrors = false } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as Truthy<T>;
    } catch (error) {
      if (!retryErrors) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) {
      const last = lastError === undefined ? '' : `: ${String(lastError)}`;
      const detail = options.detail ? `\n${options.detail()}` : '';
      throw new WaitTimeoutError(
        `timed out after ${timeoutMs} ms waiting for ${what}${last}${detail}`,
        lastError,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
