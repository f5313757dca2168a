/**
 * edgegap-local configuration: the apps and versions it starts with (a JSON file or options),
 * the API key, where it listens, port mode and timing. Validated once; a bad value fails at
 * start with its name in the message.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { PORT_PROTOCOLS, type PortProtocol } from '@playgap/protocol';
import { EdgegapConfigError } from '../errors.js';
import { type LocalClock, systemLocalClock } from './clock.js';
import type { FaultSpec } from './faults.js';
import { type LocalLocationConfig, validateLocations } from './locations.js';

/**
 * A version as edgegap-local runs it: Edgegap's version fields plus a local `command`.
 * @example { name: 'v1', command: 'node', arguments: ['server.js'], ports: [{ name: 'game', port: 7777, protocol: 'UDP' }] }
 */
export interface LocalVersionConfig {
  name: string;
  /** Program to run; with `arguments` as a string, the pair runs through /bin/sh. */
  command?: string;
  /**
   * Without `command`: the local image to run as a container (`docker_image:docker_tag`),
   * its ENTRYPOINT with `arguments` as the CMD, like Edgegap. @example 'playgap/gameserver'
   */
  docker_image?: string;
  /** Tag of `docker_image`; default 'latest'. */
  docker_tag?: string;
  arguments?: string | string[];
  /** Working directory; relative to the config file's folder. */
  working_dir?: string;
  ports: {
    name: string;
    port: number;
    protocol: PortProtocol;
    to_check?: boolean;
    tls_upgrade?: boolean;
  }[];
  envs?: { key: string; value: string; is_hidden?: boolean }[];
  /** Minutes (fractions allowed locally); default 1440. */
  max_duration?: number;
  termination_grace_period_seconds?: number;
  session_config?: {
    kind: 'Default' | 'Seat' | 'Match';
    sockets?: number;
    autodeploy?: boolean;
    /** Minutes (fractions allowed locally). */
    empty_ttl?: number;
  };
}

/** An app and its versions. @example { name: 'my-game', versions: [version] } */
export interface LocalAppConfig {
  name: string;
  versions: LocalVersionConfig[];
}

/** Options of edgegap-local (all optional). @example await startEdgegapLocal({ configFile: 'edgegap-local.json', portMode: 'mapped' }); */
export interface EdgegapLocalOptions {
  apps?: LocalAppConfig[];
  /** JSON file `{ "apps": [...], "faults"?: [...] }` loaded at start. */
  configFile?: string;
  /** Key clients must send as `Authorization: token <key>`; default 'local-dev-key'. */
  apiKey?: string;
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** Listen port; default 0 (a free one). */
  port?: number;
  /** ARBITRIUM_PUBLIC_IP and `public_ip`; default 127.0.0.1. */
  publicIp?: string;
  /** `same`: external = internal port; `mapped`: a different external port relayed. */
  portMode?: 'same' | 'mapped';
  timing?: {
    /** Per INITIALIZING→SEEKING→SEEKED→SCANNING→DEPLOYING step, ms; default 50. */
    statusStepMs?: number;
    /** A UDP port to_check counts as ready after the process is up this long, ms; default 200. */
    udpReadyAfterMs?: number;
    /** ERROR when to_check ports do not accept by then, ms; default 30000. */
    readyTimeoutMs?: number;
    /** Pause between two probes of the to_check ports while DEPLOYING, ms (> 0); default 25. */
    readyPollMs?: number;
    /** A status webhook POST is abandoned after this long, ms (Edgegap: 10 s); default 10000. */
    webhookTimeoutMs?: number;
  };
  /**
   * Time source for status steps, READY polling, max_duration, empty_ttl, webhook timeouts,
   * fault latency and reported times; default the real clock. Tests pass a
   * `ManualLocalClock` (edgegap/src/local/clock.ts) to move time by hand. Process kill and
   * grace timers stay on real time.
   */
  clock?: LocalClock;
  /** Faults active from the start (same shape as POST /_local/faults). */
  faults?: FaultSpec[];
  /**
   * Regions deployments are placed in, each with a ping endpoint (docs/edgegap.md), or `demo`
   * for Montreal, Frankfurt and Tokyo; the config file's `locations` come first. Default none:
   * every deployment reports the one "Localhost" location and no beacon is listed.
   */
  locations?: LocalLocationConfig[] | 'demo';
  /** Fastify request logging; default false. */
  logger?: boolean;
  /**
   * Called with each line a deployment's process writes (stdout and stderr) and each note
   * edgegap-local adds to its log (exit code, errors), as they come; the container-logs
   * endpoint serves the same text. Default: lines are only kept for that endpoint.
   */
  onOutput?: (line: DeploymentOutputLine) => void;
}

