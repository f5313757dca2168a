/**
 * The sidecar's settings, each defined once with its variable, kind, bounds, unit and default.
 * The sidecar reads its env with this schema, and `playgap version create` checks a version's
 * env with it too, so the CLI can never ship a version whose sidecar exits at start. This
 * module imports nothing but protocol, so the CLI and the matchmaker can load it cheaply
 * (`@playgap/sidecar/settings`).
 */
import { KV_DEFAULTS } from '@playgap/protocol';
import {
  appNameSetting,
  capacitySetting,
  durationMsSetting,
  integerSetting,
  privateKeySetting,
  protocolIdSetting,
  type SchemaValues,
  SettingError,
  textSetting,
  tokenDialectSetting,
} from '@playgap/protocol/config';
import { KV_REPLICAS_SETTING } from '@playgap/protocol/kv';
import { MAX_CERT_VALIDITY_DAYS } from './certificate.js';

const DAY_MS = 86_400_000;

/**
 * Every setting of `playgap-sidecar`, keyed by its SidecarConfig field. NATS_* are read by
 * protocol's shared NATS parser.
 *
 * @example
 * SIDECAR_SETTINGS.capacity.max; // 1024
 */
export const SIDECAR_SETTINGS = Object.freeze({
  app: appNameSetting({
    doc: "app name; the Edgegap context's app_name when unset",
    defaultText: "the Edgegap context's `app_name`",
  }),
  version: textSetting({
    env: 'PLAYGAP_VERSION',
    doc: 'the app version this server runs (`local` in --local mode)',
    defaultText: "Edgegap's version",
  }),
  protocolId: protocolIdSetting({
    required: true,
    doc: 'the u64 protocol id shared with the matchmaker',
  }),
  privateKey: privateKeySetting({
    required: true,
    doc: '64 hex characters or a list of 32 numbers shared with the matchmaker',
  }),
  tokenDialect: tokenDialectSetting(),
  capacity: capacitySetting(),
  sidecarPort: integerSetting({
    env: 'PLAYGAP_SIDECAR_PORT',
    min: 0,
    max: 65_535,
    default: 7999,
    unit: 'port',
    doc: 'local API port on 127.0.0.1; 0 = a free one',
  }),
  idleTimeoutMs: durationMsSetting({
    env: 'PLAYGAP_IDLE_TIMEOUT_MS',
    min: 0,
    max: 2 ** 40,
    default: 300_000,
    doc: 'ready with 0 players this long → self-stop; 0 = never',
  }),
  readyTimeoutMs: durationMsSetting({
    env: 'PLAYGAP_READY_TIMEOUT_MS',
    min: 1,
    max: 2 ** 40,
    default: 60_000,
    doc: 'the game server must call ready within this',
  }),
  heartbeatTimeoutMs: durationMsSetting({
    env: 'PLAYGAP_HEARTBEAT_TIMEOUT_MS',
    min: 0,
    max: 2 ** 40,
    default: 30_000,
    doc: 'game-server heartbeats missed this long → unhealthy and stop; 0 = off',
  }),
  reconnectGraceMs: durationMsSetting({
    env: 'PLAYGAP_RECONNECT_GRACE_MS',
    flag: 'reconnect-grace-ms',
    min: 0,
    max: 3_600_000,
    default: 20_000,
    doc: "a dropped player's seat is held this long for a reconnect; 0 = freed at once",
  }),
  certDir: textSetting({
    env: 'PLAYGAP_CERT_DIR',
    doc: 'where the WebTransport certificate and key are written',
    defaultText: 'a temp dir',
  }),
  certValidityDays: integerSetting({
    env: 'PLAYGAP_CERT_VALIDITY_DAYS',
    min: 1,
    max: MAX_CERT_VALIDITY_DAYS,
    default: MAX_CERT_VALIDITY_DAYS,
    unit: 'days',
    doc: 'certificate validity',
  }),
  /** At most the validity less a second; the default is capped at half the validity. */
  certRenewBeforeMs: durationMsSetting({
    env: 'PLAYGAP_CERT_RENEW_BEFORE_MS',
    min: 1_000,
    max: MAX_CERT_VALIDITY_DAYS * DAY_MS - 1_000,
    default: 2 * DAY_MS,
    doc: 'renew the certificate when less than this is left',
  }),
  serverHeartbeatMs: durationMsSetting({
    env: 'PLAYGAP_SERVER_HEARTBEAT_MS',
    min: 100,
    max: KV_DEFAULTS.serversMaxAgeMs / 2,
    default: KV_DEFAULTS.serverHeartbeatMs,
    doc: 'how often the server record is rewritten in NATS KV',
  }),
  seatHeartbeatMs: durationMsSetting({
    env: 'PLAYGAP_SEAT_HEARTBEAT_MS',
    min: 100,
    max: KV_DEFAULTS.seatsMaxAgeMs / 2,
    default: KV_DEFAULTS.seatHeartbeatMs,
    doc: 'how often a connected seat record is rewritten',
  }),
  bodyLimitBytes: integerSetting({
    env: 'PLAYGAP_BODY_LIMIT_BYTES',
    min: 1024,
    max: 1024 * 1024,
    default: 16 * 1024,
    unit: 'bytes',
    doc: 'largest local API request body',
  }),
  kvReplicas: { ...KV_REPLICAS_SETTING, flag: undefined },
});

