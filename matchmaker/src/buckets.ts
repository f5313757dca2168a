/** The matchmaker's view of an app's KV buckets (all three; see @playgap/protocol/kv). */
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { type OpenBucketsOptions, openAppBuckets as openBuckets } from '@playgap/protocol/kv';

export interface AppBuckets {
  servers: KV;
  seats: KV;
  deployments: KV;
}

/**
 * Open the servers, seats and deployments buckets of `app`, creating missing ones with
 * `options.replicas` copies.
 *
 * @example
 * const kv = await openAppBuckets(nc, 'arena', { replicas: config.kvReplicas });
 */
export function openAppBuckets(
  nc: NatsConnection,
  app: string,
  options: OpenBucketsOptions = {},
): Promise<AppBuckets> {
  return openBuckets(nc, app, ['servers', 'seats', 'deployments'], options);
}
