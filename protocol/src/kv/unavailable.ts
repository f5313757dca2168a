/**
 * Which KV failures mean "JetStream cannot answer right now" (a node died and its streams elect
 * a new leader, the connection is between servers) rather than "the store said no", and a
 * bounded retry over them. During an election a write finds no stream leader: the client reports
 * no responders (as JetStreamNotEnabled) or a timeout, for a few seconds.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { JetStreamApiError } from '@nats-io/jetstream';
import { errors } from '@nats-io/transport-node';
import { Backoff } from '../backoff.js';

/**
 * Named defaults of `retryWhileUnavailable`, in ms. An election takes ~5 s on nats-server 2.9
 * after a node is killed; 15 s leaves room for a loaded machine.
 */
export const KV_RETRY_DEFAULTS = {
  retryForMs: 15_000,
  firstDelayMs: 50,
  maxDelayMs: 1_000,
} as const;

/** JetStream's "system temporarily unavailable" (no meta leader, or no stream leader yet). */
const TEMPORARILY_UNAVAILABLE = 10_008;

/**
 * True for a failure that a later attempt may not hit: no stream leader (no responders), no
 * answer in time, or JetStream's own 503 "temporarily unavailable".
 *
 * @example
 * isKvUnavailable(new TimeoutError()); // true
 */
export function isKvUnavailable(error: unknown): boolean {
  if (error instanceof JetStreamApiError) {
    return error.code === TEMPORARILY_UNAVAILABLE || error.status === 503;
  }
  return (
    // A publish with no stream leader to answer it; the client exports no class for this one.
    (error instanceof Error && error.name === 'JetStreamNotEnabled') ||
    error instanceof errors.NoRespondersError ||
    error instanceof errors.TimeoutError
  );
}

/** How long and how `retryWhileUnavailable` retries. */
export interface KvRetryOptions {
  /** Give up this long after the first attempt (the last error is thrown). */
  retryForMs?: number;
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** Stop retrying once aborted (the last error is thrown). */
  signal?: AbortSignal;
  now?: () => number;
}

/**
 * Run `operation`, again with the shared jittered backoff while it fails with `isKvUnavailable`, for at most
 * `retryForMs`; any other error, or the last one, is thrown. `operation` gets the attempt
 * number: an attempt after a timeout may find its own earlier write landed.
 *
 * @example
 * const revision = await retryWhileUnavailable(() => kv.put(key, value));
 */
export async function retryWhileUnavailable<T>(
  operation: (attempt: number) => Promise<T>,
  options: KvRetryOptions = {},
): Promise<T> {
  const now = options.now ?? Date.now;
  const giveUpAt = now() + (options.retryForMs ?? KV_RETRY_DEFAULTS.retryForMs);
  // Made on the first failure only: nearly every call succeeds at once (a seat write per placement).
  let backoff: Backoff | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      const leftMs = giveUpAt - now();
      if (!isKvUnavailable(error) || leftMs <= 0 || options.signal?.aborted) throw error;
      backoff ??= new Backoff({
        initialDelayMs: options.firstDelayMs ?? KV_RETRY_DEFAULTS.firstDelayMs,
        maxDelayMs: options.maxDelayMs ?? KV_RETRY_DEFAULTS.maxDelayMs,
      });
      const waitMs = Math.min(backoff.next(), leftMs);
      await sleep(waitMs, undefined, { signal: options.signal }).catch(() => {});
      if (options.signal?.aborted) throw error;
    }
  }
}
