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
    // Tickets taken this round are unlinked, so a walk never steps over them again.
    const list = new UnusedList(byValue.length);
    const value = (i: number) => (primary ? ((byValue[i] as PoolTicket).numbers[0] as number) : i);
    const matches: FormedMatch[] = [];
    const teams = mode.teams;
    for (const anchor of byAge) {
      if (matches.length >= maxMatches) break;
      const at = position.get(anchor) as number;
      if (list.taken(at)) continue;
      const group = new Group(anchor, compiled.hasLatency);
      if (!group.viable) continue;
      const fit = teams ? new TeamFit(teams.count, teams.maxSize, anchor.size) : undefined;
      // Nearest first in the primary attribute (within the anchor's own limit: the group's is
      // never wider), else nearest in age.
      const limit = primary ? (anchor.limits.numberMax[0] as number) : Number.POSITIVE_INFINITY;
      const center = value(at);
      let lo = list.prev(at);
      let hi = list.next(at);
      let scanned = 0;
      while (group.players < mode.maxPlayers && scanned < this.#scanLimit) {
        const below = lo >= 0 ? center - value(lo) : Number.POSITIVE_INFINITY;
        const above = hi >= 0 ? value(hi) - center : Number.POSITIVE_INFINITY;
        if (Math.min(below, above) > limit || (lo < 0 && hi < 0)) break;
        let index: number;
        if (below <= above) {
          index = lo;
          lo = list.prev(lo);
        } else {
          index = hi;
          hi = list.next(hi);
        }
        const candidate = byValue[index] as PoolTicket;
        scanned++;
        if (group.players + candidate.size > mode.maxPlayers) continue;
        if (fit && !fit.fits(candidate.size, group.members, compiled)) continue;
        if (group.tryAdd(candidate)) fit?.commit();
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
      for (const member of group.members) list.take(position.get(member) as number);
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

/**
 * Can a party of `size` still join without breaking the teams' max size? A best-fit placement
 * kept as the group grows answers at once; only when it says no is the exact search run.
 */
class TeamFit {
  #fill: number[];
  #next: number[] | undefined;
  readonly #maxSize: number;

  constructor(count: number, maxSize: number, anchorSize: number) {
    this.#maxSize = maxSize;
    this.#fill = new Array<number>(count).fill(0);
    this.#fill[0] = anchorSize;
  }

  fits(size: number, members: readonly PoolTicket[], compiled: CompiledMode): boolean {
    let best = -1;
    for (let t = 0; t < this.#fill.length; t++) {
      const f = this.#fill[t] as number;
      if (f + size <= this.#maxSize && (best < 0 || f > (this.#fill[best] as number))) best = t;
    }
    if (best >= 0) {
      this.#next = [...this.#fill];
      this.#next[best] = (this.#next[best] as number) + size;
      return true;
    }
    const entries = teamEntries(members, compiled);
    entries.push({ size, weight: 0 });
    const split = assignTeams(entries, this.#fill.length, 0, this.#maxSize, false);
    if (!split) return false;
    this.#next = split.map((team) =>
      team.reduce((sum, i) => sum + (entries[i] as TeamEntry).size, 0),
    );
    return true;
  }

  /** The candidate `fits` said yes to joined. */
  commit(): void {
    if (this.#next) this.#fill = this.#next;
  }
}

function teamEntries(members: readonly PoolTicket[], compiled: CompiledMode): TeamEntry[] {
  const b = compiled.balanceIndex;
  return members.map((m) => ({
    size: m.size,
    weight: b < 0 ? 0 : (m.numbers[b] as number) * m.size,
  }));
}

/** Positions 0..n-1 in a doubly linked list; `take` unlinks one in O(1). */
class UnusedList {
  readonly #prev: Int32Array;
  readonly #next: Int32Array;
  readonly #taken: Uint8Array;

  constructor(n: number) {
    this.#prev = new Int32Array(n);
    this.#next = new Int32Array(n);
    this.#taken = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      this.#prev[i] = i - 1;
      this.#next[i] = i + 1 < n ? i + 1 : -1;
    }
  }

  prev(i: number): number {
    return this.#prev[i] as number;
  }

  next(i: number): number {
    return this.#next[i] as number;
  }

  taken(i: number): boolean {
    return this.#taken[i] === 1;
  }

  take(i: number): void {
    const p = this.#prev[i] as number;
    const n = this.#next[i] as number;
    if (p >= 0) this.#next[p] = n;
    if (n >= 0) this.#prev[n] = p;
    this.#taken[i] = 1;
  }
}
