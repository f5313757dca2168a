/**
 * A setting defined once: where it is read (an env variable, flags), its kind, bounds, unit and
 * default, and its parser. A component's schema is a record of settings; `readSettings` reads
 * them all from env and flags, `checkValues` holds typed values (overrides, a config file) to
 * the same parsers, and docs/configuration.md is checked against the schemas.
 */
import { SettingError } from './setting-error.js';
import {
  type IntegerBounds,
  parseBoolean,
  parseEnum,
  parseInteger,
  parseList,
  parseText,
  parseUrl,
  type TextRule,
} from './value-kinds.js';

/** The kinds of value a setting takes (each has one parser). */
export type SettingKind =
  | 'integer'
  | 'duration'
  | 'enum'
  | 'list'
  | 'boolean'
  | 'text'
  | 'url'
  | 'key'
  | 'protocol id'
  | 'address'
  | 'nats';

/** Where a setting is read and what it means; `default` undefined = required or none. */
export interface SettingInfo<T> {
  /** The environment variable, when one sets it. */
  env?: string;
  /** The flag (without `--`) of the component that takes one. */
  flag?: string;
  /** Older flag names (Bevygap's), read before `flag`. */
  aliases?: readonly string[];
  /** Stops the start when neither the flag nor the variable is set. */
  required?: boolean;
  default?: T;
  /** How the docs state a default computed at start (`a temp dir`), when `default` is unset. */
  defaultText?: string;
  /** One line for `--help` and the docs. */
  doc: string;
  /** The value placeholder in `--help` (`N`, `URL`...). */
  placeholder?: string;
}

/**
 * One setting: its info plus kind, unit and the parser of its values.
 *
 * @example
 * const capacity: Setting<number> = integerSetting({ env: 'PLAYGAP_CAPACITY', min: 1, max: 1024, default: 16, unit: 'seats', doc: 'seats' });
 */
export interface Setting<T> extends Readonly<SettingInfo<T>> {
  readonly kind: SettingKind;
  /** Unit of the value and its bounds (`ms`, `s`, `days`, `bytes`, `seats`...). */
  readonly unit?: string;
  readonly min?: number;
  readonly max?: number;
  /** The allowed values of an enum. */
  readonly values?: readonly string[];
  /** Parse text from env or a flag, or check a typed value; SettingError naming `name`. */
  parse(raw: unknown, name: string): T;
}

/** A record of settings; its values' types give the config's. */
export type Schema = Readonly<Record<string, Setting<unknown>>>;

/** The value type of each setting of a schema. */
export type SchemaValues<S extends Schema> = {
  [K in keyof S]: S[K] extends Setting<infer T> ? T : never;
};

function define<T>(
  info: SettingInfo<T>,
  kind: SettingKind,
  parse: (raw: unknown, name: string) => T,
  extra: Partial<Pick<Setting<T>, 'unit' | 'min' | 'max' | 'values'>> = {},
): Setting<T> {
  return Object.freeze({
    ...info,
    ...(info.aliases ? { aliases: Object.freeze([...info.aliases]) } : {}),
    ...extra,
    ...(extra.values ? { values: Object.freeze([...extra.values]) } : {}),
    kind,
    parse,
  });
}

/**
 * An integer with bounds and a unit.
 *
 * @example
 * integerSetting({ env: 'PLAYGAP_CAPACITY', min: 1, max: 1024, default: 16, unit: 'seats', doc: 'seats of this server' });
 */
export function integerSetting(
  info: SettingInfo<number> & IntegerBounds & { unit?: string },
): Setting<number> {
  const { min, max, hint, unit, ...rest } = info;
  const bounds = { min, max, hint };
  return define(rest, 'integer', (raw, name) => parseInteger(raw, name, bounds), {
    min,
    max,
    unit,
  });
}

/**
 * A duration in milliseconds (an integer with bounds, unit `ms`).
 *
 * @example
 * durationMsSetting({ env: 'PLAYGAP_READY_TIMEOUT_MS', min: 1, max: 2 ** 40, default: 60_000, doc: 'ready within this' });
 */
export function durationMsSetting(info: SettingInfo<number> & IntegerBounds): Setting<number> {
  const { min, max, hint, ...rest } = info;
  const bounds = { min, max, hint };
  return define(rest, 'duration', (raw, name) => parseInteger(raw, name, bounds), {
    min,
    max,
    unit: 'ms',
  });
}

/**
 * One of a fixed set of words.
 *
 * @example
 * enumSetting({ env: 'PLAYGAP_MODE', values: ['deployments', 'sessions'], default: 'deployments', doc: 'placement mode' });
 */
export function enumSetting<T extends string>(
  info: SettingInfo<T> & { values: readonly T[] },
): Setting<T> {
  const { values, ...rest } = info;
  return define(rest, 'enum', (raw, name) => parseEnum(raw, name, values), { values });
}

/**
 * A comma list of items matching a pattern.
 *
 * @example
 * listSetting({ env: 'PLAYGAP_ALLOWED_ORIGINS', default: [], doc: 'browser origins' });
 */
