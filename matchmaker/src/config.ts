/**
 * Matchmaker configuration: flags and environment read once with the settings of settings.ts
 * (one schema: flag, variable, kind, bounds, unit, default), overrides checked by the same
 * parsers, then deep-frozen. A bad value fails at start with the flag's or variable's name.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  checkValues,
  deepFreeze,
  type FlagValues,
  readSettings,
  type Setting,
  SettingError,
} from '@playgap/protocol/config';
import {
  type NatsSettings,
  natsConnectionOptions,
  natsSettingsFromEnv,
  redactUrl,
} from '@playgap/protocol/nats';
import type { TokenDialect } from '@playgap/protocol/token';
import { ConfigError } from './errors.js';
import type { LogLevel } from './log.js';
import type { MatchmakingConfig } from './queues/matchmaking-config.js';
import {
  MATCHMAKER_NATS_FLAGS,
  MATCHMAKER_SETTINGS,
  OVERRIDE_SETTINGS,
  type PlacementMode,
} from './settings.js';

/** How to reach NATS: the env contract shared with the sidecar (design.md "NATS"). */
export type { NatsSettings, PlacementMode, TokenDialect };

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
  /** The region list (Edgegap's ping beacons) is fetched again after this long. */
  regionsTtlMs: number;
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
  /** Path of the matchmaking config file (modes, teams, rules); none: only the free-seat mode. */
  matchmakingConfig?: string;
  /** The matchmaking config given directly (tests, embedders); wins over the file. */
  matchmaking?: MatchmakingConfig;
  /** How often queued tickets are matched. */
  matchIntervalMs: number;
  /** A claim not refreshed for this long goes back to searching (its matchmaker died). */
  claimStaleMs: number;
  /** How often a matchmaker placing a match refreshes its claims. */
  claimHeartbeatMs: number;
}

/**
 * Named defaults, units in the names: the schema's (settings.ts).
 *
 * @example
 * CONFIG_DEFAULTS.seatsPerServer; // 16
 */
export const CONFIG_DEFAULTS = Object.freeze({
  ...(Object.fromEntries(
    Object.entries(MATCHMAKER_SETTINGS).map(([key, setting]) => [key, setting.default]),
  ) as { [K in keyof typeof S]: NonNullable<(typeof S)[K]['default']> }),
  natsUrl: MATCHMAKER_NATS_FLAGS.natsUrl.default as string,
  listenHost: MATCHMAKER_SETTINGS.listen.default?.host as string,
  listenPort: MATCHMAKER_SETTINGS.listen.default?.port as number,
});

const S = MATCHMAKER_SETTINGS;

/** Every flag, in --help order: the settings' and the NATS ones. */
const FLAGGED: readonly Setting<unknown>[] = [
  ...Object.values(MATCHMAKER_SETTINGS),
  ...Object.values(MATCHMAKER_NATS_FLAGS),
].filter((setting) => setting.flag !== undefined);

/** `doc (default)` or `doc (required)`, for one --help line. */
function helpText(setting: Setting<unknown>): string {
  if (setting.required) return `${setting.doc} (required)`;
  const value = setting.defaultText ?? setting.default;
  if (
    value === undefined ||
    value === false ||
    value === '' ||
    (Array.isArray(value) && value.length === 0)
  ) {
    return setting.doc;
  }
  return `${setting.doc} (${String(value)})`;
}

/**
 * Every flag of `playgap-matchmaker`, from the schema: [flag, value placeholder (empty for a
 * switch), variable, what it sets]. parseFlags refuses any other; MATCHMAKER_USAGE lists them.
 *
 * @example
 * FLAGS.some(([flag]) => flag === 'app-name'); // true
 */
export const FLAGS: readonly (readonly [string, string, string, string])[] = FLAGGED.flatMap(
  (setting) => {
    const value = setting.kind === 'boolean' ? '' : (setting.placeholder ?? 'N');
    const main = [setting.flag as string, value, setting.env ?? '', helpText(setting)] as const;
    const aliases = (setting.aliases ?? []).map(
      (alias) => [alias, value, '', `Bevygap's name of --${setting.flag}`] as const,
    );
    return [main, ...aliases];
  },
);

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

