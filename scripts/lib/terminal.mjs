// The `npm start` terminal view: the matchmaker's JSON log lines shown readably through
// pino-pretty (one line per event, colour only when the stream is a TTY and NO_COLOR is unset),
// and each line a local game server or its sidecar writes, prefixed `[<deployment id>]`.
// The logger is the matchmaker's own (same redaction of tokens, keys and passwords).
// Imports only node: at load (pino-pretty is loaded when a logger is made), so start.mjs can
// import this before a bare clone has node_modules.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Levels of a JSON line a server wrote, by pino's numbers and by name. */
const LEVEL_NAMES = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const LEVELS = new Set(Object.values(LEVEL_NAMES));

/**
 * A logger writing readable lines to `stream` (default stdout).
 * Options: stream, color (default: stream is a TTY and NO_COLOR is unset), level ('info').
 *
 * @example
 * const logger = await terminalLogger({ level: process.env.PLAYGAP_LOG_LEVEL });
 * logger.info({ event: 'placed', serverId: 'a1b2' }, 'player placed');
 */
export async function terminalLogger(options = {}) {
  const stream = options.stream ?? process.stdout;
  const color = options.color ?? (Boolean(stream.isTTY) && !process.env.NO_COLOR);
  const { createLogger, LOG_LEVELS } = await import(join(ROOT, 'matchmaker/dist/index.js'));
  const { default: pretty } = await import('pino-pretty');
  const level = options.level || 'info';
  if (!LOG_LEVELS.includes(level)) {
    throw new Error(`PLAYGAP_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${level}")`);
  }
  return createLogger({
    level,
    destination: pretty({
      destination: stream,
      sync: true,
      colorize: color,
      singleLine: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,component,event,deployment',
      messageFormat: '{if deployment}[{deployment}] {end}{msg}',
    }),
  });
}

/**
 * What to give edgegap-local as `onOutput`: each line of a deployment's output becomes one log
 * line prefixed `[<deployment id>]`. A JSON line (a sidecar's) keeps its level and fields, so
 * PLAYGAP_LOG_LEVEL filters it like the matchmaker's own; plain text is info.
 *
 * @example
 * startEdgegapLocal({ apps, onOutput: serverOutput(logger) });
 */
export function serverOutput(logger) {
  const children = new Map();
  return ({ requestId, line }) => {
    if (line.trim() === '') return;
    let child = children.get(requestId);
    if (!child) {
      child = logger.child({ deployment: requestId });
      children.set(requestId, child);
    }
    const parsed = parseJsonLine(line);
    if (!parsed) return child.info(line);
    // Its own `deployment` field would hide the prefix; its `time` is the same moment.
    const { level, msg, message, time: _time, deployment: _deployment, ...fields } = parsed;
    const name = LEVEL_NAMES[level] ?? (LEVELS.has(level) ? level : 'info');
    child[name](fields, String(msg ?? message ?? fields.event ?? ''));
  };
}

function parseJsonLine(line) {
  if (!line.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
