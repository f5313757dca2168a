/**
 * The matchmaker's one logger: structured JSON lines (pino), one event per line with an
 * `event` name, created once in main.ts (or by whoever embeds the matchmaker) and handed down.
 * Secrets never reach a line: every field named like a token, key or password is redacted
 * wherever it sits, so a careless `log.info({ request })` cannot leak one.
 */
import { writeSync } from 'node:fs';
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

const SECRETS: ReadonlySet<string> = new Set(SECRET_FIELDS);
/** Levels below the top that are searched for secrets. */
const REDACT_DEPTH = 2;

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
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: { component: 'matchmaker' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        bindings: (bindings) => redactSecrets(bindings, REDACT_DEPTH),
        log: (object) => redactSecrets(object, REDACT_DEPTH),
      },
    },
    options.destination ?? batchedStdout(),
  );
  // pino formats a child's bindings without the `bindings` formatter: redact them here (every
  // descendant inherits this child()).
  const child = logger.child;
  logger.child = function redactedChild(this: Logger, bindings, childOptions) {
    return child.call(this, redactSecrets(bindings, REDACT_DEPTH), childOptions);
  } as typeof logger.child;
  return logger;
}

/**
 * `value` with every field named like a secret replaced by REDACTED, at the top and `depth`
 * levels of plain objects and arrays down. Copies only what it changes (the caller's object is
 * never touched), so a line without secrets costs a look at its keys: pino's path redaction
 * with wildcards was a tenth of a warm placement's CPU.
 *
 * @example
 * redactSecrets({ reply: { token: 'x' }, ms: 3 }, 2); // { reply: { token: '<redacted>' }, ms: 3 }
 */
export function redactSecrets<T extends Record<string, unknown>>(value: T, depth: number): T {
  let copy: Record<string, unknown> | undefined;
  for (const key in value) {
    const field = value[key];
    let next: unknown = field;
    if (SECRETS.has(key)) next = REDACTED;
    else if (depth > 0 && typeof field === 'object' && field !== null) {
      if (Array.isArray(field)) next = redactList(field, depth - 1);
      else if (isPlain(field)) next = redactSecrets(field as Record<string, unknown>, depth - 1);
    }
    if (next !== field) {
      copy ??= { ...value };
      copy[key] = next;
    }
  }
  return (copy ?? value) as T;
}

function redactList(list: unknown[], depth: number): unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (typeof item !== 'object' || item === null) continue;
    const next = Array.isArray(item)
      ? redactList(item, depth - 1)
      : isPlain(item)
        ? redactSecrets(item as Record<string, unknown>, depth)
        : item;
    if (next !== item) {
      copy ??= [...list];
      copy[i] = next;
    }
  }
  return copy ?? list;
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

let stdout: DestinationStream | undefined;

/** A turn's lines past this size are written at once instead of at the turn's end. */
const FLUSH_BYTES = 64 * 1024;
const EAGAIN_WAIT = new Int32Array(new SharedArrayBuffer(4));

/** Write all of `bytes` to fd 1, waiting out a full pipe (EAGAIN) as often as it takes. */
function writeAllToStdout(bytes: Buffer): void {
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(1, bytes, offset);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EAGAIN' && code !== 'EBUSY') return; // stdout is gone: nowhere to log to
      Atomics.wait(EAGAIN_WAIT, 0, 0, 10);
    }
  }
}

/**
 * Standard output with the lines of one event-loop turn written together, synchronously, at its
 * end (and at exit): a write per placement line was about 2% of a placement's CPU, and an
 * asynchronous destination costs more than that in thread-pool hand-offs. (Not sonic-boom's
 * `flushSync`: it fsyncs after every write, which on a pipe is a failing syscall and a thrown
 * error per turn.) Shared by every logger of the process.
 */
function batchedStdout(): DestinationStream {
  if (stdout) return stdout;
  let pending = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending === '') return;
    const bytes = Buffer.from(pending);
    pending = '';
    writeAllToStdout(bytes);
  };
  process.on('exit', flush);
  stdout = {
    write(line: string) {
      pending += line;
      if (pending.length >= FLUSH_BYTES) flush();
      else if (!scheduled) {
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