/** One line of a deployment's output. @example { requestId: 'a1b2c3d4e5f6', app: 'arena', version: '1.0.0', line: 'listening on 4000' } */
export interface DeploymentOutputLine {
  requestId: string;
  app: string;
  version: string;
  /** The line without its newline. */
  line: string;
}

/** Validated configuration. */
export interface LocalConfig {
  apps: LocalAppConfig[];
  apiKey: string;
  host: string;
  port: number;
  publicIp: string;
  portMode: 'same' | 'mapped';
  statusStepMs: number;
  udpReadyAfterMs: number;
  readyTimeoutMs: number;
  readyPollMs: number;
  webhookTimeoutMs: number;
  clock: LocalClock;
  faults: FaultSpec[];
  locations: LocalLocationConfig[];
  logger: boolean;
  onOutput?: (line: DeploymentOutputLine) => void;
}

export const DEFAULT_LOCAL_API_KEY = 'local-dev-key';
export const DEFAULT_STATUS_STEP_MS = 50;
export const DEFAULT_UDP_READY_AFTER_MS = 200;
export const DEFAULT_READY_TIMEOUT_MS = 30_000;
export const DEFAULT_READY_POLL_MS = 25;
/** Like Edgegap: one POST, 10 s timeout, no retry. */
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;

const fail = (message: string): never => {
  throw new EdgegapConfigError(`edgegap-local: ${message}`);
};

function nonNegative(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    return fail(`${name} must be a number >= 0`);
  }
  return value;
}

function positive(name: string, value: unknown, fallback: number): number {
  const n = nonNegative(name, value, fallback);
  return n > 0 ? n : fail(`${name} must be a number > 0`);
}

function validClock(value: unknown): LocalClock {
  if (value === undefined) return systemLocalClock;
  const c = value as Partial<LocalClock> | null;
  if (typeof c?.now !== 'function' || typeof c.setTimeout !== 'function') {
    return fail('clock must have now() and setTimeout(fn, ms)');
  }
  return c as LocalClock;
}

/** Check one version; returns it with `working_dir` resolved against `baseDir`. */
export function validateVersion(
  where: string,
  raw: unknown,
  baseDir: string,
  requireCommand = true,
): LocalVersionConfig {
  if (typeof raw !== 'object' || raw === null) return fail(`${where} must be an object`);
  const v = raw as Record<string, unknown>;
  if (typeof v.name !== 'string' || v.name === '') fail(`${where}.name must be a non-empty string`);
  const runsImage = v.command === undefined && typeof v.docker_image === 'string';
  if (requireCommand && !runsImage && (typeof v.command !== 'string' || v.command === '')) {
    fail(`${where}.command must be a non-empty string (or give docker_image to run a container)`);
  }
  if (
    v.docker_image !== undefined &&
    (typeof v.docker_image !== 'string' || v.docker_image === '')
  ) {
    fail(`${where}.docker_image must be a non-empty string`);
  }
  const args = v.arguments;
  if (
    args !== undefined &&
    typeof args !== 'string' &&
    !(Array.isArray(args) && args.every((a) => typeof a === 'string'))
  ) {
    fail(`${where}.arguments must be a string or a list of strings`);
  }
  const ports = v.ports ?? [];
  if (!Array.isArray(ports)) return fail(`${where}.ports must be a list`);
  const names = new Set<string>();
  for (const [i, p] of (ports as unknown[]).entries()) {
    const at = `${where}.ports[${i}]`;
    if (typeof p !== 'object' || p === null) fail(`${at} must be an object`);
    const port = p as Record<string, unknown>;
    if (typeof port.name !== 'string' || port.name === '') fail(`${at}.name is required`);
    if (names.has(port.name as string)) fail(`${at}.name "${port.name}" is used twice`);
    names.add(port.name as string);
    if (!PORT_PROTOCOLS.includes(port.protocol as PortProtocol)) {
      fail(`${at}.protocol must be one of ${PORT_PROTOCOLS.join(', ')}`);
    }
    if (port.port !== undefined && (typeof port.port !== 'number' || port.port < 0)) {
      fail(`${at}.port must be a number >= 0`);
    }
  }
  const envs = v.envs ?? [];
  if (
    !Array.isArray(envs) ||
    !envs.every(
      (e) =>
        typeof e === 'object' &&
        e !== null &&
        typeof (e as { key?: unknown }).key === 'string' &&
        typeof (e as { value?: unknown }).value === 'string',
    )
  ) {
    fail(`${where}.envs must be a list of {key, value} strings`);
  }
  nonNegative(`${where}.max_duration`, v.max_duration, 0);
  nonNegative(`${where}.termination_grace_period_seconds`, v.termination_grace_period_seconds, 0);
  const session = v.session_config;
  if (session !== undefined) {
    const s = session as Record<string, unknown>;
    if (!['Default', 'Seat', 'Match'].includes(s?.kind as string)) {
      fail(`${where}.session_config.kind must be Default, Seat or Match`);
    }
    nonNegative(`${where}.session_config.sockets`, s.sockets, 0);
    nonNegative(`${where}.session_config.empty_ttl`, s.empty_ttl, 0);
  }
  const out = { ...v, ports, envs } as unknown as LocalVersionConfig;
  if (typeof v.working_dir === 'string') out.working_dir = resolve(baseDir, v.working_dir);
  return out;
}

