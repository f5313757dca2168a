/**
 * Which failures are retried and how long to wait: 429, 502, 503, 504 and network errors,
 * for idempotent calls only, with exponential backoff and full jitter (capped), honouring a
 * `Retry-After` header in seconds when Edgegap sends one.
 */

import { backoffDelayMs as sharedBackoffDelayMs } from '@playgap/protocol';

/** HTTP statuses worth another try: Edgegap (or a proxy in front of it) was briefly unable. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  random: () => number;
}

/**
 * Delay before retry number `attempt` (1-based): Edgegap's `Retry-After` when it sent one,
 * else the shared protocol backoff with full jitter. A zero base or max (allowed, for tests)
 * retries at once.
 */
export function backoffDelayMs(
  attempt: number,
  retryAfterHeader: string | null,
  options: BackoffOptions,
): number {
  const retryAfterS = retryAfterHeader === null ? Number.NaN : Number(retryAfterHeader);
  if (Number.isFinite(retryAfterS) && retryAfterS >= 0) {
    return Math.min(retryAfterS * 1000, options.maxDelayMs);
  }
  const initialDelayMs = Math.min(options.baseDelayMs, options.maxDelayMs);
  if (initialDelayMs <= 0) return 0;
  return sharedBackoffDelayMs(attempt, {
    initialDelayMs,
    maxDelayMs: options.maxDelayMs,
    jitter: 1,
    random: options.random,
  });
}
