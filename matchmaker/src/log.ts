/**
 * The matchmaker's one logger: structured JSON lines (pino), one event per line with an
 * `event` name, created once in main.ts (or by whoever embeds the matchmaker) and handed down.
 * Secrets never reach a line: every field named like a token, key or password is redacted
 * wherever it sits, so a careless `log.info({ request })` cannot leak one.
 */
import { type DestinationStream, type LevelWithSilent, type Logger, pino } from 'pino';

/** A log level name, `silent` included. */
export type LogLevel = LevelWithSilent;

export type { Logger } from 'pino';

/** Levels `PLAYGAP_LOG_LEVEL` / `--log-level` accept. */
export const LOG_LEVELS: readonly LevelWithSilent[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

/** Field names whose values are secrets, redacted at the top level and two levels down. */
const SECRET_FIELDS = [
  'token',
  'connectToken',
  'apiKey',
  'edgegapApiKey',
  'privateKey',
  'password',
  'authorization',
  'secret',
  'creds',
];

const REDACT_PATHS = SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]);

/** What stands in for a redacted value. */
export const REDACTED = '<redacted>';

export interface LoggerOptions {
  /** Lowest level written; default `info`. */
  level?: LevelWithSilent;
  /** Where lines go; default stdout. */
  destination?: DestinationStream;
}

/**
 * The matchmaker logger: JSON lines with `time` (ISO), `level` (a name), `component`, and
 * secrets redacted.
 *
 * @example
 * const log = createLogger({ level: 'debug' });
 * log.info({ event: 'placed', serverId: 'abc', ms: 12 }, 'player placed');
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { component: 'matchmaker' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
    },
    options.destination ?? batchedStdout(),
  );
}

let stdout: DestinationStream | undefined;

/**
 * Standard output with the lines of one event-loop turn written together, synchronously, at its
 * end (and at exit): a write per placement line was about 2% of a placement's CPU, and an
 * asynchronous destination costs more than that in thread-pool hand-offs. Shared by every
 * logger of the process.
 */
function batchedStdout(): DestinationStream {
  if (stdout) return stdout;
  // Below sonic-boom's 16 KiB write cap, so a turn's lines are one write.
  const sonic = pino.destination({ dest: 1, sync: true, minLength: 8_192 });
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    sonic.flushSync();
  };
  process.on('exit', () => sonic.flushSync());
  stdout = {
    write(line: string) {
      sonic.write(line);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
  };
  return stdout;
}

/** A logger that writes nothing (embedders and tests that do not care). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * The fields of an Edgegap failure worth a log line: HTTP status, Edgegap's own message and
 * its request id when the answer had one. The Edgegap errors never carry the API key.
 *
 * @example
 * log.warn({ event: 'edgegap_error', call: 'deploy', ...edgegapErrorFields(error) }, 'Edgegap failed');
 */
export function edgegapErrorFields(error: unknown): Record<string, unknown> {
  const e = error as {
    status?: unknown;
    edgegapMessage?: unknown;
    requestId?: unknown;
    code?: unknown;
    message?: unknown;
  };
  return {
    ...(typeof e.status === 'number' ? { status: e.status } : {}),
    ...(typeof e.edgegapMessage === 'string' ? { edgegapMessage: e.edgegapMessage } : {}),
    ...(typeof e.requestId === 'string' ? { edgegapRequestId: e.requestId } : {}),
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    error: typeof e.message === 'string' ? e.message : String(error),
  };
}
