/**
 * The app's matchmaking config (a JSON file, `--matchmaking-config`): the modes players queue
 * for, each with its player counts, teams and rules, and how the rules widen with waiting time.
 * Validated strictly; every problem names its path in the file (`modes.2v2.rules[0].max`).
 */

/** Bevygap's "first free seat": no queue, today's fast path. */
export interface FreeSeatMode {
  kind: 'free-seat';
}

/** Teams of a queued mode: `count` teams of `minSize`..`maxSize` players. */
export interface TeamsConfig {
  count: number;
  minSize: number;
  maxSize: number;
  /** Number attribute the teams are balanced on (sum per team); default the first number rule's. */
  balanceBy?: string;
}

/** Every ticket in a match has a region where its round trip is at most `maxMs` and within `maxDifferenceMs` of the others'. */
export interface LatencyRule {
  kind: 'latency';
  name: string;
  maxMs?: number;
  maxDifferenceMs?: number;
  expansions?: { afterSeconds: number; maxMs?: number; maxDifferenceMs?: number }[];
}

/** A number attribute (e.g. skill) differs by at most `max` across the match. */
export interface NumberDifferenceRule {
  kind: 'number_difference';
  name: string;
  attribute: string;
  max: number;
  expansions?: { afterSeconds: number; max: number }[];
}

/** A string attribute (e.g. map) is the same for every ticket, until an expansion turns it off. */
export interface StringEqualityRule {
  kind: 'string_equality';
  name: string;
  attribute: string;
  expansions?: { afterSeconds: number; enabled: boolean }[];
}

/** A list attribute (e.g. languages) shares at least `minOverlap` values across the match. */
export interface IntersectionRule {
  kind: 'intersection';
  name: string;
  attribute: string;
  minOverlap: number;
  expansions?: { afterSeconds: number; minOverlap: number }[];
}

export type MatchRule = LatencyRule | NumberDifferenceRule | StringEqualityRule | IntersectionRule;

/** A mode whose players wait in a queue until a match that fits the rules forms. */
export interface QueueMode {
  kind: 'queue';
  minPlayers: number;
  maxPlayers: number;
  teams?: TeamsConfig;
  rules: MatchRule[];
  /** A ticket not matched after this many seconds fails with TICKET_EXPIRED. */
  ticketTimeoutSeconds: number;
  /** Handed to the game server with the match (sidecar `GET /v1/match`). */
  variables: Record<string, string>;
  /**
   * A match with at least minPlayers but fewer than maxPlayers forms only once its oldest
   * ticket waited this long (0: at once), so a busy queue fills matches.
   */
  fillWaitSeconds: number;
}

export type ModeConfig = FreeSeatMode | QueueMode;

export interface MatchmakingConfig {
  /** The mode of a play request that names none. */
  defaultMode: string;
  modes: Record<string, ModeConfig>;
}

/** The config without a file: one free-seat mode, `any`, which is also the default. */
export const DEFAULT_MATCHMAKING_CONFIG: MatchmakingConfig = Object.freeze({
  defaultMode: 'any',
  modes: Object.freeze({ any: Object.freeze({ kind: 'free-seat' as const }) }),
}) as MatchmakingConfig;

const DEFAULT_TICKET_TIMEOUT_SECONDS = 120;
const MODE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const ATTRIBUTE = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * A matchmaking config that does not fit the schema; `path` is where in the file.
 *
 * @example
 * throw new MatchmakingConfigError('modes.ffa.maxPlayers', 'must be an integer 1-1024');
 */
export class MatchmakingConfigError extends Error {
  readonly code = 'MATCHMAKING_CONFIG_INVALID';
  readonly path: string;
  constructor(path: string, problem: string, options?: ErrorOptions) {
    super(`${path} ${problem}`, options);
    this.name = 'MatchmakingConfigError';
    this.path = path;
  }
}

type Obj = Record<string, unknown>;

function object(value: unknown, path: string, allowed: readonly string[]): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MatchmakingConfigError(path, 'must be an object');
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new MatchmakingConfigError(
        `${path}.${key}`,
        `is not a known field (use ${allowed.join(', ')})`,
      );
    }
  }
  return value as Obj;
}

function integer(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new MatchmakingConfigError(path, `must be an integer ${min}-${max}`);
  }
  return value;
}

function number(value: unknown, path: string, min: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new MatchmakingConfigError(path, `must be a number ≥ ${min}`);
  }
  return value;
}