/** The values SIDECAR_SETTINGS parse to. */
export type SidecarSettings = SchemaValues<typeof SIDECAR_SETTINGS>;

/**
 * The renewal margin for a validity: the given one must leave a second of validity, and the
 * default is capped at half the validity.
 *
 * @example
 * certRenewBeforeMs(1, undefined); // 43_200_000
 */
export function certRenewBeforeMs(validityDays: number, givenMs: number | undefined): number {
  const validityMs = validityDays * DAY_MS;
  if (givenMs === undefined) {
    return Math.min(SIDECAR_SETTINGS.certRenewBeforeMs.default as number, validityMs / 2);
  }
  if (givenMs > validityMs - 1_000) {
    throw new SettingError(
      'PLAYGAP_CERT_RENEW_BEFORE_MS',
      `must be an integer from 1000 to ${validityMs - 1_000} (got ${JSON.stringify(String(givenMs))})`,
    );
  }
  return givenMs;
}

/** The variable of every setting, to its key. */
const BY_VARIABLE: ReadonlyMap<string, keyof typeof SIDECAR_SETTINGS> = new Map(
  Object.entries(SIDECAR_SETTINGS).map(([key, s]) => [
    s.env as string,
    key as keyof typeof SIDECAR_SETTINGS,
  ]),
);

/**
 * Check a sidecar env block (e.g. an Edgegap version's env) with the sidecar's own parsers:
 * every PLAYGAP_* variable the sidecar reads must hold a value it takes. Other variables are
 * left alone (the game server's, NATS_*). SettingError names `${prefix}${VARIABLE}`... or the
 * name `nameOf` gives a variable (a config file's field).
 *
 * @example
 * checkSidecarEnv({ PLAYGAP_CAPACITY: '2000' }); // throws: PLAYGAP_CAPACITY must be an integer from 1 to 1024 (got "2000")
 */
export function checkSidecarEnv(
  env: Readonly<Record<string, string | undefined>>,
  nameOf: (variable: string) => string = (variable) => variable,
): void {
  const values: Record<string, unknown> = {};
  for (const [variable, raw] of Object.entries(env)) {
    const key = BY_VARIABLE.get(variable);
    if (key === undefined || raw === undefined) continue;
    try {
      values[key] = SIDECAR_SETTINGS[key].parse(raw, variable);
    } catch (error) {
      if (error instanceof SettingError) {
        throw new SettingError(nameOf(variable), error.problem, { cause: error });
      }
      throw error;
    }
  }
  if (values.privateKey instanceof Uint8Array) values.privateKey.fill(0);
  if (values.certValidityDays !== undefined || values.certRenewBeforeMs !== undefined) {
    certRenewBeforeMs(
      (values.certValidityDays as number | undefined) ?? MAX_CERT_VALIDITY_DAYS,
      values.certRenewBeforeMs as number | undefined,
    );
  }
}
