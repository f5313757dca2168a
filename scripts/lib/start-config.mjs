// `npm start`'s whole configuration — flags, PLAYGAP_* env and, with EDGEGAP_API_KEY set, the
// variables real Edgegap needs — validated in one pure call before anything is installed or
// built, so a mistake is reported in a second instead of after the build. Dependency-free: it
// runs on a bare clone. unbuiltPath tells --no-build what is not built yet.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { STACK_DEFAULTS } from './stack.mjs';

export const START_USAGE = `Usage: npm start -- [flags]

Runs nats-server, edgegap-local with the arena app and the matchmaker serving the game, then
prints its URL. With EDGEGAP_API_KEY set it targets real Edgegap instead (docs/quick-start.md).

Flags (env in brackets):
  --port N                   page and matchmaker port, 0 = any free one [PLAYGAP_PORT] (8080)
  --host H                   listen address (127.0.0.1)
  --app NAME                 app name (arena)
  --version V                app version (1.0.0)
  --idle-timeout-ms N        an empty game server stops after this [PLAYGAP_IDLE_TIMEOUT_MS] (30000)
  --port-mode same|mapped    mapped: external ports differ, as on Edgegap [PLAYGAP_PORT_MODE] (same)
  --runtime process|docker   docker: game servers run as containers of the game-server image,
                             built by \`npm run images\` [PLAYGAP_RUNTIME] (process)
  --capacity N               seats per game server (16)
  --locations demo           edgegap-local places servers in three regions (Montreal, Frankfurt,
                             Tokyo), each with a ping endpoint; open the page with ?latency=1
  --token-expire-seconds N   connect token lifetime (30)
  --no-build                 skip tsc -b and vite build (already built)
  -h, --help                 this text`;

const FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  app: { type: 'string' },
  version: { type: 'string' },
  'idle-timeout-ms': { type: 'string' },
  'port-mode': { type: 'string' },
  runtime: { type: 'string' },
  capacity: { type: 'string' },
  locations: { type: 'string' },
  'token-expire-seconds': { type: 'string' },
  'no-build': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

// The matchmaker and sidecar check the same forms again when they start; these run before
// the build, when their code does not exist yet.
const APP_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const VERSION = /^[A-Za-z0-9_.-]{1,64}$/;
const PROTOCOL_ID = /^(\d{1,20}|0x[0-9a-fA-F]{1,16})$/;

/** A bad flag, argument or variable (exit 2); the message names it and says what to do. */
export class StartConfigError extends Error {
  constructor(message) {
    super(message);
    this.name = 'StartConfigError';
    this.code = 'BAD_REQUEST';
  }
}

const HELP_HINT = 'Run `npm start -- --help`.';

function parseFlags(argv) {
  try {
    return parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: true });
  } catch (error) {
    const flag = /'(-[^' ]*)/.exec(error.message)?.[1] ?? 'a flag';
    if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
      throw new StartConfigError(`unknown flag ${flag}. ${HELP_HINT}`);
    if (/does not take an argument/.test(error.message))
      throw new StartConfigError(`${flag} takes no value. ${HELP_HINT}`);
    if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE')
      throw new StartConfigError(`${flag} needs a value. ${HELP_HINT}`);
    throw new StartConfigError(`${error.message} ${HELP_HINT}`);
  }
}

/** [name, raw] of the flag when given, else of the variable when set, else undefined. */
function source(values, flag, env, variable) {
  if (values[flag] !== undefined) return [`--${flag}`, values[flag]];
  if (variable && env[variable]?.trim()) return [variable, env[variable].trim()];
  return undefined;
}

function integer(found, fallback, min, max) {
  if (!found) return fallback;
  const [name, raw] = found;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max)
    throw new StartConfigError(`${name} must be an integer from ${min} to ${max} (got "${raw}").`);
  return value;
}

function matching(found, fallback, pattern, what) {
  if (!found) return fallback;
  const [name, raw] = found;
  if (!pattern.test(raw)) throw new StartConfigError(`${name} must be ${what} (got "${raw}").`);
  return raw;
}

function isPrivateKeyText(raw) {
  const text = raw.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return true;
  const parts = text.replace(/^\[|\]$/g, '').split(',');
  return parts.length === 32 && parts.every((p) => /^\s*\d{1,3}\s*$/.test(p) && Number(p) <= 255);
}

/** The shared secrets: optional locally (generated when unset), required for real Edgegap. */
function checkSecrets(env, remote) {
  const need = 'the values your game server version on Edgegap has (`playgap keygen` makes a pair)';
  if (env.PLAYGAP_PRIVATE_KEY === undefined) {
    if (remote)
      throw new StartConfigError(
        `EDGEGAP_API_KEY is set: also set PLAYGAP_PRIVATE_KEY to ${need}.`,
      );
  } else if (!isPrivateKeyText(env.PLAYGAP_PRIVATE_KEY)) {
    // Never echo the key.
    throw new StartConfigError(
      'PLAYGAP_PRIVATE_KEY must be 64 hex characters or a list of 32 numbers 0-255.',
    );
  }
  const protocolId = env.PLAYGAP_PROTOCOL_ID?.trim();
  if (protocolId === undefined) {
    if (remote)
      throw new StartConfigError(
        `EDGEGAP_API_KEY is set: also set PLAYGAP_PROTOCOL_ID to ${need}.`,
      );
  } else if (!PROTOCOL_ID.test(protocolId) || BigInt(protocolId) >= 1n << 64n) {
    throw new StartConfigError(
      'PLAYGAP_PROTOCOL_ID must be an unsigned 64-bit integer (decimal or 0x hex).',
    );
  }
}

