/**
 * Opens (creating when missing) the app's three KV buckets with the timing every component
 * agrees on (protocol KV_DEFAULTS), so whoever comes first creates them identically.
 */
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { buckets, KV_DEFAULTS } from '@playgap/protocol';

export interface AppBuckets {
  servers: KV;
  seats: KV;
  deployments: KV;
}

async function openOrCreate(kvm: Kvm, name: string, ttlMs: number): Promise<KV> {
  try {
    return await kvm.create(name, {
      ttl: ttlMs,
      history: KV_DEFAULTS.history,
      replicas: KV_DEFAULTS.replicas,
    });
  } catch (error) {
    // Created by another component with a slightly different config: use it as it is.
    try {
      return await kvm.open(name);
    } catch {
      throw error;
    }
  }
}

/**
 * Open the servers, seats and deployments buckets of `app`.
 *
 * @example
 * const kv = await openAppBuckets(nc, 'arena');
 */
export async function openAppBuckets(nc: NatsConnection, app: string): Promise<AppBuckets> {
  const names = buckets(app);
  const kvm = new Kvm(nc);
  const [servers, seats, deployments] = await Promise.all([
    openOrCreate(kvm, names.servers, KV_DEFAULTS.serversMaxAgeMs),
    openOrCreate(kvm, names.seats, KV_DEFAULTS.seatsMaxAgeMs),
    openOrCreate(kvm, names.deployments, KV_DEFAULTS.deploymentsMaxAgeMs),
  ]);
  return { servers, seats, deployments };
}
