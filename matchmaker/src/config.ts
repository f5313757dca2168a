/**
 * Matchmaker configuration: flags and environment, validated once against one schema with named
 * defaults, then frozen. A bad value fails at start with the flag's or variable's name.
 */
import { randomBytes } from 'node:crypto';
import { APP_NAME_PATTERN } from '@playgap/protocol';
import { kvReplicasFromEnv } from '@playgap/protocol/kv';
import {
  NATS_DEFAULTS,
  NatsConfigError,
  type NatsSettings,
  natsConnectionOptions,
  natsSettingsFromEnv,
  redactUrl,
} from '@playgap/protocol/nats';
import { ConfigError } from './errors.js';
import { LOG_LEVELS, type LogLevel } from './log.js';

export type PlacementMode = 'deployments' | 'sessions';
export type TokenDialect = 'netcode' | 'lightyear';

/** How to reach NATS: the env contract shared with the sidecar (design.md "NATS"). */
export type { NatsSettings };

export interface MatchmakerConfig {
  appName: string;
  /** Versions this matchmaker serves; a request for another is UNKNOWN_VERSION. */
  versions: readonly string[];
  protocolId: bigint;
  /** 32-byte netcode private key. Never logged. */
  privateKey: Uint8Array;
  tokenDialect: TokenDialect;
  mode: PlacementMode;
  edgegapApiUrl: string;
  /** Never logged. Empty when Edgegap is not used (warm placement only). */
  edgegapApiKey: string;
  nats: NatsSettings;
  /** Replicas of the KV buckets this process creates: 1 on one nats-server, 3 on a cluster. */
  kvReplicas: number;
  seatsPerServer: number;
  tokenExpireSeconds: number;
  tokenTimeoutSeconds: number;
  /** A deployment with no ready server record after this long is stopped. */
  deploymentDeadlineMs: number;
  /** The whole placement (cold included) gives up after this long. */
  placementTimeoutMs: number;
  /** Poll interval for Edgegap status / session while starting. */
  statusPollMs: number;
  /** The service repeats progress this often while a placement runs. */
  progressHeartbeatMs: number;
  /** The front retries a placement on another replica after this much silence. */
  serviceSilenceMs: number;
  /** How often stale deployments and orphan Edgegap deployments are reaped. */
  reapIntervalMs: number;
  /** Unique id of this matchmaker process (tags its deployments and reservations). */
  instanceId: string;
  /** Run the NATS placement service in this process. */
  runService: boolean;
  /** Run the HTTP/WebSocket front in this process. */
  runFront: boolean;
  listenHost: string;
  listenPort: number;
  /** Allowed browser origins; `*` any, `https://*.example.com` wildcard subdomains. Empty = any. */
  allowedOrigins: readonly string[];
  /** Peers whose X-Forwarded-For is believed (exact IPs). */
  trustedProxies: readonly string[];
  staticDir?: string;
  firstMessageTimeoutMs: number;
  /** Requests per IP per `rateLimitWindowMs`. */
  rateLimitPerWindow: number;
  rateLimitWindowMs: number;
  maxConcurrentPerIp: number;
  /** Lowest level of the JSON log lines (`--log-level`, PLAYGAP_LOG_LEVEL). */
  logLevel: LogLevel;
  /** Serve the operator dashboard at /dashboard (all-in-one only). */
  dashboard: boolean;
  /** The dashboard wants this token; required unless the front listens on loopback. Never logged. */
  dashboardToken?: string;
}

/**
 * Named defaults, units in the names.
 *
 * @example
 * CONFIG_DEFAULTS.seatsPerServer; // 16
 */
export const CONFIG_DEFAULTS = {
  tokenDialect: 'netcode' as TokenDialect,
  mode: 'deployments' as PlacementMode,
  edgegapApiUrl: 'https://api.edgegap.com',
  natsUrl: NATS_DEFAULTS.url,
  seatsPerServer: 16,
  tokenExpireSeconds: 30,
  tokenTimeoutSeconds: 15,
  deploymentDeadlineMs: 120_000,
  placementTimeoutMs: 90_000,
  statusPollMs: 1_000,
  reapIntervalMs: 30_000,
  progressHeartbeatMs: 5_000,
  serviceSilenceMs: 15_000,
  listenHost: '127.0.0.1',
  listenPort: 3000,
  firstMessageTimeoutMs: 10_000,
  rateLimitPerWindow: 30,
  rateLimitWindowMs: 10_000,
  maxConcurrentPerIp: 4,
  logLevel: 'info' as LogLevel,
} as const;

