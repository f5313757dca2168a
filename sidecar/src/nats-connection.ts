/**
 * The sidecar's one NATS connection: options from the design.md env (URL/host, user/password,
 * creds file, nkey seed file, CA path or PEM contents, insecure), reconnecting forever.
 */
import { readFileSync } from 'node:fs';
import {
  connect,
  credsAuthenticator,
  type NatsConnection,
  type NodeConnectionOptions,
  nkeyAuthenticator,
} from '@nats-io/transport-node';
import type { NatsSettings } from './config.js';
import { ConfigError } from './errors.js';

/**
 * Connection options for `settings` (reads creds/nkey files; throws ConfigError naming the var).
 *
 * @example
 * const options = natsConnectionOptions({ servers: 'nats://127.0.0.1:4222', insecure: false });
 */
export function natsConnectionOptions(
  settings: NatsSettings,
  name = 'playgap-sidecar',
): NodeConnectionOptions {
  const options: NodeConnectionOptions = {
    servers: settings.servers.split(',').map((s) => s.trim()),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    reconnectJitter: 250,
    waitOnFirstConnect: true,
    pingInterval: 10_000,
  };
  if (settings.user) {
    options.user = settings.user;
    options.pass = settings.password;
  }
  if (settings.credsFile)
    options.authenticator = credsAuthenticator(readVarFile('NATS_CREDS', settings.credsFile));
  else if (settings.nkeySeedFile) {
    const seed = new TextEncoder().encode(
      new TextDecoder().decode(readVarFile('NATS_NKEY', settings.nkeySeedFile)).trim(),
    );
    options.authenticator = nkeyAuthenticator(seed);
  }
  if (settings.caFile || settings.caContents || settings.insecure) {
    options.tls = {
      ...(settings.caFile ? { caFile: settings.caFile } : {}),
      ...(settings.caContents ? { ca: settings.caContents.replace(/\\n/g, '\n') } : {}),
      ...(settings.insecure ? { rejectUnauthorized: false } : {}),
    };
  }
  return options;
}

function readVarFile(variable: string, path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new ConfigError(variable, `names a file that cannot be read (${path})`, { cause });
  }
}

/**
 * Connect (waits for the first connection, then reconnects forever).
 *
 * @example
 * const nc = await connectNats({ servers: nats.url, insecure: false });
 */
export function connectNats(settings: NatsSettings): Promise<NatsConnection> {
  return connect(natsConnectionOptions(settings));
}