function text(value: unknown, path: string, pattern: RegExp): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new MatchmakingConfigError(path, `must be a name matching ${pattern.source}`);
  }
  return value;
}

function list(value: unknown, path: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new MatchmakingConfigError(path, 'must be a list');
  return value;
}

/** Expansions of one rule: each at a later `afterSeconds` than the one before. */
function expansions<T>(
  value: unknown,
  path: string,
  parse: (e: Obj, at: string) => T,
): (T & { afterSeconds: number })[] {
  let last = 0;
  return list(value, path).map((raw, i) => {
    const at = `${path}[${i}]`;
    const entry = raw as Obj;
    const afterSeconds = number(entry?.afterSeconds, `${at}.afterSeconds`, 0);
    if (afterSeconds <= last && i > 0) {
      throw new MatchmakingConfigError(`${at}.afterSeconds`, 'must be later than the one before');
    }
    last = afterSeconds;
    return { afterSeconds, ...parse(entry, at) };
  });
}

function parseRule(raw: unknown, path: string, names: Set<string>): MatchRule {
  const kind = (raw as Obj | null)?.kind;
  const common = ['kind', 'name', 'expansions'];
  const fields: Record<string, string[]> = {
    latency: [...common, 'maxMs', 'maxDifferenceMs'],
    number_difference: [...common, 'attribute', 'max'],
    string_equality: [...common, 'attribute'],
    intersection: [...common, 'attribute', 'minOverlap'],
  };
  const allowed = typeof kind === 'string' ? fields[kind] : undefined;
  if (!allowed) {
    throw new MatchmakingConfigError(
      `${path}.kind`,
      'must be latency, number_difference, string_equality or intersection',
    );
  }
  const rule = object(raw, path, allowed);
  const name = text(rule.name, `${path}.name`, ATTRIBUTE);
  if (names.has(name)) throw new MatchmakingConfigError(`${path}.name`, `repeats "${name}"`);
  names.add(name);
  const at = `${path}.expansions`;
  switch (kind) {
    case 'latency': {
      const out: LatencyRule = { kind, name };
      if (rule.maxMs !== undefined) out.maxMs = number(rule.maxMs, `${path}.maxMs`, 0);
      if (rule.maxDifferenceMs !== undefined) {
        out.maxDifferenceMs = number(rule.maxDifferenceMs, `${path}.maxDifferenceMs`, 0);
      }
      if (out.maxMs === undefined && out.maxDifferenceMs === undefined) {
        throw new MatchmakingConfigError(path, 'needs maxMs or maxDifferenceMs');
      }
      out.expansions = expansions(rule.expansions, at, (e, p) => {
        object(e, p, ['afterSeconds', 'maxMs', 'maxDifferenceMs']);
        return {
          ...(e.maxMs !== undefined ? { maxMs: number(e.maxMs, `${p}.maxMs`, 0) } : {}),
          ...(e.maxDifferenceMs !== undefined
            ? { maxDifferenceMs: number(e.maxDifferenceMs, `${p}.maxDifferenceMs`, 0) }
            : {}),
        };
      });
      return out;
    }
    case 'number_difference':
      return {
        kind,
        name,
        attribute: text(rule.attribute, `${path}.attribute`, ATTRIBUTE),
        max: number(rule.max, `${path}.max`, 0),
        expansions: expansions(rule.expansions, at, (e, p) => {
          object(e, p, ['afterSeconds', 'max']);
          return { max: number(e.max, `${p}.max`, 0) };
        }),
      };
    case 'string_equality':
      return {
        kind,
        name,
        attribute: text(rule.attribute, `${path}.attribute`, ATTRIBUTE),
        expansions: expansions(rule.expansions, at, (e, p) => {
          object(e, p, ['afterSeconds', 'enabled']);
          if (typeof e.enabled !== 'boolean') {
            throw new MatchmakingConfigError(`${p}.enabled`, 'must be true or false');
          }
          return { enabled: e.enabled };
        }),
      };
    default:
      return {
        kind: 'intersection',
        name,
        attribute: text(rule.attribute, `${path}.attribute`, ATTRIBUTE),
        minOverlap: integer(rule.minOverlap ?? 1, `${path}.minOverlap`, 0, 64),
        expansions: expansions(rule.expansions, at, (e, p) => {
          object(e, p, ['afterSeconds', 'minOverlap']);
          return { minOverlap: integer(e.minOverlap, `${p}.minOverlap`, 0, 64) };
        }),
      };
  }
}

