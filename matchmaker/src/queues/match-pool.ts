/**
 * The waiting tickets of one queued mode and the search that turns them into matches. Oldest
 * ticket first, each becomes an anchor; candidates come nearest in the first number rule's
 * attribute (skill) when there is one, else oldest first; a candidate joins when the group
 * still respects every member's limits and the parties still pack into teams. Pure: no NATS,
 * no clock of its own, and it never removes a ticket (the caller claims and removes).
 */
import { randomUUID } from 'node:crypto';
import type { QueueMode } from './matchmaking-config.js';
import {
  type CompiledMode,
  compileMode,
  Group,
  type PoolTicket,
  stageOf,
  toPoolTicket,
} from './rules.js';
import { assignTeams, type TeamEntry } from './teams.js';
import type { Ticket } from './ticket.js';

/** One team of a formed match. */
export interface MatchTeam {
  name: string;
  ticketIds: string[];
}

/** A match the pool proposes; nothing is taken until the caller claims its tickets. */
export interface FormedMatch {
  matchId: string;
  mode: string;
  tickets: Ticket[];
  teams?: MatchTeam[];
  /** Where every player's round trip fits (latency rule), best first. */
  region?: string;
  /** Expansion stage of each ticket when the match formed. */
  stages: Record<string, number>;
  /** Spread of each number attribute, keyed by attribute. */
  spreads: Record<string, number>;
  worstLatencyMs?: number;
  players: number;
}

export interface MatchPoolOptions {
  /** Candidates looked at per anchor before it gives up this round. Default 256. */
  scanLimit?: number;
  newMatchId?: () => string;
}

/**
 * @example
 * const pool = new MatchPool('2v2', config.modes['2v2'] as QueueMode);
 * pool.add(ticket, Date.now());
 * for (const match of pool.findMatches(Date.now())) claim(match);
 */
export class MatchPool {
  #compiled: CompiledMode;
  readonly #tickets = new Map<string, PoolTicket>();
  readonly #scanLimit: number;
  readonly #newMatchId: () => string;

  constructor(name: string, mode: QueueMode, options: MatchPoolOptions = {}) {
    this.#compiled = compileMode(name, mode);
    this.#scanLimit = options.scanLimit ?? 256;
    this.#newMatchId = options.newMatchId ?? (() => randomUUID().replaceAll('-', ''));
  }

  get mode(): QueueMode {
    return this.#compiled.mode;
  }

  get size(): number {
    return this.#tickets.size;
  }

