/**
 * A component's one long-lived NATS connection. The client library reconnects forever once
 * connected but gives up on a failed first connect, so this retries that first connect with
 * backoff itself and logs every failed attempt (with passwords and tokens redacted), so a
 * server that came up before NATS, or with a wrong URL or password, says why it waits.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Backoff } from '../backoff.js';
import { natsConnectionOptions } from './options.js';
import { redactSecrets, redactUrl } from './redact.js';
import { NATS_DEFAULTS, type NatsSettings } from './settings.js';

/** How connectNats names the connection, reports and paces its first attempts. */
export interface ConnectNatsOptions {
  /** Shows in NATS monitoring, e.g. `playgap-sidecar`. */
  name: string;
  /** Called once per failed first attempt: `NATS not reachable; retrying` with the fields. */
  log: (message: string, fields: Record<string, unknown>) => void;
  /** Give up (resolve undefined) once aborted, e.g. the process is stopping; also ends a wait. */
  signal?: AbortSignal;
  /** Wait after the first failed attempt; doubles each time up to retryMaxMs (with jitter). */
  retryMs?: number;
  retryMaxMs?: number;
}

/**
 * Connect, retrying until the first connection succeeds (each failed attempt is logged with
 * the attempt, the redacted servers, the reason and the wait), then reconnecting forever.
 * Resolves undefined if `signal` aborts first. A creds or nkey file that cannot be read
 * rejects at once with NatsConfigError (retrying would not help).
 *
 * @example
 * const stopping = new AbortController();
 * const nc = await connectNats(settings, { name: 'playgap-sidecar', log, signal: stopping.signal });
 */
export function connectNats(
  settings: Readonly<NatsSettings>,
  options: ConnectNatsOptions & { signal?: undefined },
): Promise<NatsConnection>;
export function connectNats(
  settings: Readonly<NatsSettings>,
  options: ConnectNatsOptions,
): Promise<NatsConnection | undefined>;
export async function connectNats(
  settings: Readonly<NatsSettings>,
  options: ConnectNatsOptions,
): Promise<NatsConnection | undefined> {
  const connectionOptions = natsConnectionOptions(settings, options.name);
  const servers = settings.servers.map(redactUrl).join(',');
  const signal = options.signal;
  const backoff = new Backoff({
    initialDelayMs: options.retryMs ?? NATS_DEFAULTS.firstRetryMs,
    maxDelayMs: options.retryMaxMs ?? NATS_DEFAULTS.firstRetryMaxMs,
  });
  for (let attempt = 1; !signal?.aborted; attempt++) {
    try {
      const nc = await connect(connectionOptions);
      if (!signal?.aborted) return nc;
      await nc.close().catch(() => {});
      break;
    } catch (error) {
      if (signal?.aborted) break;
      const retryInMs = backoff.next();
      options.log('NATS not reachable; retrying', {
        attempt,
        servers,
        error: redactSecrets((error as Error).message, settings),
        retryInMs,
      });
      await sleep(retryInMs, undefined, { signal }).catch(() => {}); // an abort ends the wait
    }
  }
  return undefined;
}