type Source = { flags: Record<string, string | true>; env: NodeJS.ProcessEnv };

/**
 * Every flag of `playgap-matchmaker`: its value (empty for a switch), its variable and what it
 * sets. parseFlags refuses any other; MATCHMAKER_USAGE lists them.
 */
const FLAGS = [
  ['app-name', 'NAME', 'PLAYGAP_APP', 'app to place players on (required)'],
  [
    'app-version',
    'V[,V...]',
    'PLAYGAP_VERSIONS',
    'versions it places on; first = new deployments (required)',
  ],
  [
    'protocol-id',
    'U64',
    'PLAYGAP_PROTOCOL_ID',
    'protocol id shared with the game servers (required)',
  ],
  ['lightyear-protocol-id', 'U64', '', "Bevygap's name of --protocol-id"],
  [
    'private-key',
    'KEY',
    'PLAYGAP_PRIVATE_KEY',
    'connect-token key; prefer the variable (required)',
  ],
  ['lightyear-private-key', 'KEY', '', "Bevygap's name of --private-key"],
  [
    'token-dialect',
    'netcode|lightyear',
    'PLAYGAP_TOKEN_DIALECT',
    `token byte order (${CONFIG_DEFAULTS.tokenDialect})`,
  ],
  ['mode', 'deployments|sessions', 'PLAYGAP_MODE', `placement mode (${CONFIG_DEFAULTS.mode})`],
  [
    'seats-per-server',
    'N',
    'PLAYGAP_CAPACITY',
    `seats per new server (${CONFIG_DEFAULTS.seatsPerServer})`,
  ],
  ['edgegap-api-url', 'URL', 'EDGEGAP_API_URL', 'Edgegap API or an edgegap-local URL'],
  ['edgegap-api-key', 'KEY', 'EDGEGAP_API_KEY', 'Edgegap API token; prefer the variable'],
  ['nats-url', 'URL', 'NATS_URL', `NATS server(s), comma separated (${CONFIG_DEFAULTS.natsUrl})`],
  ['nats-insecure', '', 'NATS_INSECURE', 'TLS without certificate verification (tests only)'],
  ['all-in-one', '', 'PLAYGAP_ALL_IN_ONE', 'run the browser front and the placement service'],
  ['front-only', '', '', 'run only the browser front'],
  [
    'listen',
    'HOST:PORT',
    'PLAYGAP_LISTEN',
    `front address (${CONFIG_DEFAULTS.listenHost}:${CONFIG_DEFAULTS.listenPort})`,
  ],
  ['static-dir', 'DIR', 'PLAYGAP_STATIC_DIR', 'serve a built web client at /'],
  ['allowed-origins', 'O[,O...]', 'PLAYGAP_ALLOWED_ORIGINS', 'browser origins allowed (any)'],
  [
    'trusted-proxies',
    'IP[,IP...]',
    'PLAYGAP_TRUSTED_PROXIES',
    'peers whose X-Forwarded-For is believed',
  ],
  [
    'token-expire-seconds',
    'N',
    '',
    `connect token lifetime (${CONFIG_DEFAULTS.tokenExpireSeconds})`,
  ],
  [
    'token-timeout-seconds',
    'N',
    '',
    `netcode timeout in the token (${CONFIG_DEFAULTS.tokenTimeoutSeconds})`,
  ],
  [
    'deployment-deadline-ms',
    'N',
    '',
    `a deployment not ready by then is stopped (${CONFIG_DEFAULTS.deploymentDeadlineMs})`,
  ],
  [
    'placement-timeout-ms',
    'N',
    '',
    `a placement gives up after this (${CONFIG_DEFAULTS.placementTimeoutMs})`,
  ],
  ['status-poll-ms', 'N', '', `Edgegap status poll interval (${CONFIG_DEFAULTS.statusPollMs})`],
  [
    'progress-heartbeat-ms',
    'N',
    '',
    `progress repeated this often (${CONFIG_DEFAULTS.progressHeartbeatMs})`,
  ],
  [
    'service-silence-ms',
    'N',
    '',
    `the front retries another replica after this (${CONFIG_DEFAULTS.serviceSilenceMs})`,
  ],
  [
    'reap-interval-ms',
    'N',
    '',
    `stale and orphan deployments reaped this often (${CONFIG_DEFAULTS.reapIntervalMs})`,
  ],
  [
    'rate-limit',
    'N',
    '',
    `requests per IP per ${CONFIG_DEFAULTS.rateLimitWindowMs / 1000} s (${CONFIG_DEFAULTS.rateLimitPerWindow})`,
  ],
  [
    'max-concurrent-per-ip',
    'N',
    '',
    `placements at once per IP (${CONFIG_DEFAULTS.maxConcurrentPerIp})`,
  ],
  [
    'log-level',
    'LEVEL',
    'PLAYGAP_LOG_LEVEL',
    `fatal … trace, or silent (${CONFIG_DEFAULTS.logLevel})`,
  ],
  ['kv-replicas', 'N', 'PLAYGAP_KV_REPLICAS', 'KV bucket replicas: 1, or 3 on a NATS cluster (1)'],
  ['dashboard', '', 'PLAYGAP_DASHBOARD', 'serve the live operator dashboard at /dashboard (off)'],
  [
    'dashboard-token',
    'TOKEN',
    'PLAYGAP_DASHBOARD_TOKEN',
    'token the dashboard wants (16+ characters; turns it on); prefer the variable',
  ],
] as const;

