/**
 * @playgap/protocol/kv — opens an app's NATS KV buckets with the config every component agrees
 * on (KV_DEFAULTS: bucket-level max age only, so nats-server 2.9 works), so whichever component
 * comes first creates them identically. Node only (it needs the NATS client).
 */
import { type KV, Kvm } from '@nats-io/kv';
import { buckets, KV_DEFAULTS } from '../names.js';

/** Which of an app's buckets: see `buckets(app)`. */
export type BucketKind = 'servers' | 'seats' | 'deployments';

const MAX_AGE_MS: Record<BucketKind, number> = {
  servers: KV_DEFAULTS.serversMaxAgeMs,
  seats: KV_DEFAULTS.seatsMaxAgeMs,
  deployments: KV_DEFAULTS.deploymentsMaxAgeMs,
};

async function openOrCreate(kvm: Kvm, name: string, maxAgeMs: number): Promise<KV> {
  try {
    return await kvm.create(name, {
      ttl: maxAgeMs,
      history: KV_DEFAULTS.history,
      replicas: KV_DEFAULTS.replicas,
    });
  } catch (error) {
    // Created by another component (or a test) with another config: use it as it is.
    try {
      return await kvm.open(name);
    } catch {
      throw error;
    }
  }
}

/**
 * Open (creating when missing) the named buckets of `app`. Ask only for what your NATS user
 * may touch: a game server's sidecar opens `servers` and `seats`, a matchmaker all three.
 *
 * @example
 * const { servers, seats } = await openAppBuckets(nc, 'arena', ['servers', 'seats']);
 */
export async function openAppBuckets<K extends BucketKind>(
  nc: ConstructorParameters<typeof Kvm>[0],
  app: string,
  kinds: readonly K[],
): Promise<Record<K, KV>> {
  const names = buckets(app);
  const kvm = new Kvm(nc);
  const opened = await Promise.all(
    kinds.map((kind) => openOrCreate(kvm, names[kind], MAX_AGE_MS[kind])),
  );
  return Object.fromEntries(kinds.map((kind, i) => [kind, opened[i]])) as Record<K, KV>;
}
