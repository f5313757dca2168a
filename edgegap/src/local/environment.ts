/**
 * The environment a deployed process gets: what a real Edgegap deployment injects
 * (ARBITRIUM_*), then the version's envs, then the request's (which win), plus the parent's
 * PATH/HOME/NODE_* so `node` works (a container gets none of those).
 */
import type { Deployment } from './deployments.js';
import { locationView } from './locations.js';

function portEnvName(name: string): string {
  return name.toUpperCase().replace(/ /g, '_');
}

const PARENT_ENV = /^(PATH|HOME|TMPDIR|TMP|TEMP|LANG|LC_ALL|USER|NODE_.*)$/;

/** The injected environment of a real Edgegap deployment, plus what `node` needs. */
export function injectedEnvironment(
  d: Deployment,
  base: string,
  publicIp: string,
  /** Add edgegap-local's PATH/HOME/NODE_* (a local process needs them; a container must not). */
  inheritParent = true,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (inheritParent && value !== undefined && PARENT_ENV.test(key)) env[key] = value;
  }
  const mapping: Record<
    string,
    { name: string; internal: number; external: number; protocol: string }
  > = {};
  for (const p of Object.values(d.ports)) {
    mapping[p.name] = {
      name: p.name,
      internal: p.internal,
      external: p.external,
      protocol: p.protocol,
    };
    const name = portEnvName(p.name);
    env[`ARBITRIUM_PORT_${name}_INTERNAL`] = String(p.internal);
    env[`ARBITRIUM_PORT_${name}_EXTERNAL`] = String(p.external);
    env[`ARBITRIUM_PORT_${name}_PROTOCOL`] = p.protocol;
  }
  Object.assign(env, {
    ARBITRIUM_REQUEST_ID: d.requestId,
    ARBITRIUM_PUBLIC_IP: publicIp,
    ARBITRIUM_HOST_ID: 'edgegap-local',
    ARBITRIUM_PORTS_MAPPING: JSON.stringify({ ports: mapping }),
    ARBITRIUM_CONTEXT_URL: `${base}/v1/context/${d.requestId}/${d.contextNumber}`,
    ARBITRIUM_CONTEXT_TOKEN: d.contextToken,
    ARBITRIUM_DELETE_URL: `${base}/v1/self/stop/${d.requestId}/${d.deleteKey}`,
    ARBITRIUM_DELETE_TOKEN: d.deleteToken,
    ARBITRIUM_DEPLOYMENT_LOCATION: JSON.stringify(locationView(d.location)),
    ARBITRIUM_DEPLOYMENT_TAGS: [...d.tags.keys()].join(','),
    ARBITRIUM_DEPLOYMENT_VCPU_UNITS: String(d.version.req_cpu ?? 256),
    ARBITRIUM_DEPLOYMENT_MEMORY_MB: String(d.version.req_memory ?? 512),
  });
  const versionEnvs = (d.version.envs ?? []) as { key: string; value: string }[];
  for (const e of [...versionEnvs, ...d.requestEnvs]) env[e.key] = e.value;
  return env;
}
