/**
 * @playgap/protocol/kv — an app's NATS KV buckets: opened (created when missing) with the config
 * every component agrees on, the replica setting, and what to retry while a NATS cluster elects
 * a new leader. Node only (it needs the NATS client).
 */
export {
  type BucketKind,
  KvReplicasError,
  type OpenBucketsOptions,
  openAppBuckets,
} from './buckets.js';
export { isKvConflict } from './conflict.js';
export { KvWriter, type KvWriterOptions } from './kv-writer.js';
export { KV_REPLICAS_SETTING, kvReplicasFromEnv, MAX_KV_REPLICAS } from './replicas.js';
export {
  isKvUnavailable,
  KV_RETRY_DEFAULTS,
  type KvRetryOptions,
  retryWhileUnavailable,
} from './unavailable.js';
