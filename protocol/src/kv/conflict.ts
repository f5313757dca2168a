/**
 * The one test for "a KV compare-and-set lost": JetStream refused a write whose expected last
 * revision was no longer the key's (a `create` on a key that exists, an `update` at a stale
 * revision). Every component asks this instead of matching the error's class or message.
 */
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';

/**
 * True when `error` is JetStream saying the key changed since the revision the write expected
 * (err_code 10071 "wrong last sequence", or 10164 from newer servers for an unknown one): the
 * caller lost a race and should read the key again. Any other failure (no leader, timeout,
 * a full stream) is false.
 *
 * @example
 * try { await kv.update(key, value, revision); } catch (e) { if (!isKvConflict(e)) throw e; }
 */
export function isKvConflict(error: unknown): boolean {
  return (
    error instanceof JetStreamApiError &&
    (error.code === JetStreamApiCodes.StreamWrongLastSequence ||
      error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}
