/**
 * The live-state commands' NATS connection. Env and client options come from the shared
 * `@playgap/protocol/nats` (the same variables every playgap component reads); what is the CLI's
 * own is failing fast: one connect attempt with a timeout, no retry, no reconnect, and coded
 * errors (a bad variable is a usage error naming it; an unreachable server is NATS_UNAVAILABLE).
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ErrorCode } from '@playgap/protocol';
import {
  NatsConfigError,
  type NatsSettings,
  natsConnectionOptions,
  natsSettingsFromEnv,
  redactSecrets,
  redactUrl,
} from '@playgap/protocol/nats';
import { CliError, ExitCode, usageError } from './errors.js';

/** How long to wait for the server before giving up (ms). */
export const NATS_CONNECT_TIMEOUT_MS = 5_000;

/** Settings and client options, or a usage error naming the variable at fault. */
function cliNatsOptions(env: NodeJS.ProcessEnv) {
  try {
    const settings = natsSettingsFromEnv(env);
    return { settings, options: natsConnectionOptions(settings, 'playgap-cli') };
  } catch (error) {
    if (error instanceof NatsConfigError) {
      throw usageError(`${error.variable} ${error.problem}.`, { cause: error });
    }
    throw error;
  }
}

function unavailable(settings: Readonly<NatsSettings>, error: unknown): CliError {
  const servers = settings.servers.map(redactUrl).join(', ');
  const reason = redactSecrets((error as Error).message, settings);
  return new CliError(
    ErrorCode.NATS_UNAVAILABLE,
    `Cannot connect to NATS at ${servers}: ${reason}. Check NATS_URL, NATS_USER/NATS_PASSWORD (or NATS_CREDS, NATS_NKEY) and the CA.`,
    ExitCode.FAILED,
    { cause: error },
  );
}

/**
 * Connect once, or throw: a usage error (exit 2) naming a bad NATS variable, or
 * NATS_UNAVAILABLE (exit 1) naming the server, never the password. No reconnect either: a
 * command that loses NATS midway fails instead of hanging.
 *
 * @example
 * const nc = await connectNatsOnce(process.env);
 * try { ... } finally { await nc.close(); }
 */
export async function connectNatsOnce(env: NodeJS.ProcessEnv): Promise<NatsConnection> {
  const { settings, options } = cliNatsOptions(env);
  try {
    return await connect({
      ...options,
      timeout: NATS_CONNECT_TIMEOUT_MS,
      maxReconnectAttempts: 0,
    });
  } catch (error) {
    throw unavailable(settings, error);
  }
}
