/** The KV buckets the sidecar writes (see @playgap/protocol/kv); never `deployments` or `tickets`. */
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { type OpenBucketsOptions, openAppBuckets } from '@playgap/protocol/kv';

/**
 * The `servers`, `seats` and `backfills` buckets of `app`, created with `options.replicas` when
 * missing.
 *
 * @example
 * const { servers, seats, backfills } = await openSidecarBuckets(nc, 'arena', { replicas: 3 });
 */
export function openSidecarBuckets(
  nc: NatsConnection,
  app: string,
  options: OpenBucketsOptions = {},
): Promise<{ servers: KV; seats: KV; backfills: KV }> {
  return openAppBuckets(nc, app, ['servers', 'seats', 'backfills'], options);
}