function parseMode(raw: unknown, path: string): ModeConfig {
  const kind = (raw as Obj | null)?.kind ?? 'queue';
  if (kind === 'free-seat') {
    object(raw, path, ['kind']);
    return { kind: 'free-seat' };
  }
  if (kind !== 'queue')
    throw new MatchmakingConfigError(`${path}.kind`, 'must be queue or free-seat');
  const mode = object(raw, path, [
    'kind',
    'minPlayers',
    'maxPlayers',
    'teams',
    'rules',
    'ticketTimeoutSeconds',
    'variables',
    'fillWaitSeconds',
  ]);
  let teams: TeamsConfig | undefined;
  if (mode.teams !== undefined) {
    const t = object(mode.teams, `${path}.teams`, ['count', 'minSize', 'maxSize', 'balanceBy']);
    const count = integer(t.count, `${path}.teams.count`, 2, 64);
    const maxSize = integer(t.maxSize, `${path}.teams.maxSize`, 1, 256);
    const minSize = integer(t.minSize ?? maxSize, `${path}.teams.minSize`, 1, maxSize);
    teams = { count, minSize, maxSize };
    if (t.balanceBy !== undefined) {
      teams.balanceBy = text(t.balanceBy, `${path}.teams.balanceBy`, ATTRIBUTE);
    }
  }
  const maxPlayers = integer(
    mode.maxPlayers ?? (teams ? teams.count * teams.maxSize : undefined),
    `${path}.maxPlayers`,
    1,
    1024,
  );
  const minPlayers = integer(
    mode.minPlayers ?? (teams ? teams.count * teams.minSize : maxPlayers),
    `${path}.minPlayers`,
    1,
    maxPlayers,
  );
  if (
    teams &&
    (maxPlayers > teams.count * teams.maxSize || minPlayers < teams.count * teams.minSize)
  ) {
    throw new MatchmakingConfigError(
      path,
      `player counts ${minPlayers}-${maxPlayers} do not fit ${teams.count} teams of ${teams.minSize}-${teams.maxSize}`,
    );
  }
  const names = new Set<string>();
  const rules = list(mode.rules, `${path}.rules`).map((rule, i) =>
    parseRule(rule, `${path}.rules[${i}]`, names),
  );
  const variables: Record<string, string> = {};
  if (mode.variables !== undefined) {
    const vars = object(mode.variables, `${path}.variables`, Object.keys(mode.variables as Obj));
    for (const [key, value] of Object.entries(vars)) {
      text(key, `${path}.variables`, ATTRIBUTE);
      if (typeof value !== 'string' || value.length > 256) {
        throw new MatchmakingConfigError(
          `${path}.variables.${key}`,
          'must be a string of ≤ 256 characters',
        );
      }
      variables[key] = value;
    }
  }
  return {
    kind: 'queue',
    minPlayers,
    maxPlayers,
    ...(teams ? { teams } : {}),
    rules,
    ticketTimeoutSeconds: integer(
      mode.ticketTimeoutSeconds ?? DEFAULT_TICKET_TIMEOUT_SECONDS,
      `${path}.ticketTimeoutSeconds`,
      1,
      600,
    ),
    variables,
    fillWaitSeconds: number(mode.fillWaitSeconds ?? 0, `${path}.fillWaitSeconds`, 0),
  };
}

/**
 * Validate a parsed matchmaking config file; throws MatchmakingConfigError naming the path.
 * Without `modes.any`, a free-seat mode `any` is added; `defaultMode` defaults to `any`.
 *
 * @example
 * const config = parseMatchmakingConfig({ modes: { '2v2': { teams: { count: 2, maxSize: 2 } } } });
 */
export function parseMatchmakingConfig(raw: unknown): MatchmakingConfig {
  const file = object(raw, '(file)', ['$schema', 'defaultMode', 'modes']);
  const modesRaw = object(file.modes ?? {}, 'modes', Object.keys((file.modes as Obj) ?? {}));
  const modes: Record<string, ModeConfig> = { any: { kind: 'free-seat' } };
  for (const [name, mode] of Object.entries(modesRaw)) {
    text(name, `modes.${name.slice(0, 40)}`, MODE_NAME);
    modes[name] = parseMode(mode, `modes.${name}`);
  }
  const defaultMode =
    file.defaultMode === undefined ? 'any' : text(file.defaultMode, 'defaultMode', MODE_NAME);
  if (!modes[defaultMode]) {
    throw new MatchmakingConfigError('defaultMode', `names "${defaultMode}", which is not a mode`);
  }
  return { defaultMode, modes };
}
