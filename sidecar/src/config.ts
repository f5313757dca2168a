/**
 * Sidecar configuration: read once from env and command-line flags, validated against named
 * defaults (units in the names), then frozen. Every error names the variable or flag at fault.
 * The private key is kept as text here and never printed; token-check.ts parses it.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  APP_NAME_PATTERN,
  KV_DEFAULTS,
  type PortMapping,
  SERVER_ID_PATTERN,
} from '@playgap/protocol';
import { kvReplicasFromEnv } from '@playgap/protocol/kv';
import {
  NatsConfigError,
  type NatsSettings,
  natsConnectionOptions,
  natsSettingsFromEnv,
} from '@playgap/protocol/nats';
import { ConfigError } from './errors.js';

/** NATS connection settings: the env contract shared with the matchmaker (design.md "NATS"). */
export type { NatsSettings };

/** The name the sidecar's NATS connection shows in NATS monitoring. */
export const SIDECAR_CONNECTION_NAME = 'playgap-sidecar';

/** Named defaults of every option. */
export const DEFAULTS = {
  capacity: 16,
  sidecarPort: 7999,
  idleTimeoutMs: 300_000,
  readyTimeoutMs: 60_000,
  heartbeatTimeoutMs: 30_000,
  certValidityDays: 13,
  /** Renew when less than this is left (default 2 days). */
  certRenewBeforeMs: 2 * 86_400_000,
  serverHeartbeatMs: KV_DEFAULTS.serverHeartbeatMs,
  seatHeartbeatMs: KV_DEFAULTS.seatHeartbeatMs,
  bodyLimitBytes: 16 * 1024,
  tokenDialect: 'netcode',
} as const;

export type TokenDialect = 'netcode' | 'lightyear';

/** Deployment facts given by hand in `--local` mode. */
export interface LocalDeployment {
  serverId: string;
  publicIp: string;
  fqdn?: string;
  ports: Record<string, PortMapping>;
}

/** The validated, frozen configuration. */
export interface SidecarConfig {
  /** Undefined when it must come from the Edgegap context (`app_name`). */
  app?: string;
  version: string;
  protocolIdText: string;
  /** Hex or "1, 2, ..." text; never logged. */
  privateKeyText: string;
  tokenDialect: TokenDialect;
  capacity: number;
  sidecarPort: number;
  idleTimeoutMs: number;
  readyTimeoutMs: number;
  heartbeatTimeoutMs: number;
  certDir?: string;
  certValidityDays: number;
  certRenewBeforeMs: number;
  serverHeartbeatMs: number;
  seatHeartbeatMs: number;
  bodyLimitBytes: number;
  local?: LocalDeployment;
  nats: NatsSettings;
  /** True when neither NATS_URL nor NATS_HOST is set and `--local` took the localhost default. */
  natsDefaulted: boolean;
  /** Replicas of the KV buckets it creates (PLAYGAP_KV_REPLICAS): 1, or 3 on a NATS cluster. */
  kvReplicas: number;
  /** `run -- <command...>`; empty = serve the API only. */
  command: string[];
}

type Env = Record<string, string | undefined>;

function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(
      name,
      `must be an integer from ${min} to ${max} (got ${JSON.stringify(raw.slice(0, 40))})`,
    );
  }
  return value;
}

function required(env: Env, name: string, hint: string): string {
  const raw = env[name]?.trim();
  if (!raw) throw new ConfigError(name, `is required: ${hint}`);
  return raw;
}

const PROTOCOLS = new Set(['TCP', 'UDP', 'TCP/UDP', 'HTTP', 'HTTPS', 'WS', 'WSS']);

