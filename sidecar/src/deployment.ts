/**
 * Where this server runs: id, public address, ports, location, and how to stop itself. On
 * Edgegap it comes from the injected `ARBITRIUM_*` environment (plus the context API for the
 * fqdn and app name); in `--local` mode from flags or a file, like Agones' `sdk-server --local`.
 */
import type { PortMapping, ServerLocation } from '@playgap/protocol';
import type { LocalDeployment } from './config.js';
import { ConfigError } from './errors.js';

/** The facts of one deployment. */
export interface Deployment {
  serverId: string;
  publicIp: string;
  fqdn?: string;
  ports: Record<string, PortMapping>;
  location?: ServerLocation;
  /** App name from the Edgegap context, when it has one. */
  appName?: string;
  /** True outside Edgegap (flags or file). */
  local: boolean;
  /** ARBITRIUM_DELETE_URL / _TOKEN; absent in local mode. */
  selfStop?: { url: string; token: string };
  /** ARBITRIUM_CONTEXT_URL / _TOKEN. */
  context?: { url: string; token: string };
}

type Env = Record<string, string | undefined>;

/** True when the env looks like the inside of an Edgegap deployment. */
export function inDeployment(env: Env): boolean {
  return Boolean(env.ARBITRIUM_REQUEST_ID);
}

/**
 * Deployment facts from `--local` flags or file.
 *
 * @example
 * const d = localDeployment({ serverId: 'dev', publicIp: '127.0.0.1', ports: {} });
 */
export function localDeployment(local: LocalDeployment): Deployment {
  return {
    serverId: local.serverId,
    publicIp: local.publicIp,
    fqdn: local.fqdn,
    ports: local.ports,
    local: true,
  };
}

function parseJsonVar<T>(env: Env, name: string): T | undefined {
  const raw = env[name];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch (cause) {
    throw new ConfigError(name, 'is not valid JSON', { cause });
  }
}

/**
 * Deployment facts from Edgegap's injected environment (without the context API).
 *
 * @example
 * const d = deploymentFromEnv(process.env);
 */
export function deploymentFromEnv(env: Env): Deployment {
  const serverId = env.ARBITRIUM_REQUEST_ID?.trim();
  if (!serverId)
    throw new ConfigError(
      'ARBITRIUM_REQUEST_ID',
      'is missing: run inside an Edgegap deployment or pass --local',
    );
  const publicIp = env.ARBITRIUM_PUBLIC_IP?.trim();
  if (!publicIp) throw new ConfigError('ARBITRIUM_PUBLIC_IP', 'is missing');
  const ports: Record<string, PortMapping> = {};
  const mapping = parseJsonVar<{
    ports?: Record<string, Partial<PortMapping> & { tls_upgrade?: boolean }>;
  }>(env, 'ARBITRIUM_PORTS_MAPPING');
  for (const [name, p] of Object.entries(mapping?.ports ?? {})) {
    const internal = Number(p.internal);
    const external = Number(p.external);
    if (!Number.isInteger(internal) || !Number.isInteger(external)) {
      throw new ConfigError(
        'ARBITRIUM_PORTS_MAPPING',
        `has a port "${name}" without integer internal/external numbers`,
      );
    }
    ports[p.name ?? name] = {
      name: p.name ?? name,
      internal,
      external,
      protocol: String(p.protocol ?? 'TCP'),
      ...(p.tls_upgrade ? { tlsUpgrade: true } : {}),
    };
  }
  // Fallback: ARBITRIUM_PORT_<NAME>_INTERNAL|EXTERNAL|PROTOCOL (names come back upper-cased).
  if (Object.keys(ports).length === 0) {
    for (const [key, value] of Object.entries(env)) {
      const m = /^ARBITRIUM_PORT_(.+)_INTERNAL$/.exec(key);
      if (!m?.[1] || !value) continue;
      const name = m[1].toLowerCase();
      const internal = Number(value);
      const external = Number(env[`ARBITRIUM_PORT_${m[1]}_EXTERNAL`] ?? value);
      if (!Number.isInteger(internal) || !Number.isInteger(external))
        throw new ConfigError(key, 'is not a port number');
      ports[name] = {
        name,
        internal,
        external,
        protocol: env[`ARBITRIUM_PORT_${m[1]}_PROTOCOL`] ?? 'TCP',
      };
    }
  }
  const rawLocation = parseJsonVar<Record<string, unknown>>(env, 'ARBITRIUM_DEPLOYMENT_LOCATION');
  const location: ServerLocation | undefined = rawLocation
    ? {
        ...(typeof rawLocation.city === 'string' ? { city: rawLocation.city } : {}),
        ...(typeof rawLocation.country === 'string' ? { country: rawLocation.country } : {}),
        ...(typeof rawLocation.continent === 'string' ? { continent: rawLocation.continent } : {}),
        ...(Number.isFinite(Number(rawLocation.latitude)) && rawLocation.latitude !== undefined
          ? { latitude: Number(rawLocation.latitude) }
          : {}),
        ...(Number.isFinite(Number(rawLocation.longitude)) && rawLocation.longitude !== undefined
          ? { longitude: Number(rawLocation.longitude) }
          : {}),
      }
    : undefined;
  const deleteUrl = env.ARBITRIUM_DELETE_URL;
  const contextUrl = env.ARBITRIUM_CONTEXT_URL;
  return {
    serverId,
    publicIp,
    ports,
    local: false,
    ...(location ? { location } : {}),
    ...(deleteUrl ? { selfStop: { url: deleteUrl, token: env.ARBITRIUM_DELETE_TOKEN ?? '' } } : {}),
    ...(contextUrl
      ? { context: { url: contextUrl, token: env.ARBITRIUM_CONTEXT_TOKEN ?? '' } }
      : {}),
  };
}

/**
 * Merge what the context API says (fqdn, app name, location) into env facts.
 *
 * @example
 * const full = withContext(d, { fqdn: 'abc.pr.edgegap.net', app_name: 'arena' });
 */
export function withContext(deployment: Deployment, context: Record<string, unknown>): Deployment {
  const fqdn = typeof context.fqdn === 'string' && context.fqdn ? context.fqdn : deployment.fqdn;
  const appName =
    typeof context.app_name === 'string' && context.app_name
      ? context.app_name
      : deployment.appName;
  return { ...deployment, ...(fqdn ? { fqdn } : {}), ...(appName ? { appName } : {}) };
}
