/**
 * One parser per value kind, shared by every component: integers with bounds (decimal digits
 * only: no sign, hex, exponent or fraction), enums, comma lists, booleans, text and URLs. Each
 * takes the text of a variable or flag, or an already typed value (a config file field, an
 * override), so both are held to the same rule. Errors name the variable and quote at most a
 * short prefix of the input.
 */
import { SettingError } from './setting-error.js';

const DECIMAL = /^[0-9]+$/;

/** The start of a bad value, quoted, for an error message. */
export function quoted(raw: unknown): string {
  return JSON.stringify(typeof raw === 'string' ? raw.slice(0, 40) : String(raw).slice(0, 40));
}

/** Bounds (inclusive) of an integer setting, and an optional hint for its error. */
export interface IntegerBounds {
  min: number;
  max: number;
  hint?: string;
}

/**
 * An integer from `min` to `max`: decimal text (`"16"`, `" 16 "`) or a safe-integer number.
 * `"1e2"`, `"0x10"`, `"+3"`, `"16.0"` and `16.5` are refused.
 *
 * @example
 * parseInteger('16', 'PLAYGAP_CAPACITY', { min: 1, max: 1024 }); // 16
 */
export function parseInteger(raw: unknown, name: string, bounds: IntegerBounds): number {
  const text = typeof raw === 'string' ? raw.trim() : undefined;
  const value = text !== undefined && DECIMAL.test(text) ? Number(text) : raw;
  if (
    typeof value !== 'number' ||
    !Number.isSafeInteger(value) ||
    value < bounds.min ||
    value > bounds.max
  ) {
    const hint = bounds.hint ? `: ${bounds.hint}` : '';
    throw new SettingError(
      name,
      `must be an integer from ${bounds.min} to ${bounds.max}${hint} (got ${quoted(raw)})`,
    );
  }
  return value;
}

/** "a or b", or "one of a, b, c". */
function choices(values: readonly string[]): string {
  return values.length === 2 ? `${values[0]} or ${values[1]}` : `one of ${values.join(', ')}`;
}

/**
 * One of `values`, exactly (surrounding spaces ignored).
 *
 * @example
 * parseEnum('lightyear', 'PLAYGAP_TOKEN_DIALECT', ['netcode', 'lightyear']); // 'lightyear'
 */
export function parseEnum<T extends string>(raw: unknown, name: string, values: readonly T[]): T {
  const text = typeof raw === 'string' ? raw.trim() : raw;
  if (typeof text !== 'string' || !(values as readonly string[]).includes(text)) {
    throw new SettingError(name, `must be ${choices(values)}`);
  }
  return text as T;
}

const TRUE = ['1', 'true', 'yes'];
const FALSE = ['0', 'false', 'no', ''];

/**
 * A switch: `true`/`1`/`yes` or `false`/`0`/`no` (any case), or a boolean.
 *
 * @example
 * parseBoolean('yes', '--all-in-one'); // true
 */
export function parseBoolean(raw: unknown, name: string): boolean {
  if (typeof raw === 'boolean') return raw;
  const text = typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
  if (text !== undefined && TRUE.includes(text)) return true;
  if (text !== undefined && FALSE.includes(text)) return false;
  throw new SettingError(name, 'must be true or false');
}

/** What every item of a list (or a text) must look like, and how to say so. */
export interface TextRule {
  pattern?: RegExp;
  /** The problem when the pattern fails, e.g. 'must be 1-64 letters, digits, "_" or "-"'. */
  problem?: string;
}

/**
 * Non-empty text (trimmed) matching `rule.pattern`.
 *
 * @example
 * parseText('arena', 'PLAYGAP_APP', { pattern: APP_NAME_PATTERN }); // 'arena'
 */
export function parseText(raw: unknown, name: string, rule: TextRule = {}): string {
  const text = typeof raw === 'string' ? raw.trim() : raw;
  if (typeof text !== 'string' || text === '' || (rule.pattern && !rule.pattern.test(text))) {
    throw new SettingError(name, rule.problem ?? 'must be non-empty text');
  }
  return text;
}

/**
 * A comma list (`"a, b"`, empty items dropped) or an array of strings, each checked by `rule`;
 * `nonEmpty` refuses an empty list.
 *
 * @example
 * parseList('1.0.0,1.1.0', 'PLAYGAP_VERSIONS', { nonEmpty: true }); // ['1.0.0', '1.1.0']
 */
export function parseList(
  raw: unknown,
  name: string,
  rule: TextRule & { nonEmpty?: boolean } = {},
): string[] {
  const items =
    typeof raw === 'string'
      ? raw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : Array.isArray(raw)
        ? raw
        : undefined;
  const problem = rule.problem ?? 'must be a comma list';
  if (!items || (rule.nonEmpty && items.length === 0)) throw new SettingError(name, problem);
  return items.map((item) => parseText(item, name, { ...rule, problem }));
}

/**
 * An absolute URL, as given.
 *
 * @example
 * parseUrl('http://127.0.0.1:9000', 'EDGEGAP_API_URL'); // 'http://127.0.0.1:9000'
 */
export function parseUrl(raw: unknown, name: string): string {
  const text = parseText(raw, name, { problem: 'must be a URL' });
  if (!URL.canParse(text)) throw new SettingError(name, 'must be a URL');
  return text;
}