/** Parse one `--port name:protocol:internal[:external]` flag. */
export function parsePortFlag(text: string): PortMapping {
  const parts = text.split(':');
  const [name, protocolRaw, internalRaw, externalRaw] = parts;
  const protocol = protocolRaw?.toUpperCase() ?? '';
  const internal = Number(internalRaw);
  const external = externalRaw === undefined ? internal : Number(externalRaw);
  const portOk = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65_535;
  if (
    parts.length < 3 ||
    parts.length > 4 ||
    !name ||
    !/^[A-Za-z0-9_-]+$/.test(name) ||
    !PROTOCOLS.has(protocol) ||
    !portOk(internal) ||
    !portOk(external)
  ) {
    throw new ConfigError(
      '--port',
      `must look like name:protocol:internal[:external] with protocol TCP, UDP or TCP/UDP and ports 1-65535 (got ${JSON.stringify(text.slice(0, 60))})`,
    );
  }
  return { name, protocol, internal, external };
}

function parseLocalFile(
  path: string,
): Partial<LocalDeployment> & { ports?: Record<string, PortMapping> } {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new ConfigError('--local-file', `could not be read as JSON (${path})`, { cause });
  }
  if (typeof json !== 'object' || json === null)
    throw new ConfigError('--local-file', 'must hold a JSON object');
  const o = json as Record<string, unknown>;
  const ports: Record<string, PortMapping> = {};
  const rawPorts = o.ports;
  if (rawPorts !== undefined) {
    if (typeof rawPorts !== 'object' || rawPorts === null)
      throw new ConfigError('--local-file', '"ports" must be an object or array');
    const list = Array.isArray(rawPorts)
      ? rawPorts
      : Object.entries(rawPorts).map(([name, p]) => ({ name, ...(p as object) }));
    for (const p of list as Record<string, unknown>[]) {
      const mapping = parsePortFlag(
        `${String(p.name)}:${String(p.protocol)}:${String(p.internal)}:${String(p.external ?? p.internal)}`,
      );
      ports[mapping.name] = mapping;
    }
  }
  const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  return { serverId: str('serverId'), publicIp: str('publicIp'), fqdn: str('fqdn'), ports };
}

/**
 * Build the frozen config from env and argv (argv without `node script`).
 *
 * @example
 * const config = loadConfig(process.env, ['--local', '--port', 'game:TCP:7000', 'run', '--', 'node', 'server.js']);
 */
