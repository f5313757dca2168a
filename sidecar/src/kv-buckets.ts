/**
 * Opens (creating when missing) the two KV buckets the sidecar writes, with the timing every
 * component agrees on (protocol KV_DEFAULTS: bucket max age only, so nats-server 2.9 works).
 */
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { buckets, KV_DEFAULTS } from '@playgap/protocol';

async function openBucket(kvm: Kvm, name: string, ttlMs: number): Promise<KV> {
  try {
    return await kvm.create(name, {
      ttl: ttlMs,
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
 * The `servers` and `seats` buckets of `app`.
 *
 * @example
 * const { servers, seats } = await openSidecarBuckets(nc, 'arena');
 */
export async function openSidecarBuckets(
  nc: NatsConnection,
  app: string,
): Promise<{ servers: KV; seats: KV }> {
  const kvm = new Kvm(nc);
  const names = buckets(app);
  const [servers, seats] = await Promise.all([
    openBucket(kvm, names.servers, KV_DEFAULTS.serversMaxAgeMs),
    openBucket(kvm, names.seats, KV_DEFAULTS.seatsMaxAgeMs),
  ]);
  return { servers, seats };
}
