/**
 * The app-version config file (YAML or JSON) that `playgap version create|update` turns into an
 * Edgegap app-version body: image and pull credentials, resources, ports, the sidecar's
 * settings, NATS access (the CA's PEM included) and extra env. `${VAR}` in any string is taken
 * from the environment, so secrets stay in CI secrets, never in the file. Secret values become
 * hidden Edgegap env (encrypted at rest, unreadable through the API).
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { PORT_PROTOCOLS } from '@playgap/protocol';
import { SettingError } from '@playgap/protocol/config';
import { checkSidecarEnv, SIDECAR_SETTINGS } from '@playgap/sidecar/settings';
import { parse as parseYaml } from 'yaml';
import { caArguments, DEFAULT_SERVER_COMMAND } from './container-arguments.js';
import { usageError } from './errors.js';

/** Edgegap's limit on one env value (bytes). */
export const EDGEGAP_ENV_VALUE_MAX_BYTES = 4096;
const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** One env entry of an Edgegap app version. */
export interface VersionEnv {
  key: string;
  value: string;
  is_hidden: boolean;
}

/**
 * The Edgegap app-version body (snake_case, as the API takes it) plus where it goes.
 *
 * @example
 * const { app, version, body } = await loadVersionConfig('docker/edgegap-version.yaml', process.env);
 */
export interface VersionPlan {
  app: string;
  version: string;
  body: {
    name: string;
    is_active: boolean;
    docker_repository: string;
    docker_image: string;
    docker_tag: string;
    private_username?: string;
    private_token?: string;
    req_cpu: number;
    req_memory: number;
    max_duration: number;
    restart_policy: 'always' | 'never' | 'on_failure';
    termination_grace_period_seconds: number;
    ports: {
      name: string;
      port: number;
      protocol: string;
      to_check: boolean;
      tls_upgrade: boolean;
    }[];
    envs: VersionEnv[];
    /** Replaces the image's CMD; set when the NATS CA travels as an argument. */
    arguments?: string;
  };
}

/** Where the NATS CA goes: the env value NATS_CA_CONTENTS, or the container `arguments`. */
export type NatsCaAs = 'env' | 'argument';

/** Command-line overrides of the config file (flags of `playgap version create|update`). */
export interface VersionOverrides {
  app?: string;
  version?: string;
  tag?: string;
  /** Path of the CA's PEM (already resolved), instead of nats.caFile. */
  natsCaFile?: string;
  natsCaAs?: NatsCaAs;
}

type Json = Record<string, unknown>;

/**
 * Read, substitute and validate a version config file.
 *
 * @example
 * const plan = await loadVersionConfig('edgegap-version.yaml', process.env, { version: 'v1.2.0' });
 * await edgegap.createVersion(plan.app, plan.body);
 */
export async function loadVersionConfig(
  path: string,
  env: NodeJS.ProcessEnv,
  overrides: VersionOverrides = {},
): Promise<VersionPlan> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw usageError(`Cannot read the config file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw usageError(`${path} is not valid YAML/JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const config = substitute(raw, env, '');
  return buildPlan(asObject(config, ''), dirname(resolve(path)), overrides);
}