  /** A new config for this mode: waiting tickets stay and are judged by the new rules. */
  setMode(mode: QueueMode, now: number): void {
    this.#compiled = compileMode(this.#compiled.name, mode);
    for (const [id, entry] of this.#tickets)
      this.#tickets.set(id, toPoolTicket(this.#compiled, entry.ticket, now));
  }

  add(ticket: Ticket, now: number): void {
    this.#tickets.set(ticket.id, toPoolTicket(this.#compiled, ticket, now));
  }

  remove(id: string): boolean {
    return this.#tickets.delete(id);
  }

  has(id: string): boolean {
    return this.#tickets.has(id);
  }

  tickets(): Ticket[] {
    return [...this.#tickets.values()].map((e) => e.ticket);
  }

  /** Tickets waiting longer than the mode's ticketTimeoutSeconds. */
  expired(now: number): Ticket[] {
    const limitMs = this.#compiled.mode.ticketTimeoutSeconds * 1000;
    return this.tickets().filter((t) => now - t.createdAt >= limitMs);
  }

  /** The expansion stage of a ticket that has waited `waitedMs`. */
  stageAt(waitedMs: number): number {
    return stageOf(this.#compiled, waitedMs);
  }

  /**
   * Matches of disjoint tickets that fit the rules now, oldest anchors first.
   *
   * @example
   * const matches = pool.findMatches(Date.now(), 100);
   */
  findMatches(now: number, maxMatches = Number.POSITIVE_INFINITY): FormedMatch[] {
    const compiled = this.#compiled;
    const mode = compiled.mode;
    const entries = [...this.#tickets.values()];
    for (const entry of entries) {
      const stage = stageOf(compiled, now - entry.ticket.createdAt);
      if (stage !== entry.limits.stage) entry.limits = compiled.stages[stage] ?? entry.limits;
    }
    const byAge = entries.slice().sort((a, b) => a.ticket.createdAt - b.ticket.createdAt);
    const primary = compiled.numberAttributes.length > 0;
    const byValue = primary
      ? entries.slice().sort((a, b) => (a.numbers[0] as number) - (b.numbers[0] as number))
      : byAge;
    const position = new Map<PoolTicket, number>();
    for (const [i, e] of byValue.entries()) position.set(e, i);
    const used = new Set<PoolTicket>();
    const matches: FormedMatch[] = [];
    const teams = mode.teams;
    for (const anchor of byAge) {
      if (matches.length >= maxMatches) break;
      if (used.has(anchor)) continue;
      const group = new Group(anchor, compiled.hasLatency);
      if (!group.viable) continue;
      let scanned = 0;
      for (const candidate of candidates(
        byValue,
        position.get(anchor) as number,
        anchor,
        primary,
      )) {
        if (group.players >= mode.maxPlayers || scanned >= this.#scanLimit) break;
        if (used.has(candidate)) continue;
        scanned++;
        if (group.players + candidate.size > mode.maxPlayers) continue;
        if (
          teams &&
          !assignTeams(
            teamEntries([...group.members, candidate], compiled),
            teams.count,
            teams.minSize,
            teams.maxSize,
            false,
          )
        )
          continue;
        group.tryAdd(candidate);
      }
      if (group.players < mode.minPlayers) continue;
      const waitedSeconds = (now - anchor.ticket.createdAt) / 1000;
      if (group.players < mode.maxPlayers && waitedSeconds < mode.fillWaitSeconds) continue;
      let split: number[][] | undefined;
      if (teams) {
        split = assignTeams(
          teamEntries(group.members, compiled),
          teams.count,
          teams.minSize,
          teams.maxSize,
          true,
        );
        if (!split) continue;
      }
      for (const member of group.members) used.add(member);
      matches.push(this.#formed(group, split));
    }
    return matches;
  }

  #formed(group: Group, split: number[][] | undefined): FormedMatch {
    const compiled = this.#compiled;
    const spreads: Record<string, number> = {};
    group.spreads().forEach((spread, i) => {
      spreads[compiled.numberAttributes[i] as string] = spread;
    });
    const match: FormedMatch = {
      matchId: this.#newMatchId(),
      mode: compiled.name,
      tickets: group.members.map((m) => m.ticket),
      stages: Object.fromEntries(group.members.map((m) => [m.ticket.id, m.limits.stage])),
      spreads,
      players: group.players,
    };
    if (split) {
      match.teams = split.map((indices, t) => ({
        name: `team-${t + 1}`,
        ticketIds: indices.map((i) => (group.members[i] as PoolTicket).ticket.id),
      }));
    }
    const region = group.region();
    if (region !== undefined) match.region = region;
    const worst = group.worstLatencyMs();
    if (worst !== undefined) match.worstLatencyMs = worst;
    return match;
  }
}

function teamEntries(members: readonly PoolTicket[], compiled: CompiledMode): TeamEntry[] {
  const b = compiled.balanceIndex;
  return members.map((m) => ({
    size: m.size,
    weight: b < 0 ? 0 : (m.numbers[b] as number) * m.size,
  }));
}

/**
 * Candidates for `anchor`: nearest first in the primary attribute (out from its position, and
 * only within its own limit: the group's limit is never wider), else oldest first.
 */
function* candidates(
  list: readonly PoolTicket[],
  at: number,
  anchor: PoolTicket,
  primary: boolean,
): Generator<PoolTicket> {
  if (!primary) {
    for (let i = 0; i < list.length; i++) if (i !== at) yield list[i] as PoolTicket;
    return;
  }
  const value = anchor.numbers[0] as number;
  const limit = anchor.limits.numberMax[0] as number;
  let lo = at - 1;
  let hi = at + 1;
  for (;;) {
    const below =
      lo >= 0 ? value - ((list[lo] as PoolTicket).numbers[0] as number) : Number.POSITIVE_INFINITY;
    const above =
      hi < list.length
        ? ((list[hi] as PoolTicket).numbers[0] as number) - value
        : Number.POSITIVE_INFINITY;
    const next = Math.min(below, above);
    if (next > limit) return;
    if (below <= above) yield list[lo--] as PoolTicket;
    else yield list[hi++] as PoolTicket;
  }
}
