/**
 * Game-server options: validated once, defaults named with their units, env read here only.
 */
import { ServerConfigError } from './errors.js';
import type { SidecarInfo } from './sidecar-client.js';

/** Options of {@link createGameServer}. Every field has a default. */
export interface GameServerOptions {
  /** Sidecar base URL. Default env PLAYGAP_SIDECAR_URL. */
  sidecarUrl?: string;
  /** Port names of the deployment (see docs/server-sdk.md). Defaults `game`, `rtc`, `wt`. */
  portNames?: { game?: string; rtc?: string; wt?: string };
  /** Transports to run when their ports exist. All default true. */
  /**
   * Transports to run. `webtransport`: true (default) runs it when HTTP/3 is available,
   * `'http2'` runs HTTP/2 only for Node clients (never offered to browsers), false never.
   */
  transports?: { websocket?: boolean; webrtc?: boolean; webtransport?: boolean | 'http2' };
  /** URL paths. Defaults `/ws` and `/wt`. */
  paths?: { websocket?: string; webtransport?: string };
  /** Max players, sent with ready. Default: the sidecar's capacity. */
  capacity?: number;
  /** Mark ready as soon as the transports run. Default true; else call `server.ready()`. */
  autoReady?: boolean;
  /** Interface to listen on. Default `0.0.0.0`. */
  host?: string;
  heartbeatIntervalMs?: number;
  sidecarWaitTimeoutMs?: number;
  authTimeoutMs?: number;
  halfOpenTimeoutMs?: number;
  reapIntervalMs?: number;
  /** WebRTC: drop a player whose heartbeats stopped this long ago. Default 2000 ms. */
  deadPeerTimeoutMs?: number;
  /** How long close() waits for disconnect reports to reach the sidecar. */
  closeTimeoutMs?: number;
  /**
   * A dropped player whose grace period ended leaves when the sidecar says so (`left` event),
   * or at the latest this long after the grace should have ended. Default 5000 ms.
   */
  graceSlackMs?: number;
  /** CORS origin of the geckos signaling routes. Default `*`. */
  corsOrigin?: string;
  /** Close on SIGTERM/SIGINT, then exit 0. Default true. */
  handleSignals?: boolean;
  /** Environment to read. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Log sink. Default console.log with a prefix. */
  log?: (message: string) => void;
  /** Clock (Unix ms). */
  now?: () => number;
}

/**
 * Named defaults of the timing options.
 *
 * @example
 * createGameServer({ heartbeatIntervalMs: DEFAULTS.heartbeatIntervalMs * 2 });
 */
export const DEFAULTS = {
  heartbeatIntervalMs: 2_000,
  sidecarWaitTimeoutMs: 30_000,
  halfOpenTimeoutMs: 15_000,
  reapIntervalMs: 1_000,
  closeTimeoutMs: 3_000,
  graceSlackMs: 5_000,
} as const;

/** Where a port named in the deployment is, inside and outside. */
export interface ResolvedPort {
  name: string;
  internal: number;
  external: number;
}

/**
 * Find a port by name: PLAYGAP_PORT_<NAME> (internal) wins, then the sidecar's info.
 *
 * @example
 * resolvePort('rtc', info, process.env); // { name: 'rtc', internal: 5001, external: 31001 }
 */
export function resolvePort(
  name: string,
  info: SidecarInfo,
  env: NodeJS.ProcessEnv,
): ResolvedPort | undefined {
  const key = name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  const fromInfo = info.ports?.[name];
  const envInternal = env[`PLAYGAP_PORT_${key}`];
  const internal =
    envInternal !== undefined ? parsePort(`PLAYGAP_PORT_${key}`, envInternal) : fromInfo?.internal;
  if (internal === undefined) return undefined;
  const envExternal = env[`ARBITRIUM_PORT_${key}_EXTERNAL`];
  const external =
    fromInfo?.external ??
    (envExternal !== undefined
      ? parsePort(`ARBITRIUM_PORT_${key}_EXTERNAL`, envExternal)
      : internal);
  return { name, internal, external };
}

function parsePort(variable: string, value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ServerConfigError(`${variable} must be a port number 1-65535.`);
  }
  return port;
}

/**
 * Validate the options that need it and return the sidecar URL (ServerConfigError naming the
 * variable otherwise).
 *
 * @example
 * sidecarUrlFrom({}, { PLAYGAP_SIDECAR_URL: 'http://127.0.0.1:7999' }); // 'http://127.0.0.1:7999'
 */
export function sidecarUrlFrom(options: GameServerOptions, env: NodeJS.ProcessEnv): string {
  const url = options.sidecarUrl ?? env['PLAYGAP_SIDECAR_URL'];
  if (!url)
    throw new ServerConfigError(
      'PLAYGAP_SIDECAR_URL is not set: run the game server under playgap-sidecar.',
    );
  try {
    new URL(url);
  } catch (err) {
    throw new ServerConfigError('PLAYGAP_SIDECAR_URL is not a URL.', { cause: err });
  }
  for (const key of [
    'heartbeatIntervalMs',
    'sidecarWaitTimeoutMs',
    'authTimeoutMs',
    'halfOpenTimeoutMs',
    'deadPeerTimeoutMs',
  ] as const) {
    const v = options[key];
    if (v !== undefined && (!Number.isFinite(v) || v <= 0))
      throw new ServerConfigError(`${key} must be > 0 ms.`);
  }
  return url;
}