const BOOLEAN_FLAGS: ReadonlySet<string> = new Set(
  FLAGGED.filter((s) => s.kind === 'boolean').map((s) => s.flag as string),
);
const PARSE_ARGS_OPTIONS = Object.fromEntries(
  FLAGS.map(([name]) => [name, { type: BOOLEAN_FLAGS.has(name) ? 'boolean' : 'string' }]),
) as Record<string, { type: 'boolean' | 'string' }>;

/**
 * Split argv into flag values with node:util parseArgs: `--a b`, `--a=b`, a bare switch
 * (`true`), a switch with a value (`--all-in-one=false`, `--all-in-one no`); everything must
 * be a known `--flag`.
 *
 * @example
 * parseFlags(['--mode', 'sessions', '--all-in-one']); // { mode: 'sessions', 'all-in-one': true }
 */
export function parseFlags(argv: readonly string[]): Record<string, string | true> {
  const { tokens } = parseArgs({
    args: [...argv],
    options: PARSE_ARGS_OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.kind === 'positional' || token.kind === 'option-terminator') {
      const arg = token.kind === 'positional' ? token.value : '--';
      throw new ConfigError(arg, 'is not a flag (flags start with --)');
    }
    if (!token.rawName.startsWith('--')) {
      throw new ConfigError(token.rawName, 'is not a flag (flags start with --)');
    }
    if (!Object.hasOwn(PARSE_ARGS_OPTIONS, token.name)) {
      throw new ConfigError(`--${token.name}`, 'is not a playgap-matchmaker flag');
    }
    let value: string | true = token.value ?? true;
    const next = tokens[i + 1];
    if (BOOLEAN_FLAGS.has(token.name) && !token.inlineValue && next?.kind === 'positional') {
      value = next.value; // `--all-in-one no`, as `--all-in-one=no`
      i++;
    } else if (!token.inlineValue && typeof value === 'string' && value.startsWith('--')) {
      throw new ConfigError(`--${token.name}`, 'needs a value'); // `--mode --all-in-one`
    }
    flags[token.name] = value;
  }
  return flags;
}

/** Run a shared parser, its SettingError (NATS ones included) as this package's ConfigError. */
function asConfigError<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ConfigError || !(error instanceof SettingError)) throw error;
    throw new ConfigError(error.variable, error.problem, { cause: error });
  }
}

/**
 * The shared NATS env parser with this CLI's flags; the files it names are checked too.
 */
function natsSettings(flags: FlagValues, env: NodeJS.ProcessEnv): Readonly<NatsSettings> {
  const url = flags['nats-url'];
  if (url === true) throw new ConfigError('--nats-url', 'needs a value');
  const insecure = flags['nats-insecure'];
  const settings = natsSettingsFromEnv(env, {
    url,
    insecure:
      insecure === undefined
        ? undefined
        : MATCHMAKER_NATS_FLAGS.natsInsecure.parse(insecure, '--nats-insecure'),
  });
  // Reads the creds/nkey files and checks the CA file now, so a bad path fails at start.
  natsConnectionOptions(settings, 'playgap-matchmaker');
  return settings;
}

/** Every config field an override may set, with the parser that checks it. */
const OVERRIDABLE = Object.freeze({ ...MATCHMAKER_SETTINGS, ...OVERRIDE_SETTINGS });

/**
 * Build the deep-frozen config from flags and env; `overrides` (tests, embedders) are checked
 * by the same schema. Throws ConfigError naming the bad input.
 *
 * @example
 * const config = loadConfig(process.argv.slice(2), process.env);
 */
