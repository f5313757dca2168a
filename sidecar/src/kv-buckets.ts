/** The two KV buckets the sidecar writes (see @playgap/protocol/kv); never `deployments`. */
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { openAppBuckets } from '@playgap/protocol/kv';

/**
 * The `servers` and `seats` buckets of `app`.
 *
 * @example
 * const { servers, seats } = await openSidecarBuckets(nc, 'arena');
 */
export function openSidecarBuckets(
  nc: NatsConnection,
  app: string,
): Promise<{ servers: KV; seats: KV }> {
  return openAppBuckets(nc, app, ['servers', 'seats']);
}