export function listSetting(
  info: SettingInfo<readonly string[]> & TextRule & { nonEmpty?: boolean },
): Setting<readonly string[]> {
  const { pattern, problem, nonEmpty, ...rest } = info;
  return define(rest, 'list', (raw, name) => parseList(raw, name, { pattern, problem, nonEmpty }));
}

/**
 * A switch: a bare flag, or `true|false|1|0|yes|no`.
 *
 * @example
 * booleanSetting({ flag: 'all-in-one', env: 'PLAYGAP_ALL_IN_ONE', default: false, doc: 'front and service' });
 */
export function booleanSetting(info: SettingInfo<boolean>): Setting<boolean> {
  return define(info, 'boolean', parseBoolean);
}

/**
 * Non-empty text, optionally matching a pattern.
 *
 * @example
 * textSetting({ env: 'PLAYGAP_CERT_DIR', doc: 'where the certificate goes' });
 */
export function textSetting(info: SettingInfo<string> & TextRule): Setting<string> {
  const { pattern, problem, ...rest } = info;
  return define(rest, 'text', (raw, name) => parseText(raw, name, { pattern, problem }));
}

/**
 * An absolute URL.
 *
 * @example
 * urlSetting({ env: 'EDGEGAP_API_URL', default: 'https://api.edgegap.com', doc: 'Edgegap API' });
 */
export function urlSetting(info: SettingInfo<string>): Setting<string> {
  return define(info, 'url', parseUrl);
}

/**
 * A setting of another kind with its own parser (a key, a protocol id, `host:port`).
 *
 * @example
 * customSetting('address', { env: 'PLAYGAP_LISTEN', doc: 'front address' }, parseListen);
 */
export function customSetting<T>(
  kind: SettingKind,
  info: SettingInfo<T>,
  parse: (raw: unknown, name: string) => T,
): Setting<T> {
  return define(info, kind, parse);
}

/** Flags as split from argv: a value, or `true` for a bare flag. */
export type FlagValues = Readonly<Record<string, string | true | undefined>>;

/** Where settings are read: env, and the flags of a component that has them. */
export interface SettingSource {
  env: Readonly<Record<string, string | undefined>>;
  flags?: FlagValues;
}

/** The flag or variable that set a setting, and its raw value; undefined when unset. */
export function findSetting(
  setting: Setting<unknown>,
  source: SettingSource,
): [name: string, raw: string | true] | undefined {
  for (const flag of [...(setting.aliases ?? []), ...(setting.flag ? [setting.flag] : [])]) {
    const raw = source.flags?.[flag];
    if (raw !== undefined) return [`--${flag}`, raw];
  }
  const raw = setting.env ? source.env[setting.env] : undefined;
  if (setting.env && raw !== undefined && raw.trim() !== '') return [setting.env, raw];
  return undefined;
}

/** How a setting is named in an error about it being missing: `--flag/VARIABLE`. */
export function settingLabel(setting: Setting<unknown>): string {
  const names = [
    ...(setting.aliases ?? []).map((f) => `--${f}`),
    ...(setting.flag ? [`--${setting.flag}`] : []),
    ...(setting.env ? [setting.env] : []),
  ];
  return names.join('/') || setting.doc;
}

/**
 * Read one setting: its flag, else its variable, else its default; SettingError when it is
 * required and missing, when a flag that needs a value has none, or when the value is bad.
 *
 * @example
 * readSetting(SIDECAR_SETTINGS.capacity, { env: process.env }); // 16
 */
export function readSetting<T>(setting: Setting<T>, source: SettingSource): T | undefined {
  const found = findSetting(setting, source);
  if (!found) {
    if (setting.required) {
      throw new SettingError(settingLabel(setting), `is required: ${setting.doc}`);
    }
    return setting.default;
  }
  const [name, raw] = found;
  if (raw === true && setting.kind !== 'boolean') throw new SettingError(name, 'needs a value');
  return setting.parse(raw, name);
}

/**
 * Read every setting of a schema (see readSetting).
 *
 * @example
 * const values = readSettings(SIDECAR_SETTINGS, { env: process.env });
 */
export function readSettings<S extends Schema>(
  schema: S,
  source: SettingSource,
): Partial<SchemaValues<S>> {
  const out: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(schema)) {
    const value = readSetting(setting, source);
    if (value !== undefined) out[key] = value;
  }
  return out as Partial<SchemaValues<S>>;
}

/**
 * Hold typed values (overrides, a config file's fields) to the schema's own parsers: each key
 * must be a setting, each value must pass its parser. Errors name `${prefix}${key}`. Returns
 * the parsed values.
 *
 * @example
 * checkValues(MATCHMAKER_SETTINGS, { seatsPerServer: 2000 }); // throws SettingError
 */
export function checkValues<S extends Schema>(
  schema: S,
  values: Readonly<Record<string, unknown>>,
  prefix = '',
): Partial<SchemaValues<S>> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const setting = schema[key];
    if (!setting || !Object.hasOwn(schema, key)) {
      throw new SettingError(`${prefix}${key}`, 'is not a known setting');
    }
    out[key] = setting.parse(value, `${prefix}${key}`);
  }
  return out as Partial<SchemaValues<S>>;
}
