/**
 * The NATS connection env every playgap component reads (design.md "NATS", Bevygap's names plus
 * creds-file and nkey auth), parsed once into validated, frozen settings. A bad value throws
 * NatsConfigError naming the variable; each component maps it to its own ConfigError.
 */
import { SettingError } from '../config/setting-error.js';

/**
 * Named defaults of the connection, units in the names.
 *
 * @example
 * NATS_DEFAULTS.url; // 'nats://127.0.0.1:4222'
 */
export const NATS_DEFAULTS = {
  url: 'nats://127.0.0.1:4222',
  /** Wait between reconnect attempts once connected (plus up to reconnectJitterMs). */
  reconnectTimeWaitMs: 500,
  reconnectJitterMs: 250,
  /** A dead server is noticed after two missed pings. */
  pingIntervalMs: 10_000,
  /** Wait after the first failed first-connect attempt; doubles up to firstRetryMaxMs. */
  firstRetryMs: 250,
  firstRetryMaxMs: 5_000,
} as const;

/** Validated NATS connection settings; secrets stay as given and are never logged. */
export interface NatsSettings {
  /** Server URLs, each with its scheme (`nats://` or `tls://`). */
  servers: readonly string[];
  user?: string;
  password?: string;
  /** Path of a `.creds` file (JWT + nkey seed). Wins over nkeySeedFile. */
  credsFile?: string;
  /** Path of a file holding an nkey seed. */
  nkeySeedFile?: string;
  /** Path of the CA (PEM) that signed the NATS server's certificate. */
  caFile?: string;
  /** The CA as PEM text; a literal `\n` counts as a newline. Wins over caFile. */
  caContents?: string;
  /** TLS without verifying the server certificate (tests only). */
  insecure: boolean;
}

/** Values a component takes from its command line; each wins over its variable. */
export interface NatsFlags {
  /** The matchmaker's `--nats-url`: wins over NATS_URL / NATS_HOST. */
  url?: string;
  /** The sidecar's `--ca-contents`: wins over NATS_CA_CONTENTS. */
  caContents?: string;
  /** The matchmaker's `--nats-insecure`: when given (true or false) it wins over NATS_INSECURE. */
  insecure?: boolean;
}

/**
 * A NATS variable (or flag) with a bad value, or a file it names that cannot be read. Not a wire
 * error: components catch it and throw their own ConfigError with the same variable and problem.
 *
 * @example
 * throw new NatsConfigError('NATS_PASSWORD', 'needs NATS_USER');
 */
export class NatsConfigError extends SettingError {
  constructor(variable: string, problem: string, options?: ErrorOptions) {
    super(variable, problem, options);
    this.name = 'NatsConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const SCHEMES = new Set(['nats:', 'tls:']);

/**
 * A bad server entry as it may be shown: only when it plainly holds no credentials (a
 * password with a `/`, `,` or space breaks the URL apart, so redacting the pieces is unsafe).
 */
function shown(server: string): string {
  return /^([a-z]+:\/\/)?([\w.-]*|\[[\da-f:.]*\])(:\d*)?$/i.test(server)
    ? JSON.stringify(server.slice(0, 80))
    : 'a value not shown here, as it may hold a password';
}

/** One comma list of `scheme://host[:port]` or bare `host[:port]` (Bevygap's NATS_HOST form). */
function parseServers(variable: string, raw: string): string[] {
  const servers = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (s.includes('://') ? s : `nats://${s}`));
  if (servers.length === 0) throw new NatsConfigError(variable, 'must list at least one server');
  for (const server of servers) {
    let url: URL | undefined;
    try {
      url = new URL(server);
    } catch {}
    if (!url || !SCHEMES.has(url.protocol) || !url.hostname) {
      throw new NatsConfigError(
        variable,
        `must be a comma list of nats:// or tls:// URLs or host:port (got ${shown(server)})`,
      );
    }
  }
  return servers;
}

/**
 * Read the NATS env (NATS_URL or NATS_HOST, NATS_USER, NATS_PASSWORD, NATS_CREDS, NATS_NKEY,
 * NATS_CA, NATS_CA_CONTENTS, NATS_INSECURE) and the component's flags into frozen settings.
 * Throws NatsConfigError naming the variable at fault.
 *
 * @example
 * const nats = natsSettingsFromEnv(process.env, { caContents: values['ca-contents'] });
 * nats.servers; // ['nats://127.0.0.1:4222'] when neither NATS_URL nor NATS_HOST is set
 */
export function natsSettingsFromEnv(env: Env, flags: NatsFlags = {}): Readonly<NatsSettings> {
  const url = flags.url?.trim()
    ? (['--nats-url', flags.url] as const)
    : env.NATS_URL?.trim()
      ? (['NATS_URL', env.NATS_URL] as const)
      : env.NATS_HOST?.trim()
        ? (['NATS_HOST', env.NATS_HOST] as const)
        : (['NATS_URL', NATS_DEFAULTS.url] as const);
  const settings: NatsSettings = {
    servers: Object.freeze(parseServers(url[0], url[1])),
    insecure:
      flags.insecure ??
      ['1', 'true', 'yes'].includes((env.NATS_INSECURE ?? '').trim().toLowerCase()),
  };
  // Passwords and user names are taken exactly as given (a space may be part of one).
  if (env.NATS_USER) settings.user = env.NATS_USER;
  if (env.NATS_PASSWORD) settings.password = env.NATS_PASSWORD;
  if (settings.password && !settings.user) {
    throw new NatsConfigError('NATS_PASSWORD', 'needs NATS_USER');
  }
  // Spelt out as env.NAME, like every other reader, so a search for the variable finds it.
  const credsFile = env.NATS_CREDS?.trim();
  const nkeySeedFile = env.NATS_NKEY?.trim();
  const caFile = env.NATS_CA?.trim();
  const caContents = flags.caContents || env.NATS_CA_CONTENTS || undefined;
  if (credsFile) settings.credsFile = credsFile;
  if (nkeySeedFile) settings.nkeySeedFile = nkeySeedFile;
  if (caFile) settings.caFile = caFile;
  if (caContents) settings.caContents = caContents;
  return Object.freeze(settings);
}