const FLAG_NAMES: ReadonlySet<string> = new Set(FLAGS.map(([name]) => name));

/**
 * `playgap-matchmaker --help`.
 *
 * @example
 * process.stdout.write(`${MATCHMAKER_USAGE}\n`);
 */
export const MATCHMAKER_USAGE = [
  'Usage: playgap-matchmaker [--all-in-one | --front-only] [flags]',
  '',
  'Places players on game servers over NATS; --all-in-one or --front-only also serve the',
  'browser front. Flags win over their variables. Details: docs/configuration.md.',
  '',
  'Flags [variable]:',
  ...FLAGS.map(([name, value, variable, what]) => {
    const flag = `  --${name}${value ? ` ${value}` : ''}`;
    return `${flag.padEnd(38)} ${what}${variable ? ` [${variable}]` : ''}`;
  }),
  `${'  -h, --help'.padEnd(38)} this text`,
  '',
  'NATS auth: NATS_USER, NATS_PASSWORD, NATS_CREDS, NATS_NKEY, NATS_CA, NATS_CA_CONTENTS.',
].join('\n');

/**
 * Whether argv asks for help (`--help` or `-h` anywhere), answered before any validation.
 *
 * @example
 * wantsHelp(['--app-name', 'arena', '-h']); // true
 */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/**
 * Split `--a b --c=d --flag` into a map; everything must be a known `--flag`.
 *
 * @example
 * parseFlags(['--mode', 'sessions', '--all-in-one']); // { mode: 'sessions', 'all-in-one': true }
 */
export function parseFlags(argv: readonly string[]): Record<string, string | true> {
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new ConfigError(arg, 'is not a flag (flags start with --)');
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (!FLAG_NAMES.has(name))
      throw new ConfigError(`--${name}`, 'is not a playgap-matchmaker flag');
    if (eq > 0) {
      flags[name] = arg.slice(eq + 1);
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      flags[name] = next;
      i++;
    } else {
      flags[name] = true;
    }
  }
  return flags;
}

/** First set value among flags (by name) then env variables; returns [name, value]. */
function pick(src: Source, flagNames: string[], envNames: string[]): [string, string] | undefined {
  for (const flag of flagNames) {
    const value = src.flags[flag];
    if (value === true) throw new ConfigError(`--${flag}`, 'needs a value');
    if (value !== undefined) return [`--${flag}`, value];
  }
  for (const name of envNames) {
    const value = src.env[name];
    if (value !== undefined && value !== '') return [name, value];
  }
  return undefined;
}

function label(flagNames: string[], envNames: string[]): string {
  return [...flagNames.map((f) => `--${f}`), ...envNames].join('/');
}

function requireValue(src: Source, flagNames: string[], envNames: string[]): [string, string] {
  const found = pick(src, flagNames, envNames);
  if (!found) throw new ConfigError(label(flagNames, envNames), 'is required');
  return found;
}

function integer(
  src: Source,
  flagNames: string[],
  envNames: string[],
  fallback: number,
  min: number,
  max: number,
): number {
  const found = pick(src, flagNames, envNames);
  if (!found) return fallback;
  const [name, raw] = found;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(
      name,
      `must be an integer from ${min} to ${max} (got "${raw.slice(0, 20)}")`,
    );
  }
  return value;
}

