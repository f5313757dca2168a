/**
 * The matchmaker's settings, each defined once with its flag, variable, kind, bounds, unit and
 * default. config.ts reads them, --help lists them, overrides are checked with them and
 * docs/configuration.md is checked against them. Settings shared with the game servers come
 * from protocol: the token settings and PLAYGAP_CAPACITY's bounds (a matchmaker must not start
 * servers its sidecar refuses).
 */
import {
  appNameSetting,
  booleanSetting,
  capacitySetting,
  customSetting,
  durationMsSetting,
  enumSetting,
  integerSetting,
  listSetting,
  parseInteger,
  privateKeySetting,
  protocolIdSetting,
  SettingError,
  textSetting,
  tokenDialectSetting,
  urlSetting,
} from '@playgap/protocol/config';
import { KV_REPLICAS_SETTING } from '@playgap/protocol/kv';
import { type NatsSettings, natsConnectionOptions } from '@playgap/protocol/nats';
import { DEFAULT_EXPIRE_SECONDS, DEFAULT_TIMEOUT_SECONDS } from '@playgap/protocol/token';
import { LOG_LEVELS, type LogLevel } from './log.js';
import { type MatchmakingConfig, parseMatchmakingConfig } from './queues/matchmaking-config.js';

/** How players are placed: playgap's deployments, or Edgegap seat sessions (Bevygap's). */
export const PLACEMENT_MODES = ['deployments', 'sessions'] as const;
export type PlacementMode = (typeof PLACEMENT_MODES)[number];

const VERSION = /^[A-Za-z0-9_.-]{1,64}$/;
const LISTEN_HOST = '127.0.0.1';
const LISTEN_PORT = 3000;

/** `host:port` of the front (`[::1]:3000` for IPv6; a bare host takes port 3000). */
function parseListen(raw: unknown, name: string): { host: string; port: number } {
  const problem = 'must be host:port, e.g. 0.0.0.0:3000';
  if (typeof raw !== 'string') throw new SettingError(name, problem);
  const colon = raw.lastIndexOf(':');
  const host = colon >= 0 ? raw.slice(0, colon) : raw;
  if (!host) throw new SettingError(name, problem);
  let port = LISTEN_PORT;
  if (colon >= 0) {
    try {
      port = parseInteger(raw.slice(colon + 1), name, { min: 0, max: 65_535 });
    } catch (cause) {
      throw new SettingError(name, problem, { cause });
    }
  }
  return { host: host.replace(/^\[|\]$/g, ''), port };
}

const ms = (flag: string, min: number, max: number, defaultMs: number, doc: string) =>
  durationMsSetting({ flag, min, max, default: defaultMs, doc, placeholder: 'N' });

/**
 * Every setting of `playgap-matchmaker` read from flags and env, keyed by its config field
 * (`allInOne`, `frontOnly` and `listen` become runFront, runService, listenHost/Port), in the
 * order --help lists them.
 *
 * @example
 * MATCHMAKER_SETTINGS.seatsPerServer.max; // 1024, the sidecar's bound
 */