function validateApps(raw: unknown, baseDir: string): LocalAppConfig[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) return fail('apps must be a list');
  return raw.map((app, i) => {
    if (typeof app !== 'object' || app === null) return fail(`apps[${i}] must be an object`);
    const a = app as Record<string, unknown>;
    if (typeof a.name !== 'string' || a.name === '') fail(`apps[${i}].name is required`);
    if (!Array.isArray(a.versions)) fail(`apps[${i}].versions must be a list`);
    return {
      name: a.name as string,
      versions: (a.versions as unknown[]).map((v, j) =>
        validateVersion(`apps[${i}].versions[${j}]`, v, baseDir),
      ),
    };
  });
}

/** Read the config file (if any), merge with options, check everything, apply defaults. */
export async function resolveLocalConfig(options: EdgegapLocalOptions = {}): Promise<LocalConfig> {
  let fileApps: LocalAppConfig[] = [];
  let fileFaults: FaultSpec[] = [];
  let fileLocations: LocalLocationConfig[] = [];
  if (options.configFile) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(options.configFile, 'utf8'));
    } catch (error) {
      return fail(`cannot read config file ${options.configFile}: ${(error as Error).message}`);
    }
    const file = (Array.isArray(parsed) ? { apps: parsed } : parsed) as Record<string, unknown>;
    fileApps = validateApps(file.apps, dirname(resolve(options.configFile)));
    if (file.faults !== undefined && !Array.isArray(file.faults)) fail('faults must be a list');
    fileFaults = (file.faults as FaultSpec[] | undefined) ?? [];
    fileLocations = validateLocations(file.locations);
  }
  const locations = [...fileLocations, ...validateLocations(options.locations)];
  if (new Set(locations.map((l) => l.city.toLowerCase())).size !== locations.length) {
    fail('locations: a city is listed twice (config file and options)');
  }
  const apps = [...fileApps, ...validateApps(options.apps, process.cwd())];
  const portMode = options.portMode ?? 'same';
  if (portMode !== 'same' && portMode !== 'mapped') fail('portMode must be "same" or "mapped"');
  const port = nonNegative('port', options.port, 0);
  const timing = options.timing ?? {};
  return Object.freeze({
    apps,
    apiKey: options.apiKey ?? DEFAULT_LOCAL_API_KEY,
    host: options.host ?? '127.0.0.1',
    port,
    publicIp: options.publicIp ?? '127.0.0.1',
    portMode,
    statusStepMs: nonNegative('timing.statusStepMs', timing.statusStepMs, DEFAULT_STATUS_STEP_MS),
    udpReadyAfterMs: nonNegative(
      'timing.udpReadyAfterMs',
      timing.udpReadyAfterMs,
      DEFAULT_UDP_READY_AFTER_MS,
    ),
    readyTimeoutMs: nonNegative(
      'timing.readyTimeoutMs',
      timing.readyTimeoutMs,
      DEFAULT_READY_TIMEOUT_MS,
    ),
    readyPollMs: positive('timing.readyPollMs', timing.readyPollMs, DEFAULT_READY_POLL_MS),
    webhookTimeoutMs: positive(
      'timing.webhookTimeoutMs',
      timing.webhookTimeoutMs,
      DEFAULT_WEBHOOK_TIMEOUT_MS,
    ),
    clock: validClock(options.clock),
    faults: [...fileFaults, ...(options.faults ?? [])],
    locations,
    logger: options.logger ?? false,
    ...(options.onOutput ? { onOutput: validOutputSink(options.onOutput) } : {}),
  });
}

function validOutputSink(sink: unknown): (line: DeploymentOutputLine) => void {
  if (typeof sink !== 'function') fail('onOutput must be a function');
  return sink as (line: DeploymentOutputLine) => void;
}