function bool(src: Source, flag: string, envNames: string[]): boolean {
  const given = flagBool(src, flag);
  if (given !== undefined) return given; // a flag overrides the environment
  for (const name of envNames) {
    const value = src.env[name]?.toLowerCase();
    if (value === '1' || value === 'true' || value === 'yes') return true;
  }
  return false;
}

/** A boolean flag as given (`--x`, `--x=true|false|1|0|yes|no`), or undefined when absent. */
function flagBool(src: Source, flag: string): boolean | undefined {
  const value = src.flags[flag];
  if (value === undefined) return undefined;
  if (value === true) return true;
  const text = value.toLowerCase();
  if (['1', 'true', 'yes'].includes(text)) return true;
  if (['0', 'false', 'no'].includes(text)) return false;
  throw new ConfigError(`--${flag}`, 'must be true or false');
}

function list(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Parse a netcode private key: 64 hex characters or Bevygap's list of 32 numbers ("1, 2, ...").
 * The error names the variable but never echoes the key.
 *
 * @example
 * parseKeyMaterial('PLAYGAP_PRIVATE_KEY', 'ab'.repeat(32)).length; // 32
 */
export function parseKeyMaterial(name: string, raw: string): Uint8Array {
  const text = raw.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Uint8Array.from(Buffer.from(text, 'hex'));
  const parts = text
    .replace(/^\[|\]$/g, '')
    .split(',')
    .map((s) => s.trim());
  if (parts.length === 32 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) {
    return Uint8Array.from(parts.map(Number));
  }
  throw new ConfigError(name, 'must be 64 hex characters or a list of 32 numbers 0-255');
}

function parseProtocolIdValue(name: string, raw: string): bigint {
  const text = raw.trim();
  if (!/^(\d{1,20}|0x[0-9a-fA-F]{1,16})$/.test(text)) {
    throw new ConfigError(name, 'must be an unsigned 64-bit integer (decimal or 0x hex)');
  }
  const value = BigInt(text);
  if (value >= 1n << 64n) throw new ConfigError(name, 'must fit in 64 bits');
  return value;
}

function parseListen(name: string, raw: string): { host: string; port: number } {
  const colon = raw.lastIndexOf(':');
  const host = colon >= 0 ? raw.slice(0, colon) : raw;
  const port = colon >= 0 ? Number(raw.slice(colon + 1)) : CONFIG_DEFAULTS.listenPort;
  if (!host || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(name, 'must be host:port, e.g. 0.0.0.0:3000');
  }
  return { host: host.replace(/^\[|\]$/g, ''), port };
}

/**
 * The shared NATS env parser with this CLI's flags, its errors turned into ConfigError; the
 * files it names are checked too.
 */
function natsSettings(src: Source): Readonly<NatsSettings> {
  try {
    const settings = natsSettingsFromEnv(src.env, {
      url: pick(src, ['nats-url'], [])?.[1],
      insecure: flagBool(src, 'nats-insecure'),
    });
    // Reads the creds/nkey files and checks the CA file now, so a bad path fails at start.
    natsConnectionOptions(settings, 'playgap-matchmaker');
    return settings;
  } catch (error) {
    if (error instanceof NatsConfigError)
      throw new ConfigError(error.variable, error.problem, { cause: error });
    throw error;
  }
}

/** `--log-level` / PLAYGAP_LOG_LEVEL: one of LOG_LEVELS. */
function logLevel(src: Source): LogLevel {
  const found = pick(src, ['log-level'], ['PLAYGAP_LOG_LEVEL']);
  if (!found) return CONFIG_DEFAULTS.logLevel;
  const [variable, value] = found;
  if (!(LOG_LEVELS as readonly string[]).includes(value)) {
    throw new ConfigError(variable, `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  return value as LogLevel;
}

/** PLAYGAP_KV_REPLICAS / --kv-replicas, checked by the shared parser. */
function kvReplicas(src: Source): number {
  try {
    return kvReplicasFromEnv(src.env, pick(src, ['kv-replicas'], [])?.[1]);
  } catch (error) {
    if (error instanceof NatsConfigError)
      throw new ConfigError(error.variable, error.problem, { cause: error });
    throw error;
  }
}

/**
 * Build the frozen config from flags and env. Throws ConfigError naming the bad input.
 *
 * @example
 * const config = loadConfig(process.argv.slice(2), process.env);
 */
export function loadConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  overrides: Partial<MatchmakerConfig> = {},
): Readonly<MatchmakerConfig> {
  const src: Source = { flags: parseFlags(argv), env };
  const [appVar, appName] = requireValue(src, ['app-name'], ['PLAYGAP_APP']);
  if (!APP_NAME_PATTERN.test(appName)) {
    throw new ConfigError(appVar, 'must be 1-64 letters, digits, "_" or "-"');
  }
  const [versionsVar, versionsRaw] = requireValue(src, ['app-version'], ['PLAYGAP_VERSIONS']);
  const versions = list(versionsRaw);
  if (versions.length === 0 || versions.some((v) => !/^[A-Za-z0-9_.-]{1,64}$/.test(v))) {
    throw new ConfigError(versionsVar, 'must be a comma list of versions (letters, digits, . _ -)');
  }
  const [pidVar, pidRaw] = requireValue(
    src,
    ['lightyear-protocol-id', 'protocol-id'],
    ['PLAYGAP_PROTOCOL_ID'],
  );
  const [keyVar, keyRaw] = requireValue(
    src,
    ['lightyear-private-key', 'private-key'],
    ['PLAYGAP_PRIVATE_KEY'],
  );
  const dialectFound = pick(src, ['token-dialect'], ['PLAYGAP_TOKEN_DIALECT']);
  const tokenDialect = (dialectFound?.[1] ?? CONFIG_DEFAULTS.tokenDialect) as TokenDialect;
  if (tokenDialect !== 'netcode' && tokenDialect !== 'lightyear') {
    throw new ConfigError(
      dialectFound?.[0] ?? 'PLAYGAP_TOKEN_DIALECT',
      'must be netcode or lightyear',
    );
  }
  const modeFound = pick(src, ['mode'], ['PLAYGAP_MODE']);
  const mode = (modeFound?.[1] ?? CONFIG_DEFAULTS.mode) as PlacementMode;
  if (mode !== 'deployments' && mode !== 'sessions') {
    throw new ConfigError(modeFound?.[0] ?? '--mode', 'must be deployments or sessions');
  }
  const edgegapApiUrl =
    pick(src, ['edgegap-api-url'], ['EDGEGAP_API_URL'])?.[1] ?? CONFIG_DEFAULTS.edgegapApiUrl;
  try {
    new URL(edgegapApiUrl);
  } catch {
    throw new ConfigError('EDGEGAP_API_URL', 'must be a URL');
  }
  const nats = natsSettings(src);

  const allInOne = bool(src, 'all-in-one', ['PLAYGAP_ALL_IN_ONE']);
  const frontOnly = bool(src, 'front-only', []);
  const listenFound = pick(src, ['listen'], ['PLAYGAP_LISTEN']);
  const listen = listenFound
    ? parseListen(listenFound[0], listenFound[1])
    : { host: CONFIG_DEFAULTS.listenHost, port: CONFIG_DEFAULTS.listenPort };
  const d = CONFIG_DEFAULTS;
  const config: MatchmakerConfig = {
    appName,
    versions,
    protocolId: parseProtocolIdValue(pidVar, pidRaw),
    privateKey: parseKeyMaterial(keyVar, keyRaw),
    tokenDialect,
    mode,
    edgegapApiUrl,
    edgegapApiKey: pick(src, ['edgegap-api-key'], ['EDGEGAP_API_KEY'])?.[1] ?? '',
    nats,
    kvReplicas: kvReplicas(src),
    seatsPerServer: integer(
      src,
      ['seats-per-server'],
      ['PLAYGAP_CAPACITY'],
      d.seatsPerServer,
      1,
      10_000,
    ),
    tokenExpireSeconds: integer(src, ['token-expire-seconds'], [], d.tokenExpireSeconds, 5, 3600),
    tokenTimeoutSeconds: integer(
      src,
      ['token-timeout-seconds'],
      [],
      d.tokenTimeoutSeconds,
      1,
      3600,
    ),
    deploymentDeadlineMs: integer(
      src,
      ['deployment-deadline-ms'],
      [],
      d.deploymentDeadlineMs,
      1000,
      3_600_000,
    ),
    placementTimeoutMs: integer(
      src,
      ['placement-timeout-ms'],
      [],
      d.placementTimeoutMs,
      1000,
      3_600_000,
    ),
    statusPollMs: integer(src, ['status-poll-ms'], [], d.statusPollMs, 10, 60_000),
    progressHeartbeatMs: integer(
      src,
      ['progress-heartbeat-ms'],
      [],
      d.progressHeartbeatMs,
      10,
      60_000,
    ),
    serviceSilenceMs: integer(src, ['service-silence-ms'], [], d.serviceSilenceMs, 50, 600_000),
    reapIntervalMs: integer(src, ['reap-interval-ms'], [], d.reapIntervalMs, 100, 3_600_000),
    instanceId: randomBytes(6).toString('hex'),
    runService: !frontOnly,
    runFront: allInOne || frontOnly,
    listenHost: listen.host,
    listenPort: listen.port,
    allowedOrigins: list(pick(src, ['allowed-origins'], ['PLAYGAP_ALLOWED_ORIGINS'])?.[1]),
    trustedProxies: list(pick(src, ['trusted-proxies'], ['PLAYGAP_TRUSTED_PROXIES'])?.[1]),
    firstMessageTimeoutMs: d.firstMessageTimeoutMs,
    rateLimitPerWindow: integer(src, ['rate-limit'], [], d.rateLimitPerWindow, 1, 1_000_000),
    rateLimitWindowMs: d.rateLimitWindowMs,
    maxConcurrentPerIp: integer(
      src,
      ['max-concurrent-per-ip'],
      [],
      d.maxConcurrentPerIp,
      1,
      1_000_000,
    ),
    logLevel: logLevel(src),
    ...dashboard(src, allInOne, listen.host),
    ...overrides,
  };
  const staticDir = pick(src, ['static-dir'], ['PLAYGAP_STATIC_DIR'])?.[1];
  if (staticDir && overrides.staticDir === undefined) config.staticDir = staticDir;
  if (config.mode === 'sessions' && !config.edgegapApiKey) {
    throw new ConfigError('EDGEGAP_API_KEY', 'is required in sessions mode');
  }
  return Object.freeze(config);
}

/** Shortest dashboard token accepted. */
const DASHBOARD_TOKEN_MIN = 16;
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * `--dashboard` / `--dashboard-token`: on with a token anywhere, on without one only when the
 * front listens on loopback (`npm start`); the dashboard reads the fleet of the placement
 * service, so it needs `--all-in-one`.
 */
function dashboard(
  src: Source,
  allInOne: boolean,
  listenHost: string,
): Pick<MatchmakerConfig, 'dashboard' | 'dashboardToken'> {
  const found = pick(src, ['dashboard-token'], ['PLAYGAP_DASHBOARD_TOKEN']);
  const on = bool(src, 'dashboard', ['PLAYGAP_DASHBOARD']) || found !== undefined;
  if (!on) return { dashboard: false };
  if (!allInOne) {
    throw new ConfigError(
      found?.[0] ?? '--dashboard',
      'needs --all-in-one (the dashboard reads the placement service’s view of the fleet)',
    );
  }
  if (found) {
    const [name, token] = found;
    if (token.length < DASHBOARD_TOKEN_MIN || /\s/.test(token)) {
      throw new ConfigError(
        name,
        `must be at least ${DASHBOARD_TOKEN_MIN} characters without spaces (e.g. openssl rand -hex 16)`,
      );
    }
    return { dashboard: true, dashboardToken: token };
  }
  if (!LOOPBACK.has(listenHost)) {
    throw new ConfigError(
      '--dashboard',
      `needs PLAYGAP_DASHBOARD_TOKEN when the front listens on ${listenHost} (open only on loopback)`,
    );
  }
  return { dashboard: true };
}

/**
 * The config as safe to log: secrets replaced.
 *
 * @example
 * console.log(JSON.stringify(describeConfig(config))); // privateKey: "<redacted>"
 */
export function describeConfig(config: MatchmakerConfig): Record<string, unknown> {
  return {
    ...config,
    protocolId: config.protocolId.toString(),
    privateKey: '<redacted>',
    edgegapApiKey: config.edgegapApiKey ? '<redacted>' : '',
    ...(config.dashboardToken ? { dashboardToken: '<redacted>' } : {}),
    nats: {
      ...config.nats,
      servers: config.nats.servers.map(redactUrl),
      password: config.nats.password ? '<redacted>' : undefined,
    },
  };
}
