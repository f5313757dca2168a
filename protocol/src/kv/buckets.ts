/**
 * Opens an app's NATS KV buckets with the config every component agrees on (KV_DEFAULTS:
 * bucket-level max age only, so nats-server 2.9 works), so whichever component comes first
 * creates them identically, with the replica count of PLAYGAP_KV_REPLICAS.
 */
import { type KV, Kvm } from '@nats-io/kv';
import { buckets, KV_DEFAULTS } from '../names.js';
import { NatsConfigError } from '../nats/settings.js';
import { retryWhileUnavailable } from './unavailable.js';

/** Which of an app's buckets: see `buckets(app)`. */
export type BucketKind = 'servers' | 'seats' | 'deployments' | 'tickets' | 'backfills' | 'parties';

const MAX_AGE_MS: Record<BucketKind, number> = {
  servers: KV_DEFAULTS.serversMaxAgeMs,
  seats: KV_DEFAULTS.seatsMaxAgeMs,
  deployments: KV_DEFAULTS.deploymentsMaxAgeMs,
  tickets: KV_DEFAULTS.ticketsMaxAgeMs,
  backfills: KV_DEFAULTS.backfillsMaxAgeMs,
  parties: KV_DEFAULTS.partiesMaxAgeMs,
};

/** How `openAppBuckets` creates missing buckets. */
export interface OpenBucketsOptions {
  /** Copies JetStream keeps of each bucket it creates (PLAYGAP_KV_REPLICAS); default 1. */
  replicas?: number;
  /**
   * Called when a bucket exists with another replica count (it is used as it is); raise it with
   * `nats stream edit KV_<bucket> --replicas N` (docs/multi-region.md).
   */
  onReplicaMismatch?: (bucket: string, replicas: number, configured: number) => void;
}

/**
 * NATS refused to create a bucket with the configured replica count: a single server takes 1,
 * a cluster at most its number of JetStream nodes. A config error (exit 2), not an outage.
 *
 * @example
 * throw new KvReplicasError('playgap_arena_seats', 3, 'replicas > 1 not supported in non-clustered mode');
 */
export class KvReplicasError extends NatsConfigError {
  constructor(bucket: string, replicas: number, serverSays: string, options?: ErrorOptions) {
    super(
      'PLAYGAP_KV_REPLICAS',
      `is ${replicas}, but NATS cannot keep bucket ${bucket} on ${replicas} servers ` +
        `(${serverSays}); use 1 for a single nats-server, at most the JetStream node count of a cluster`,
      options,
    );
    this.name = 'KvReplicasError';
  }
}

/** JetStream's answers to a replica count it cannot place (standalone server, too few peers). */
const REPLICAS_REFUSED = /non-clustered|insufficient resources|no suitable peers|replicas/i;

async function openOrCreate(
  kvm: Kvm,
  name: string,
  maxAgeMs: number,
  options: OpenBucketsOptions,
): Promise<KV> {
  const replicas = options.replicas ?? KV_DEFAULTS.replicas;
  let bucket: KV;
  try {
    // Opens the bucket as it is when it exists (another component, or a test, made it).
    bucket = await kvm.create(name, { ttl: maxAgeMs, history: KV_DEFAULTS.history, replicas });
  } catch (error) {
    // Exists with a config this server refuses to create (e.g. replicas on a single server).
    try {
      bucket = await kvm.open(name);
      await bucket.status(); // open alone does not check that it exists
    } catch {
      const message = (error as Error).message;
      if (replicas > 1 && REPLICAS_REFUSED.test(message)) {
        throw new KvReplicasError(name, replicas, message, { cause: error });
      }
      throw error;
    }
  }
  if (options.onReplicaMismatch) {
    const kept = (await bucket.status()).replicas;
    if (kept !== replicas) options.onReplicaMismatch(name, kept, replicas);
  }
  return bucket;
}

/**
 * Open (creating when missing) the named buckets of `app`. Ask only for what your NATS user
 * may touch: a game server's sidecar opens `servers` and `seats`, a matchmaker all three. While
 * a cluster elects a JetStream leader the calls are retried (see `retryWhileUnavailable`). A
 * bucket that exists is used as it is, whatever its replica count.
 *
 * @example
 * const { servers, seats } = await openAppBuckets(nc, 'arena', ['servers', 'seats'], { replicas: 3 });
 */
export async function openAppBuckets<K extends BucketKind>(
  nc: ConstructorParameters<typeof Kvm>[0],
  app: string,
  kinds: readonly K[],
  options: OpenBucketsOptions = {},
): Promise<Record<K, KV>> {
  const names = buckets(app);
  const kvm = new Kvm(nc);
  const opened = await Promise.all(
    kinds.map((kind) =>
      retryWhileUnavailable(() => openOrCreate(kvm, names[kind], MAX_AGE_MS[kind], options)),
    ),
  );
  return Object.fromEntries(kinds.map((kind, i) => [kind, opened[i]])) as Record<K, KV>;
}