export const MATCHMAKER_SETTINGS = Object.freeze({
  appName: appNameSetting({ flag: 'app-name', required: true, doc: 'app to place players on' }),
  versions: listSetting({
    env: 'PLAYGAP_VERSIONS',
    flag: 'app-version',
    placeholder: 'V[,V...]',
    required: true,
    nonEmpty: true,
    pattern: VERSION,
    problem: 'must be a comma list of versions (letters, digits, . _ -)',
    doc: 'versions it places on; first = new deployments',
  }),
  protocolId: protocolIdSetting({
    flag: 'protocol-id',
    aliases: ['lightyear-protocol-id'],
    required: true,
    doc: 'protocol id shared with the game servers',
  }),
  privateKey: privateKeySetting({
    flag: 'private-key',
    aliases: ['lightyear-private-key'],
    required: true,
    doc: 'connect-token key; prefer the variable',
  }),
  tokenDialect: tokenDialectSetting({ flag: 'token-dialect' }),
  mode: enumSetting({
    env: 'PLAYGAP_MODE',
    flag: 'mode',
    placeholder: PLACEMENT_MODES.join('|'),
    values: PLACEMENT_MODES,
    default: 'deployments',
    doc: 'placement mode',
  }),
  seatsPerServer: capacitySetting({
    flag: 'seats-per-server',
    placeholder: 'N',
    doc: 'seats per new server',
  }),
  edgegapApiUrl: urlSetting({
    env: 'EDGEGAP_API_URL',
    flag: 'edgegap-api-url',
    placeholder: 'URL',
    default: 'https://api.edgegap.com',
    doc: 'Edgegap API or an edgegap-local URL',
  }),
  edgegapApiKey: textSetting({
    env: 'EDGEGAP_API_KEY',
    flag: 'edgegap-api-key',
    placeholder: 'KEY',
    defaultText: 'required for deploys',
    doc: 'Edgegap API token; prefer the variable',
  }),
  allInOne: booleanSetting({
    env: 'PLAYGAP_ALL_IN_ONE',
    flag: 'all-in-one',
    default: false,
    doc: 'run the browser front and the placement service',
  }),
  frontOnly: booleanSetting({
    flag: 'front-only',
    default: false,
    doc: 'run only the browser front',
  }),
  listen: customSetting(
    'address',
    {
      env: 'PLAYGAP_LISTEN',
      flag: 'listen',
      placeholder: 'HOST:PORT',
      default: { host: LISTEN_HOST, port: LISTEN_PORT },
      defaultText: `${LISTEN_HOST}:${LISTEN_PORT}`,
      doc: 'front address',
    },
    parseListen,
  ),
  staticDir: textSetting({
    env: 'PLAYGAP_STATIC_DIR',
    flag: 'static-dir',
    placeholder: 'DIR',
    doc: 'serve a built web client at /',
  }),
  allowedOrigins: listSetting({
    env: 'PLAYGAP_ALLOWED_ORIGINS',
    flag: 'allowed-origins',
    placeholder: 'O[,O...]',
    default: [],
    defaultText: 'any',
    doc: 'browser origins allowed',
  }),
  trustedProxies: listSetting({
    env: 'PLAYGAP_TRUSTED_PROXIES',
    flag: 'trusted-proxies',
    placeholder: 'IP[,IP...]',
    default: [],
    doc: 'peers whose X-Forwarded-For is believed',
  }),
  tokenExpireSeconds: integerSetting({
    flag: 'token-expire-seconds',
    placeholder: 'N',
    min: 5,
    max: 3600,
    default: DEFAULT_EXPIRE_SECONDS,
    unit: 's',
    doc: 'connect token lifetime',
  }),
  tokenTimeoutSeconds: integerSetting({
    flag: 'token-timeout-seconds',
    placeholder: 'N',
    min: 1,
    max: 3600,
    default: DEFAULT_TIMEOUT_SECONDS,
    unit: 's',
    doc: 'netcode timeout in the token',
  }),
  deploymentDeadlineMs: ms(
    'deployment-deadline-ms',
    1000,
    3_600_000,
    120_000,
    'a deployment not ready by then is stopped',
  ),
  placementTimeoutMs: ms(
    'placement-timeout-ms',
    1000,
    3_600_000,
    90_000,
    'a placement gives up after this',
  ),
  statusPollMs: ms('status-poll-ms', 10, 60_000, 1_000, 'Edgegap status poll interval'),
  regionsTtlMs: ms(
    'regions-ttl-ms',
    1_000,
    86_400_000,
    60_000,
    'region list (Edgegap ping beacons) cached this long',
  ),
  progressHeartbeatMs: ms(
    'progress-heartbeat-ms',
    10,
    60_000,
    5_000,
    'progress repeated this often',
  ),
  serviceSilenceMs: ms(
    'service-silence-ms',
    50,
    600_000,
    15_000,
    'the front retries another replica after this',
  ),
  reapIntervalMs: ms(
    'reap-interval-ms',
    100,
    3_600_000,
    30_000,
    'stale and orphan deployments reaped this often',
  ),
  rateLimitPerWindow: integerSetting({
    flag: 'rate-limit',
    placeholder: 'N',
    min: 1,
    max: 1_000_000,
    default: 30,
    unit: 'requests',
    doc: 'requests per IP per 10 s',
  }),
  maxConcurrentPerIp: integerSetting({
    flag: 'max-concurrent-per-ip',
    placeholder: 'N',
    min: 1,
    max: 1_000_000,
    default: 4,
    unit: 'placements',
    doc: 'placements at once per IP',
  }),
  logLevel: enumSetting<LogLevel>({
    env: 'PLAYGAP_LOG_LEVEL',
    flag: 'log-level',
    placeholder: 'LEVEL',
    values: LOG_LEVELS,
    default: 'info',
    doc: 'fatal … trace, or silent',
  }),
  kvReplicas: KV_REPLICAS_SETTING,
  dashboard: booleanSetting({
    env: 'PLAYGAP_DASHBOARD',
    flag: 'dashboard',
    default: false,
    doc: 'serve the live operator dashboard at /dashboard (all-in-one)',
  }),
  dashboardToken: textSetting({
    env: 'PLAYGAP_DASHBOARD_TOKEN',
    flag: 'dashboard-token',
    placeholder: 'TOKEN',
    pattern: /^\S{16,}$/,
    problem: 'must be at least 16 characters without spaces (e.g. openssl rand -hex 16)',
    doc: 'token the dashboard wants (turns it on); prefer the variable',
  }),
  matchmakingConfig: textSetting({
    env: 'PLAYGAP_MATCHMAKING_CONFIG',
    flag: 'matchmaking-config',
    placeholder: 'FILE',
    doc: 'modes, teams and rules (JSON, docs/matchmaking.md); reloaded on change and SIGHUP',
  }),
  matchIntervalMs: ms(
    'match-interval-ms',
    10,
    60_000,
    200,
    'queued tickets are matched this often',
  ),
  /** Code defaults without a flag: tests and embedders override them. */
  claimStaleMs: durationMsSetting({
    min: 100,
    max: 600_000,
    default: 15_000,
    doc: 'a match claim its matchmaker stopped refreshing goes back to searching after this',
  }),
  claimHeartbeatMs: durationMsSetting({
    min: 10,
    max: 60_000,
    default: 3_000,
    doc: 'a matchmaker placing a match refreshes its claims this often',
  }),
  firstMessageTimeoutMs: durationMsSetting({
    min: 100,
    max: 600_000,
    default: 10_000,
    doc: 'the first WebSocket message must come within this',
  }),
  rateLimitWindowMs: durationMsSetting({
    min: 100,
    max: 3_600_000,
    default: 10_000,
    doc: 'the window of --rate-limit',
  }),
});