function checkRemote(env) {
  if (!env.NATS_URL?.trim() && !env.NATS_HOST?.trim())
    throw new StartConfigError(
      'EDGEGAP_API_KEY is set: set NATS_URL (or NATS_HOST) to a NATS your game servers can reach too.',
    );
  if (env.EDGEGAP_API_URL !== undefined && !URL.canParse(env.EDGEGAP_API_URL))
    throw new StartConfigError(
      `EDGEGAP_API_URL must be a URL such as https://api.edgegap.com (got "${env.EDGEGAP_API_URL}").`,
    );
}

/**
 * Read `npm start`'s argv (without node and script) and env. Returns `{ help: true }` for
 * --help/-h (checked before anything else), otherwise `{ build, remote, systemPackages, stack }`:
 * the Debian packages it needs and the options for startStack. Throws StartConfigError on the first bad input.
 *
 * @example
 * startConfig(['--port', '0'], {}).stack.port; // 0
 */
/** The matchmaker's log levels (matchmaker/src/log.ts LOG_LEVELS; a test keeps them equal). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function startConfig(argv, env) {
  if (argv.includes('--help') || argv.includes('-h')) return { help: true };
  const { values, positionals } = parseFlags(argv);
  if (positionals.length > 0)
    throw new StartConfigError(
      `unexpected argument "${positionals[0]}": flags go after \`--\`, as in \`npm start -- --port 0\`. ${HELP_HINT}`,
    );
  const d = STACK_DEFAULTS;
  const portMode = source(values, 'port-mode', env, 'PLAYGAP_PORT_MODE');
  if (portMode && portMode[1] !== 'same' && portMode[1] !== 'mapped')
    throw new StartConfigError(`${portMode[0]} must be same or mapped (got "${portMode[1]}").`);
  const runtime = source(values, 'runtime', env, 'PLAYGAP_RUNTIME');
  if (runtime && runtime[1] !== 'process' && runtime[1] !== 'docker')
    throw new StartConfigError(`${runtime[0]} must be process or docker (got "${runtime[1]}").`);
  if (values.locations !== undefined && values.locations !== 'demo')
    throw new StartConfigError(
      `--locations takes demo (got "${values.locations}"); edgegap-local --locations takes a list.`,
    );
  if (values.locations && env.EDGEGAP_API_KEY)
    throw new StartConfigError(
      '--locations demo configures edgegap-local, but EDGEGAP_API_KEY targets real Edgegap (its own locations): unset one of them.',
    );
  if (values.host !== undefined && !values.host.trim())
    throw new StartConfigError('--host must be an address such as 127.0.0.1 or 0.0.0.0.');
  // The terminal's log settings (scripts/lib/terminal.mjs), checked before the build too.
  if (env.PLAYGAP_LOG_LEVEL && !LOG_LEVELS.includes(env.PLAYGAP_LOG_LEVEL))
    throw new StartConfigError(
      `PLAYGAP_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${env.PLAYGAP_LOG_LEVEL}").`,
    );
  if (env.PLAYGAP_SERVER_LOGS !== undefined && !['0', '1'].includes(env.PLAYGAP_SERVER_LOGS))
    throw new StartConfigError(
      `PLAYGAP_SERVER_LOGS must be 0 (hide game-server lines) or 1 (got "${env.PLAYGAP_SERVER_LOGS}").`,
    );
  const remote = Boolean(env.EDGEGAP_API_KEY);
  checkSecrets(env, remote);
  if (remote) checkRemote(env);
  if (remote && runtime?.[1] === 'docker')
    throw new StartConfigError(
      `${runtime[0]} docker runs game servers on this machine's Docker engine, but EDGEGAP_API_KEY targets real Edgegap: unset one of them.`,
    );
  const stack = {
    app: matching(source(values, 'app', env), d.app, APP_NAME, '1-64 letters, digits, "_" or "-"'),
    version: matching(
      source(values, 'version', env),
      d.version,
      VERSION,
      '1-64 letters, digits, ".", "_" or "-"',
    ),
    host: values.host ?? d.host,
    port: integer(source(values, 'port', env, 'PLAYGAP_PORT'), d.port, 0, 65_535),
    idleTimeoutMs: integer(
      source(values, 'idle-timeout-ms', env, 'PLAYGAP_IDLE_TIMEOUT_MS'),
      d.idleTimeoutMs,
      0,
      86_400_000,
    ),
    capacity: integer(source(values, 'capacity', env), d.capacity, 1, 1024),
    tokenExpireSeconds: integer(
      source(values, 'token-expire-seconds', env),
      d.tokenExpireSeconds,
      5,
      3600,
    ),
    portMode: portMode?.[1] ?? d.portMode,
    runtime: runtime?.[1] ?? d.runtime,
    ...(values.locations ? { locations: values.locations } : {}),
  };
  // The local stack runs its own nats-server; nothing npm start runs needs a browser.
  const systemPackages = remote ? [] : ['nats-server'];
  return { help: false, build: !values['no-build'], remote, systemPackages, stack };
}

/** What the built stack runs: `--no-build` needs every one. */
const BUILT = [
  'protocol/dist/token/index.js',
  'edgegap/dist/index.js',
  'matchmaker/dist/index.js',
  'sidecar/dist/main.js',
  'server-template/dist/main.js',
  'client-template/dist/index.html',
];

/**
 * The first build output missing under `root`, or undefined when everything is built.
 *
 * @example
 * unbuiltPath(freshClone); // 'protocol/dist/token/index.js'
 */
export function unbuiltPath(root) {
  return BUILT.find((path) => !existsSync(join(root, path)));
}