export function loadConfig(env: Env, argv: string[]): Readonly<SidecarConfig> {
  const dashDash = argv.indexOf('--');
  const flagArgs = dashDash === -1 ? argv : argv.slice(0, dashDash);
  const command = dashDash === -1 ? [] : argv.slice(dashDash + 1);
  const { values, positionals } = parseFlags(flagArgs);
  const verb = positionals[0];
  const stray = verb === 'run' || verb === 'serve' ? positionals[1] : verb;
  if (stray !== undefined) {
    throw new ConfigError(
      JSON.stringify(stray),
      'is not a command: use `run -- <game server command...>` or `serve`',
    );
  }
  if (verb === 'run' && command.length === 0)
    throw new ConfigError('run', 'needs a command after `--`');

  const app = env.PLAYGAP_APP?.trim() || undefined;
  if (app !== undefined && !APP_NAME_PATTERN.test(app)) {
    throw new ConfigError('PLAYGAP_APP', 'must be 1-64 letters, digits, "_" or "-"');
  }
  const dialect = (env.PLAYGAP_TOKEN_DIALECT?.trim() || DEFAULTS.tokenDialect) as string;
  if (dialect !== 'netcode' && dialect !== 'lightyear') {
    throw new ConfigError('PLAYGAP_TOKEN_DIALECT', 'must be "netcode" or "lightyear"');
  }
  const certValidityDays = intVar(
    env,
    'PLAYGAP_CERT_VALIDITY_DAYS',
    DEFAULTS.certValidityDays,
    1,
    13,
  );
  const certRenewBeforeMs = intVar(
    env,
    'PLAYGAP_CERT_RENEW_BEFORE_MS',
    Math.min(DEFAULTS.certRenewBeforeMs, (certValidityDays * 86_400_000) / 2),
    1_000,
    certValidityDays * 86_400_000 - 1_000,
  );

  let local: LocalDeployment | undefined;
  if (values.local) {
    const fromFile = values['local-file'] ? parseLocalFile(values['local-file']) : {};
    const ports: Record<string, PortMapping> = { ...(fromFile.ports ?? {}) };
    for (const flag of values.port ?? []) {
      const mapping = parsePortFlag(flag);
      ports[mapping.name] = mapping;
    }
    const serverId = values['server-id'] ?? fromFile.serverId ?? `local-${process.pid}`;
    if (!SERVER_ID_PATTERN.test(serverId))
      throw new ConfigError('--server-id', 'must be 1-64 letters, digits, "_" or "-"');
    const publicIp = values['public-ip'] ?? fromFile.publicIp ?? '127.0.0.1';
    local = { serverId, publicIp, fqdn: values.fqdn ?? fromFile.fqdn, ports };
  } else if (values.port?.length || values['server-id'] || values['local-file']) {
    throw new ConfigError('--local', 'is required with --server-id, --port or --local-file');
  }

  const config: SidecarConfig = {
    app,
    version:
      env.PLAYGAP_VERSION?.trim() ||
      (local ? 'local' : required(env, 'PLAYGAP_VERSION', 'the app version this server runs')),
    protocolIdText: required(
      env,
      'PLAYGAP_PROTOCOL_ID',
      'the u64 protocol id shared with the matchmaker',
    ),
    privateKeyText: required(
      env,
      'PLAYGAP_PRIVATE_KEY',
      '64 hex characters or a list of 32 numbers shared with the matchmaker',
    ),
    tokenDialect: dialect,
    capacity: intVar(env, 'PLAYGAP_CAPACITY', DEFAULTS.capacity, 1, 1024),
    sidecarPort: intVar(env, 'PLAYGAP_SIDECAR_PORT', DEFAULTS.sidecarPort, 0, 65_535),
    idleTimeoutMs: intVar(env, 'PLAYGAP_IDLE_TIMEOUT_MS', DEFAULTS.idleTimeoutMs, 0, 2 ** 40),
    readyTimeoutMs: intVar(env, 'PLAYGAP_READY_TIMEOUT_MS', DEFAULTS.readyTimeoutMs, 1, 2 ** 40),
    heartbeatTimeoutMs: intVar(
      env,
      'PLAYGAP_HEARTBEAT_TIMEOUT_MS',
      DEFAULTS.heartbeatTimeoutMs,
      0,
      2 ** 40,
    ),
    certDir: env.PLAYGAP_CERT_DIR?.trim() || undefined,
    certValidityDays,
    certRenewBeforeMs,
    serverHeartbeatMs: intVar(
      env,
      'PLAYGAP_SERVER_HEARTBEAT_MS',
      DEFAULTS.serverHeartbeatMs,
      100,
      KV_DEFAULTS.serversMaxAgeMs / 2,
    ),
    seatHeartbeatMs: intVar(
      env,
      'PLAYGAP_SEAT_HEARTBEAT_MS',
      DEFAULTS.seatHeartbeatMs,
      100,
      KV_DEFAULTS.seatsMaxAgeMs / 2,
    ),
    bodyLimitBytes: intVar(
      env,
      'PLAYGAP_BODY_LIMIT_BYTES',
      DEFAULTS.bodyLimitBytes,
      1024,
      1024 * 1024,
    ),
    local,
    nats: natsSettings(env, values['ca-contents'], local !== undefined),
    natsDefaulted: !env.NATS_URL?.trim() && !env.NATS_HOST?.trim(),
    kvReplicas: natsSetting(() => kvReplicasFromEnv(env)),
    command,
  };
  return Object.freeze({ ...config, command: Object.freeze(command) as string[] });
}

/**
 * The shared NATS env parser, its errors turned into this package's ConfigError; the files it
 * names are read now, so a bad path is a config error (exit 2), not a NATS connection that
 * never starts. Only `--local` may fall back to localhost: inside a deployment that would be
 * whatever NATS happens to listen there, not the matchmaker's.
 */
