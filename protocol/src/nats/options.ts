/**
 * Turns NatsSettings into `@nats-io/transport-node` connection options: auth (creds file, nkey
 * seed file, user/password), TLS (CA contents or path, insecure) and reconnecting forever.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import {
  credsAuthenticator,
  type NodeConnectionOptions,
  nkeyAuthenticator,
} from '@nats-io/transport-node';
import { NATS_DEFAULTS, NatsConfigError, type NatsSettings } from './settings.js';

/**
 * Connection options for `settings`, named `name` in NATS monitoring. Reads the creds or nkey
 * file and checks the CA file now, so a missing one throws NatsConfigError naming NATS_CREDS,
 * NATS_NKEY or NATS_CA (the client would open the CA only in the TLS handshake and report it
 * as an unreachable server).
 *
 * @example
 * const nc = await connect(natsConnectionOptions(natsSettingsFromEnv(process.env), 'playgap-cli'));
 */
export function natsConnectionOptions(
  settings: Readonly<NatsSettings>,
  name: string,
): NodeConnectionOptions {
  const options: NodeConnectionOptions = {
    servers: [...settings.servers],
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: NATS_DEFAULTS.reconnectTimeWaitMs,
    reconnectJitter: NATS_DEFAULTS.reconnectJitterMs,
    pingInterval: NATS_DEFAULTS.pingIntervalMs,
    // nats-core otherwise builds two Error objects (stack traces included) ahead of every
    // request, in case it fails: ~2.5% of a placement's CPU. Our errors carry codes instead.
    noAsyncTraces: true,
  };
  if (settings.user) {
    options.user = settings.user;
    options.pass = settings.password;
  }
  if (settings.credsFile) {
    options.authenticator = credsAuthenticator(readVarFile('NATS_CREDS', settings.credsFile));
  } else if (settings.nkeySeedFile) {
    const seed = new TextDecoder().decode(readVarFile('NATS_NKEY', settings.nkeySeedFile)).trim();
    options.authenticator = nkeyAuthenticator(new TextEncoder().encode(seed));
  }
  // One CA only: the client would silently prefer the file over the contents if given both.
  const ca = settings.caContents?.replace(/\\n/g, '\n'); // Edgegap env values cannot hold newlines
  if (!ca && settings.caFile) {
    try {
      accessSync(settings.caFile, constants.R_OK);
    } catch (cause) {
      throw new NatsConfigError(
        'NATS_CA',
        `names a file that cannot be read (${settings.caFile})`,
        { cause },
      );
    }
  }
  // The client ignores the scheme: only `tls` options make it insist on TLS, so a tls:// URL
  // must set them or a plain server would get the password in the clear.
  const tlsUrl = settings.servers.some((server) => server.startsWith('tls://'));
  if (ca || settings.caFile || settings.insecure || tlsUrl) {
    options.tls = {
      ...(ca ? { ca } : settings.caFile ? { caFile: settings.caFile } : {}),
      ...(settings.insecure ? { rejectUnauthorized: false } : {}),
    };
  }
  return options;
}

function readVarFile(variable: string, path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new NatsConfigError(variable, `names a file that cannot be read (${path})`, { cause });
  }
}