/**
 * The NATS flags: their values go to protocol's shared NATS parser with the NATS_* env.
 *
 * @example
 * MATCHMAKER_NATS_FLAGS.natsUrl.flag; // 'nats-url'
 */
export const MATCHMAKER_NATS_FLAGS = Object.freeze({
  natsUrl: textSetting({
    env: 'NATS_URL',
    flag: 'nats-url',
    placeholder: 'URL',
    default: 'nats://127.0.0.1:4222',
    doc: 'NATS server(s), comma separated',
  }),
  natsInsecure: booleanSetting({
    env: 'NATS_INSECURE',
    flag: 'nats-insecure',
    default: false,
    doc: 'TLS without certificate verification (tests only)',
  }),
});

/**
 * Config fields not read from flags or env, checked when given as overrides (tests, embedders).
 *
 * @example
 * OVERRIDE_SETTINGS.listenPort.parse(0, 'listenPort'); // 0
 */
export const OVERRIDE_SETTINGS = Object.freeze({
  runService: booleanSetting({ doc: 'run the NATS placement service' }),
  runFront: booleanSetting({ doc: 'run the HTTP/WebSocket front' }),
  listenHost: textSetting({ doc: 'front host' }),
  listenPort: integerSetting({ min: 0, max: 65_535, unit: 'port', doc: 'front port' }),
  matchmaking: customSetting<MatchmakingConfig>(
    'text',
    { doc: 'the matchmaking config itself, instead of a file' },
    (raw, name) => {
      try {
        return parseMatchmakingConfig(raw);
      } catch (error) {
        throw new SettingError(name, (error as Error).message, { cause: error });
      }
    },
  ),
  instanceId: textSetting({ pattern: /^[A-Za-z0-9_-]{1,64}$/, doc: 'this process id' }),
  nats: customSetting<NatsSettings>('nats', { doc: 'NATS settings' }, (raw, name) => {
    const settings = raw as NatsSettings;
    if (!settings || !Array.isArray(settings.servers) || settings.servers.length === 0) {
      throw new SettingError(name, 'must be NATS settings with at least one server');
    }
    natsConnectionOptions(settings, 'playgap-matchmaker');
    return settings;
  }),
});
