/**
 * One NATS connection for the live-state commands, from the same env every playgap component
 * reads: NATS_URL (or NATS_HOST), NATS_USER/NATS_PASSWORD or NATS_CREDS, NATS_CA (path) or
 * NATS_CA_CONTENTS (PEM), NATS_INSECURE. A CLI does not reconnect: it fails fast with a code.
 */
import { readFile } from 'node:fs/promises';
import {
  type ConnectionOptions,
  connect,
  credsAuthenticator,
  type NatsConnection,
} from '@nats-io/transport-node';
import { ErrorCode } from '@playgap/protocol';
import { CliError, ExitCode, usageError } from './errors.js';

/** How long to wait for the server before giving up (ms). */
export const NATS_CONNECT_TIMEOUT_MS = 5_000;

/**
 * Connection options from env; a bad value fails naming its variable.
 *
 * @example
 * const nc = await connect(await natsOptionsFromEnv(process.env));
 */
export async function natsOptionsFromEnv(env: NodeJS.ProcessEnv): Promise<ConnectionOptions> {
  const server = env.NATS_URL || env.NATS_HOST || '127.0.0.1:4222';
  const options: ConnectionOptions = {
    servers: server,
    timeout: NATS_CONNECT_TIMEOUT_MS,
    maxReconnectAttempts: 0,
    name: 'playgap-cli',
  };
  if (env.NATS_USER) options.user = env.NATS_USER;
  if (env.NATS_PASSWORD) options.pass = env.NATS_PASSWORD;
  if (env.NATS_CREDS) {
    options.authenticator = credsAuthenticator(await readEnvFile(env, 'NATS_CREDS'));
  }
  const insecure = env.NATS_INSECURE === 'true' || env.NATS_INSECURE === '1';
  let ca: string | undefined = env.NATS_CA_CONTENTS || undefined;
  if (!ca && env.NATS_CA) ca = (await readEnvFile(env, 'NATS_CA')).toString('utf8');
  if (ca || insecure || server.startsWith('tls://')) {
    options.tls = {
      ...(ca ? { ca } : {}),
      ...(insecure ? { rejectUnauthorized: false } : {}),
    } as ConnectionOptions['tls'];
  }
  return options;
}

async function readEnvFile(env: NodeJS.ProcessEnv, name: string): Promise<Uint8Array & Buffer> {
  try {
    return await readFile(env[name] as string);
  } catch (error) {
    throw usageError(`${name} names a file that cannot be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Connect, or throw NATS_UNAVAILABLE (exit 1) naming the server, never the password.
 *
 * @example
 * const nc = await connectNats(process.env);
 * try { ... } finally { await nc.close(); }
 */
export async function connectNats(env: NodeJS.ProcessEnv): Promise<NatsConnection> {
  const options = await natsOptionsFromEnv(env);
  try {
    return await connect(options);
  } catch (error) {
    throw new CliError(
      ErrorCode.NATS_UNAVAILABLE,
      `Cannot connect to NATS at ${String(options.servers)}: ${(error as Error).message}. Check NATS_URL, NATS_USER/NATS_PASSWORD and the CA.`,
      ExitCode.FAILED,
      { cause: error },
    );
  }
}