/** Replace `${VAR}` in every string; a missing variable is an error naming it and its place. */
function substitute(value: unknown, env: NodeJS.ProcessEnv, at: string): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const found = env[name];
      if (found === undefined || found === '') {
        throw usageError(`${at || 'config'} uses \${${name}}, but ${name} is not set.`);
      }
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, env, `${at}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substitute(v, env, at ? `${at}.${k}` : k)]),
    );
  }
  return value;
}

function asObject(value: unknown, at: string): Json {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw usageError(`${at || 'The config file'} must be a mapping (key: value).`);
  }
  return value as Json;
}

/** Refuse keys the file format does not have, so a typo is not silently ignored. */
function onlyKeys(obj: Json, keys: readonly string[], at: string): void {
  for (const key of Object.keys(obj)) {
    if (!keys.includes(key)) {
      throw usageError(`${at}${key} is not a known field (known: ${keys.join(', ')}).`);
    }
  }
}

function str(obj: Json, key: string, at: string, fallback?: string): string {
  const value = obj[key] ?? fallback;
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string' || value === '') {
    throw usageError(`${at}${key} is required (a non-empty string).`);
  }
  return value;
}

function optionalStr(obj: Json, key: string, at: string): string | undefined {
  return obj[key] === undefined ? undefined : str(obj, key, at);
}

function int(
  obj: Json,
  key: string,
  at: string,
  min: number,
  max: number,
  fallback?: number,
): number {
  const value = obj[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw usageError(`${at}${key} must be an integer ${min}..${max}.`);
  }
  return value;
}

/**
 * A sidecar field as the text of its variable (the sidecar's schema checks it), or its
 * default; a field of the wrong type (a list, a mapping) keeps that type so the check refuses it.
 */
function sidecarField(sidecar: Json, field: string): string | number | undefined {
  const value = sidecar[field];
  if (value === undefined) {
    const key = field === 'port' ? 'sidecarPort' : field;
    const setting = SIDECAR_SETTINGS[key as keyof typeof SIDECAR_SETTINGS];
    return setting.default as string | number;
  }
  if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) {
    return value;
  }
  return JSON.stringify(value);
}

function bool(obj: Json, key: string, at: string, fallback: boolean): boolean {
  const value = obj[key] ?? fallback;
  if (typeof value !== 'boolean') throw usageError(`${at}${key} must be true or false.`);
  return value;
}

function buildPlan(
  config: Json,
  baseDir: string,
  overrides: VersionOverrides,
): Promise<VersionPlan> | VersionPlan {
  onlyKeys(
    config,
    [
      'app',
      'version',
      'image',
      'resources',
      'maxDurationMinutes',
      'restartPolicy',
      'terminationGraceSeconds',
      'ports',
      'sidecar',
      'nats',
      'env',
      'serverCommand',
    ],
    '',
  );
  const app = overrides.app ?? str(config, 'app', '');
  if (!NAME.test(app)) throw usageError('app must be 1-64 letters, digits, "_" or "-".');
  const version = overrides.version ?? str(config, 'version', '');
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(version)) {
    throw usageError('version must be 1-64 letters, digits, ".", "_" or "-".');
  }

  const image = asObject(config.image, 'image');
  onlyKeys(image, ['registry', 'repository', 'tag', 'pullUsername', 'pullToken'], 'image.');
  const pullUsername = optionalStr(image, 'pullUsername', 'image.');
  const pullToken = optionalStr(image, 'pullToken', 'image.');
  if ((pullUsername === undefined) !== (pullToken === undefined)) {
    throw usageError('image.pullUsername and image.pullToken go together: give both or neither.');
  }

  const resources = asObject(config.resources ?? {}, 'resources');
  onlyKeys(resources, ['cpuUnits', 'memoryMb'], 'resources.');
  const ports = Object.entries(asObject(config.ports, 'ports')).map(([name, spec]) => {
    const at = `ports.${name}.`;
    if (!NAME.test(name)) throw usageError(`ports: "${name}" is not a valid port name.`);
    const port = asObject(spec, `ports.${name}`);
    onlyKeys(port, ['port', 'protocol', 'check', 'tlsUpgrade'], at);
    const protocol = str(port, 'protocol', at).toUpperCase();
    if (!(PORT_PROTOCOLS as readonly string[]).includes(protocol)) {
      throw usageError(`${at}protocol must be one of ${PORT_PROTOCOLS.join(', ')}.`);
    }
    const tlsUpgrade = bool(port, 'tlsUpgrade', at, false);
    if (tlsUpgrade && !['WS', 'HTTP'].includes(protocol)) {
      throw usageError(`${at}tlsUpgrade works only with protocol WS or HTTP.`);
    }
    return {
      name,
      port: int(port, 'port', at, 1, 59_999),
      protocol,
      to_check: bool(port, 'check', at, protocol !== 'UDP'),
      tls_upgrade: tlsUpgrade,
    };
  });
  if (ports.length === 0) throw usageError('ports must name at least one port.');

  const restartPolicy = str(config, 'restartPolicy', '', 'never');
  if (!['always', 'never', 'on_failure'].includes(restartPolicy)) {
    throw usageError('restartPolicy must be always, never or on_failure.');
  }

  const serverCommand = config.serverCommand ?? DEFAULT_SERVER_COMMAND;
  if (
    !Array.isArray(serverCommand) ||
    serverCommand.length === 0 ||
    !serverCommand.every((w) => typeof w === 'string' && w !== '')
  ) {
    throw usageError('serverCommand must be a non-empty list of non-empty strings.');
  }

  return withEnvs(config, baseDir, app, version, overrides).then(({ envs, caPem, caAs }) => ({
    app,
    version,
    body: {
      name: version,
      is_active: true,
      docker_repository: str(image, 'registry', 'image.', 'registry.edgegap.com'),
      docker_image: str(image, 'repository', 'image.'),
      docker_tag: overrides.tag ?? str(image, 'tag', 'image.', version),
      ...(pullUsername && pullToken
        ? { private_username: pullUsername, private_token: pullToken }
        : {}),
      req_cpu: int(resources, 'cpuUnits', 'resources.', 128, 65_536, 256),
      req_memory: int(resources, 'memoryMb', 'resources.', 128, 262_144, 256),
      max_duration: int(config, 'maxDurationMinutes', '', -1, 1440, 1440),
      restart_policy: restartPolicy as 'always' | 'never' | 'on_failure',
      termination_grace_period_seconds: int(config, 'terminationGraceSeconds', '', 5, 3600, 15),
      ports,
      envs,
      ...(caPem !== undefined && caAs === 'argument'
        ? { arguments: caArguments(caPem, serverCommand as string[]) }
        : {}),
    },
  }));
}

async function withEnvs(
  config: Json,
  baseDir: string,
  app: string,
  version: string,
  overrides: VersionOverrides,
) {
  const envs: VersionEnv[] = [];
  const add = (key: string, value: string | number | undefined, hidden = false) => {
    if (value === undefined) return;
    const text = String(value);
    if (Buffer.byteLength(text) > EDGEGAP_ENV_VALUE_MAX_BYTES) {
      throw usageError(
        `The value of ${key} is over Edgegap's ${EDGEGAP_ENV_VALUE_MAX_BYTES}-byte limit.`,
      );
    }
    envs.push({ key, value: text, is_hidden: hidden });
  };

  add('PLAYGAP_APP', app);
  add('PLAYGAP_VERSION', version);
  const sidecar = asObject(config.sidecar, 'sidecar');
  onlyKeys(
    sidecar,
    [
      'protocolId',
      'privateKey',
      'tokenDialect',
      'capacity',
      'idleTimeoutMs',
      'readyTimeoutMs',
      'port',
    ],
    'sidecar.',
  );
  // Each field becomes the sidecar's variable, checked by the sidecar's own schema: a version
  // whose sidecar would exit at start is never shipped.
  const sidecarEnv: [string, string, string | number | undefined][] = [
    ['protocolId', 'PLAYGAP_PROTOCOL_ID', str(sidecar, 'protocolId', 'sidecar.')],
    ['privateKey', 'PLAYGAP_PRIVATE_KEY', str(sidecar, 'privateKey', 'sidecar.').trim()],
    ['tokenDialect', 'PLAYGAP_TOKEN_DIALECT', sidecarField(sidecar, 'tokenDialect')],
    ['capacity', 'PLAYGAP_CAPACITY', sidecarField(sidecar, 'capacity')],
    ['idleTimeoutMs', 'PLAYGAP_IDLE_TIMEOUT_MS', sidecarField(sidecar, 'idleTimeoutMs')],
    ['readyTimeoutMs', 'PLAYGAP_READY_TIMEOUT_MS', sidecarField(sidecar, 'readyTimeoutMs')],
    ['port', 'PLAYGAP_SIDECAR_PORT', sidecarField(sidecar, 'port')],
  ];
  const fieldOf = new Map(sidecarEnv.map(([field, variable]) => [variable, field]));
  try {
    checkSidecarEnv(
      Object.fromEntries(sidecarEnv.map(([, variable, value]) => [variable, value])) as Record<
        string,
        string | undefined
      >,
      (variable) => `sidecar.${fieldOf.get(variable)} (${variable})`,
    );
  } catch (error) {
    if (!(error instanceof SettingError)) throw error;
    throw usageError(`${error.message}.`, { cause: error });
  }
  for (const [, variable, value] of sidecarEnv) {
    add(variable, value, variable === 'PLAYGAP_PRIVATE_KEY');
  }

  const nats = asObject(config.nats, 'nats');
  onlyKeys(nats, ['url', 'user', 'password', 'caFile', 'caAs'], 'nats.');
  const url = str(nats, 'url', 'nats.');
  if (!/^(nats|tls):\/\/[^\s/]+$/.test(url)) {
    throw usageError('nats.url must look like tls://nats.example.com:4222.');
  }
  add('NATS_URL', url);
  add('NATS_USER', str(nats, 'user', 'nats.', 'gameserver'));
  add('NATS_PASSWORD', str(nats, 'password', 'nats.'), true);
  const caAs = overrides.natsCaAs ?? str(nats, 'caAs', 'nats.', 'env');
  if (caAs !== 'env' && caAs !== 'argument') {
    throw usageError('nats.caAs (--nats-ca-as) must be env or argument.');
  }
  const caFile = overrides.natsCaFile ?? optionalStr(nats, 'caFile', 'nats.');
  if (caAs === 'argument' && !caFile) {
    throw usageError('The NATS CA as an argument needs the CA: --nats-ca FILE or nats.caFile.');
  }
  let caPem: string | undefined;
  if (caFile) {
    let pem: string;
    try {
      pem = await readFile(resolve(baseDir, caFile), 'utf8');
    } catch (error) {
      throw usageError(`Cannot read nats.caFile ${caFile}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      throw usageError(`nats.caFile ${caFile} is not a PEM certificate.`);
    }
    caPem = pem.trim();
    if (caAs === 'env') add('NATS_CA_CONTENTS', caPem);
  }

  const extra = config.env ?? [];
  if (!Array.isArray(extra)) throw usageError('env must be a list of {key, value, hidden?}.');
  extra.forEach((item, i) => {
    const entry = asObject(item, `env[${i}]`);
    onlyKeys(entry, ['key', 'value', 'hidden'], `env[${i}].`);
    const key = str(entry, 'key', `env[${i}].`);
    if (!ENV_KEY.test(key))
      throw usageError(`env[${i}].key "${key}" is not a valid variable name.`);
    if (envs.some((e) => e.key === key)) throw usageError(`env[${i}].key ${key} is set twice.`);
    add(key, str(entry, 'value', `env[${i}].`), bool(entry, 'hidden', `env[${i}].`, false));
  });
  return { envs, caPem, caAs: caAs as NatsCaAs };
}

/**
 * The plan with every hidden value and the pull token replaced by `***`, for printing.
 *
 * @example
 * console.log(JSON.stringify(redactPlan(plan)));
 */
export function redactPlan(plan: VersionPlan): VersionPlan {
  return {
    ...plan,
    body: {
      ...plan.body,
      ...(plan.body.private_token ? { private_token: '***' } : {}),
      envs: plan.body.envs.map((e) => (e.is_hidden ? { ...e, value: '***' } : e)),
    },
  };
}
