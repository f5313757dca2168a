/**
 * Sidecar configuration: read once from env and command-line flags, validated against named
 * defaults (units in the names), then frozen. Every error names the variable or flag at fault.
 * The private key is kept as text here and never printed; token-check.ts parses it.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PORT_PROTOCOLS, type PortMapping, SERVER_ID_PATTERN } from '@playgap/protocol';
import { deepFreeze, readSettings, SettingError } from '@playgap/protocol/config';
import {
  type NatsSettings,
  natsConnectionOptions,
  natsSettingsFromEnv,
} from '@playgap/protocol/nats';
import type { TokenDialect } from '@playgap/protocol/token';
import { ConfigError } from './errors.js';
import { certRenewBeforeMs, SIDECAR_SETTINGS as S } from './settings.js';

/** NATS connection settings: the env contract shared with the matchmaker (design.md "NATS"). */
export type { NatsSettings };

/** The name the sidecar's NATS connection shows in NATS monitoring. */
export const SIDECAR_CONNECTION_NAME = 'playgap-sidecar';

/**
 * Named defaults of every option: the schema's (settings.ts), units in the names.
 *
 * @example
 * DEFAULTS.capacity; // 16
 */
export const DEFAULTS = Object.freeze({
  capacity: S.capacity.default as number,
  sidecarPort: S.sidecarPort.default as number,
  idleTimeoutMs: S.idleTimeoutMs.default as number,
  readyTimeoutMs: S.readyTimeoutMs.default as number,
  heartbeatTimeoutMs: S.heartbeatTimeoutMs.default as number,
  reconnectGraceMs: S.reconnectGraceMs.default as number,
  certValidityDays: S.certValidityDays.default as number,
  /** Renew when less than this is left (default 2 days). */
  certRenewBeforeMs: S.certRenewBeforeMs.default as number,
  serverHeartbeatMs: S.serverHeartbeatMs.default as number,
  seatHeartbeatMs: S.seatHeartbeatMs.default as number,
  bodyLimitBytes: S.bodyLimitBytes.default as number,
  tokenDialect: S.tokenDialect.default as TokenDialect,
});

/** The token byte order: protocol's one definition. */
export type { TokenDialect };

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
  /** A dropped player's seat is held this long for a reconnect; 0 frees it at once. */
  reconnectGraceMs: number;
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

const PROTOCOLS: ReadonlySet<string> = new Set(PORT_PROTOCOLS);

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

  const settings = asConfigError(() =>
    readSettings(S, {
      env,
      flags: { 'reconnect-grace-ms': values['reconnect-grace-ms'] },
    }),
  );
  // Validated here, kept as text: token-check.ts turns them into bytes; the key is never logged.
  settings.privateKey?.fill(0);
  const certValidityDays = settings.certValidityDays ?? DEFAULTS.certValidityDays;
  const renewBeforeMs = asConfigError(() =>
    certRenewBeforeMs(certValidityDays, settings.certRenewBeforeMs),
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
    app: settings.app,
    version:
      settings.version ??
      (local
        ? 'local'
        : asConfigError(() => {
            throw new SettingError(
              'PLAYGAP_VERSION',
              'is required: the app version this server runs',
            );
          })),
    protocolIdText: (env.PLAYGAP_PROTOCOL_ID ?? '').trim(),
    privateKeyText: (env.PLAYGAP_PRIVATE_KEY ?? '').trim(),
    tokenDialect: settings.tokenDialect ?? DEFAULTS.tokenDialect,
    capacity: settings.capacity ?? DEFAULTS.capacity,
    sidecarPort: settings.sidecarPort ?? DEFAULTS.sidecarPort,
    idleTimeoutMs: settings.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs,
    readyTimeoutMs: settings.readyTimeoutMs ?? DEFAULTS.readyTimeoutMs,
    heartbeatTimeoutMs: settings.heartbeatTimeoutMs ?? DEFAULTS.heartbeatTimeoutMs,
    reconnectGraceMs: settings.reconnectGraceMs ?? DEFAULTS.reconnectGraceMs,
    certDir: settings.certDir,
    certValidityDays,
    certRenewBeforeMs: renewBeforeMs,
    serverHeartbeatMs: settings.serverHeartbeatMs ?? DEFAULTS.serverHeartbeatMs,
    seatHeartbeatMs: settings.seatHeartbeatMs ?? DEFAULTS.seatHeartbeatMs,
    bodyLimitBytes: settings.bodyLimitBytes ?? DEFAULTS.bodyLimitBytes,
    local,
    nats: natsSettings(env, values['ca-contents'], local !== undefined),
    natsDefaulted: !env.NATS_URL?.trim() && !env.NATS_HOST?.trim(),
    kvReplicas: settings.kvReplicas ?? (S.kvReplicas.default as number),
    command,
  };
  return deepFreeze(config);
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
  return asConfigError(() => {
    const settings = natsSettingsFromEnv(env, { caContents: caContentsFlag });
    natsConnectionOptions(settings, SIDECAR_CONNECTION_NAME);
    return settings;
  });
}

/** Run a shared parser, its SettingError (NATS ones included) as this package's ConfigError. */
function asConfigError<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof SettingError)
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
  'reconnect-grace-ms': { type: 'string' },
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
  --reconnect-grace-ms MS hold a dropped player's seat this long (PLAYGAP_RECONNECT_GRACE_MS,
                          default 20000; 0 frees it at once)
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