export function loadConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  overrides: Partial<MatchmakerConfig> = {},
): Readonly<MatchmakerConfig> {
  const flags = parseFlags(argv);
  return asConfigError(() => {
    const read = readSettings(S, { env, flags });
    const checked = checkValues(OVERRIDABLE, overrides) as Partial<MatchmakerConfig>;
    const d = CONFIG_DEFAULTS;
    const listen = read.listen ?? { host: d.listenHost, port: d.listenPort };
    const frontOnly = read.frontOnly ?? false;
    const config: MatchmakerConfig = {
      appName: read.appName as string,
      versions: read.versions as string[],
      protocolId: read.protocolId as bigint,
      privateKey: read.privateKey as Uint8Array,
      tokenDialect: read.tokenDialect ?? d.tokenDialect,
      mode: read.mode ?? d.mode,
      edgegapApiUrl: read.edgegapApiUrl ?? d.edgegapApiUrl,
      edgegapApiKey: read.edgegapApiKey ?? '',
      nats: natsSettings(flags, env),
      kvReplicas: read.kvReplicas ?? d.kvReplicas,
      seatsPerServer: read.seatsPerServer ?? d.seatsPerServer,
      tokenExpireSeconds: read.tokenExpireSeconds ?? d.tokenExpireSeconds,
      tokenTimeoutSeconds: read.tokenTimeoutSeconds ?? d.tokenTimeoutSeconds,
      deploymentDeadlineMs: read.deploymentDeadlineMs ?? d.deploymentDeadlineMs,
      placementTimeoutMs: read.placementTimeoutMs ?? d.placementTimeoutMs,
      statusPollMs: read.statusPollMs ?? d.statusPollMs,
      regionsTtlMs: read.regionsTtlMs ?? d.regionsTtlMs,
      progressHeartbeatMs: read.progressHeartbeatMs ?? d.progressHeartbeatMs,
      serviceSilenceMs: read.serviceSilenceMs ?? d.serviceSilenceMs,
      reapIntervalMs: read.reapIntervalMs ?? d.reapIntervalMs,
      instanceId: randomBytes(6).toString('hex'),
      runService: !frontOnly,
      runFront: (read.allInOne ?? false) || frontOnly,
      listenHost: listen.host,
      listenPort: listen.port,
      allowedOrigins: read.allowedOrigins ?? [],
      trustedProxies: read.trustedProxies ?? [],
      ...(read.staticDir ? { staticDir: read.staticDir } : {}),
      firstMessageTimeoutMs: read.firstMessageTimeoutMs ?? d.firstMessageTimeoutMs,
      rateLimitPerWindow: read.rateLimitPerWindow ?? d.rateLimitPerWindow,
      rateLimitWindowMs: read.rateLimitWindowMs ?? d.rateLimitWindowMs,
      maxConcurrentPerIp: read.maxConcurrentPerIp ?? d.maxConcurrentPerIp,
      logLevel: read.logLevel ?? d.logLevel,
      ...(read.matchmakingConfig ? { matchmakingConfig: read.matchmakingConfig } : {}),
      matchIntervalMs: read.matchIntervalMs ?? d.matchIntervalMs,
      claimStaleMs: read.claimStaleMs ?? d.claimStaleMs,
      claimHeartbeatMs: read.claimHeartbeatMs ?? d.claimHeartbeatMs,
      ...dashboard(
        read.dashboard ?? false,
        read.dashboardToken,
        read.allInOne ?? false,
        listen.host,
      ),
      ...checked,
    };
    if (config.mode === 'sessions' && !config.edgegapApiKey) {
      throw new ConfigError('EDGEGAP_API_KEY', 'is required in sessions mode');
    }
    return deepFreeze(config);
  });
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * `--dashboard` / `--dashboard-token`: on with a token anywhere, on without one only when the
 * front listens on loopback (`npm start`); the dashboard reads the fleet of the placement
 * service, so it needs `--all-in-one`.
 */
function dashboard(
  on: boolean,
  token: string | undefined,
  allInOne: boolean,
  listenHost: string,
): Pick<MatchmakerConfig, 'dashboard' | 'dashboardToken'> {
  if (!on && token === undefined) return { dashboard: false };
  const name = token === undefined ? '--dashboard' : '--dashboard-token/PLAYGAP_DASHBOARD_TOKEN';
  if (!allInOne) {
    throw new ConfigError(
      name,
      'needs --all-in-one (the dashboard reads the placement service’s view of the fleet)',
    );
  }
  if (token !== undefined) return { dashboard: true, dashboardToken: token };
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
