/**
 * The one place the matchmaker connects to NATS: Bevygap's env (host/url, user, password, CA
 * path or PEM text, insecure) plus creds files; reconnects forever.
 */
import { readFileSync } from 'node:fs';
import {
  connect,
  credsAuthenticator,
  type NatsConnection,
  type NodeConnectionOptions,
} from '@nats-io/transport-node';
import type { NatsSettings } from './config.js';
import { ConfigError } from './errors.js';

/**
 * Connect with the given settings; `name` shows in NATS monitoring.
 *
 * @example
 * const nc = await connectNats({ servers: ['nats://127.0.0.1:4222'], insecure: false }, 'mm');
 */
export async function connectNats(settings: NatsSettings, name: string): Promise<NatsConnection> {
  const options: NodeConnectionOptions = {
    servers: settings.servers,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
    waitOnFirstConnect: false,
  };
  if (settings.user) options.user = settings.user;
  if (settings.password) options.pass = settings.password;
  if (settings.credsFile) {
    let creds: Uint8Array;
    try {
      creds = readFileSync(settings.credsFile);
    } catch (error) {
      throw new ConfigError('NATS_CREDS', `cannot be read (${(error as Error).message})`);
    }
    options.authenticator = credsAuthenticator(creds);
  }
  if (settings.caFile || settings.caContents) {
    options.tls = settings.caContents ? { ca: settings.caContents } : { caFile: settings.caFile };
  }
  if (settings.insecure) {
    // Bevygap's NATS_INSECURE: TLS without verifying the server certificate.
    options.tls = { ...(options.tls ?? {}) } as NodeConnectionOptions['tls'];
    (options.tls as Record<string, unknown>).rejectUnauthorized = false;
  }
  return connect(options);
}