function natsSettings(env: Env, caContentsFlag: string | undefined, local: boolean): NatsSettings {
  if (!local && !env.NATS_URL?.trim() && !env.NATS_HOST?.trim()) {
    throw new ConfigError(
      'NATS_URL',
      'is required outside --local: set NATS_URL (or NATS_HOST) to the NATS your matchmaker uses, e.g. tls://nats.example.com:4222',
    );
  }
  return natsSetting(() => {
    const settings = natsSettingsFromEnv(env, { caContents: caContentsFlag });
    natsConnectionOptions(settings, SIDECAR_CONNECTION_NAME);
    return settings;
  });
}

/** Read a NATS setting with the shared parser, its NatsConfigError as this package's. */
function natsSetting<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof NatsConfigError)
      throw new ConfigError(error.variable, error.problem, { cause: error });
    throw error;
  }
}

const FLAGS = {
  local: { type: 'boolean' },
  'server-id': { type: 'string' },
  'public-ip': { type: 'string' },
  fqdn: { type: 'string' },
  port: { type: 'string', multiple: true },
  'local-file': { type: 'string' },
  'ca-contents': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * `playgap-sidecar --help`.
 *
 * @example
 * process.stdout.write(`${SIDECAR_USAGE}\n`);
 */
export const SIDECAR_USAGE = `Usage: playgap-sidecar [flags] run -- <game server command...>
       playgap-sidecar [flags] serve

Runs beside a game server: checks connect tokens, keeps its seats in NATS KV, stops it when
empty. \`run\` starts the command and exits with its code; \`serve\` only serves the local API.

Flags:
  --local                 not on Edgegap: the flags below replace the ARBITRIUM_* variables
  --server-id ID          (--local) server id (default local-<pid>)
  --public-ip IP          (--local) address players connect to (default 127.0.0.1)
  --fqdn NAME             (--local) public host name
  --port NAME:PROTOCOL:INTERNAL[:EXTERNAL]
                          (--local) a port, repeatable, e.g. game:TCP:4000
  --local-file FILE       (--local) the same facts as JSON {serverId, publicIp, fqdn, ports}
  --ca-contents PEM       the NATS CA as PEM text (wins over NATS_CA_CONTENTS)
  -h, --help              this text

Env: PLAYGAP_PROTOCOL_ID, PLAYGAP_PRIVATE_KEY (required), PLAYGAP_APP, PLAYGAP_VERSION,
NATS_URL or NATS_HOST (required outside --local; --local defaults to nats://127.0.0.1:4222),
NATS_USER, NATS_PASSWORD, NATS_CREDS, NATS_NKEY, NATS_CA, PLAYGAP_CAPACITY,
PLAYGAP_SIDECAR_PORT and the timeouts in docs/configuration.md.`;

/**
 * Whether argv asks for help: `--help` or `-h` before `--` (what follows is the game server's).
 *
 * @example
 * wantsHelp(['run', '--', 'server', '--help']); // false
 */
export function wantsHelp(argv: readonly string[]): boolean {
  const dashDash = argv.indexOf('--');
  const flags = dashDash === -1 ? argv : argv.slice(0, dashDash);
  return flags.includes('--help') || flags.includes('-h');
}

/** node's parseArgs with its errors as one-line ConfigErrors naming the flag. */
function parseFlags(args: string[]) {
  try {
    return parseArgs({ args, allowPositionals: true, strict: true, options: FLAGS });
  } catch (cause) {
    const message = (cause as Error).message;
    const flag = /'(-[^' ]*)/.exec(message)?.[1] ?? 'a flag';
    const problem =
      (cause as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
        ? 'is not a playgap-sidecar flag'
        : /does not take an argument/.test(message)
          ? 'takes no value'
          : 'needs a value';
    throw new ConfigError(flag, problem, { cause });
  }
}
