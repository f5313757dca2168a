/**
 * The sidecar's names for the shared NATS connection of `@playgap/protocol/nats` (one env
 * contract with the matchmaker): the same functions, with the connection named
 * `playgap-sidecar` in NATS monitoring. Kept so the package's exports stay as they were.
 */
import type { NatsConnection, NodeConnectionOptions } from '@nats-io/transport-node';
import {
  type ConnectNatsOptions,
  connectNats as connectSharedNats,
  natsConnectionOptions as sharedNatsConnectionOptions,
} from '@playgap/protocol/nats';
import type { NatsSettings } from './config.js';

/** The name the sidecar's connection shows in NATS monitoring. */
const CONNECTION_NAME = 'playgap-sidecar';

/**
 * Connection options for `settings` (reads creds/nkey files; throws NatsConfigError naming the
 * variable).
 *
 * @example
 * const options = natsConnectionOptions({ servers: ['nats://127.0.0.1:4222'], insecure: false });
 */
export function natsConnectionOptions(
  settings: Readonly<NatsSettings>,
  name = CONNECTION_NAME,
): NodeConnectionOptions {
  return sharedNatsConnectionOptions(settings, name);
}

/**
 * Connect, retrying and logging until the first connection succeeds, then reconnecting
 * forever. Resolves undefined if `signal` aborts first.
 *
 * @example
 * const nc = await connectNats(config.nats, { log, signal: stopping.signal });
 */
export function connectNats(
  settings: Readonly<NatsSettings>,
  first: Omit<ConnectNatsOptions, 'name'>,
): Promise<NatsConnection | undefined> {
  return connectSharedNats(settings, { name: CONNECTION_NAME, ...first });
}
