/** The two KV buckets the sidecar writes (see @playgap/protocol/kv); never `deployments`. */
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { type OpenBucketsOptions, openAppBuckets } from '@playgap/protocol/kv';

/**
 * The `servers` and `seats` buckets of `app`, created with `options.replicas` when missing.
 *
 * @example
 * const { servers, seats } = await openSidecarBuckets(nc, 'arena', { replicas: 3 });
 */
export function openSidecarBuckets(
  nc: NatsConnection,
  app: string,
  options: OpenBucketsOptions = {},
): Promise<{ servers: KV; seats: KV }> {
  return openAppBuckets(nc, app, ['servers', 'seats'], options);
}
