/**
 * Which failures are retried and how long to wait: 429, 502, 503, 504 and network errors,
 * for idempotent calls only, with exponential backoff and full jitter (capped), honouring a
 * `Retry-After` header in seconds when Edgegap sends one.
 */

/** HTTP statuses worth another try: Edgegap (or a proxy in front of it) was briefly unable. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  random: () => number;
}

/** Delay before retry number `attempt` (1-based). */
export function backoffDelayMs(
  attempt: number,
  retryAfterHeader: string | null,
  options: BackoffOptions,
): number {
  const retryAfterS = retryAfterHeader === null ? Number.NaN : Number(retryAfterHeader);
  if (Number.isFinite(retryAfterS) && retryAfterS >= 0) {
    return Math.min(retryAfterS * 1000, options.maxDelayMs);
  }
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(options.random() * ceiling);
}
