/**
 * The rules of one queued mode compiled for matching: each ticket's limits at its expansion
 * stage, and a Group that takes a ticket only when the whole group still respects every one of
 * its tickets' current limits (so a widened ticket never drags a fresh one into a worse match).
 */
import type { QueueMode } from './matchmaking-config.js';
import type { Ticket } from './ticket.js';

/** One ticket's limits at one expansion stage (stage 0 = the rules as written). */
export interface Limits {
  stage: number;
  numberMax: number[];
  stringOn: boolean[];
  minOverlap: number[];
  latencyMaxMs: number;
  latencyDifferenceMs: number;
}

/** A mode compiled: its rules by kind, and the limits of every stage. */
export interface CompiledMode {
  name: string;
  mode: QueueMode;
  numberAttributes: string[];
  stringAttributes: string[];
  listAttributes: string[];
  hasLatency: boolean;
  /** Seconds at which a new stage starts, ascending (stage i+1 starts at stageSeconds[i]). */
  stageSeconds: number[];
  stages: Limits[];
  /** Index into numberAttributes of the team balance attribute, or -1. */
  balanceIndex: number;
}

/**
 * Compile a mode's rules.
 *
 * @example
 * const compiled = compileMode('ffa', config.modes.ffa as QueueMode);
 */
export function compileMode(name: string, mode: QueueMode): CompiledMode {
  const numbers = mode.rules.filter((r) => r.kind === 'number_difference');
  const strings = mode.rules.filter((r) => r.kind === 'string_equality');
  const lists = mode.rules.filter((r) => r.kind === 'intersection');
  const latency = mode.rules.find((r) => r.kind === 'latency');
  const stageSeconds = [
    ...new Set(mode.rules.flatMap((r) => (r.expansions ?? []).map((e) => e.afterSeconds))),
  ].sort((a, b) => a - b);
  const limitsAt = (stage: number): Limits => {
    const seconds = stage === 0 ? -1 : (stageSeconds[stage - 1] as number);
    const applied = <E extends { afterSeconds: number }>(list: E[] | undefined) =>
      (list ?? []).filter((e) => e.afterSeconds <= seconds);
    let latencyMaxMs = latency?.maxMs ?? Number.POSITIVE_INFINITY;
    let latencyDifferenceMs = latency?.maxDifferenceMs ?? Number.POSITIVE_INFINITY;
    for (const e of applied(latency?.expansions)) {
      if (e.maxMs !== undefined) latencyMaxMs = e.maxMs;
      if (e.maxDifferenceMs !== undefined) latencyDifferenceMs = e.maxDifferenceMs;
    }
    return {
      stage,
      numberMax: numbers.map((r) => applied(r.expansions).at(-1)?.max ?? r.max),
      stringOn: strings.map((r) => applied(r.expansions).at(-1)?.enabled ?? true),
      minOverlap: lists.map((r) => applied(r.expansions).at(-1)?.minOverlap ?? r.minOverlap),
      latencyMaxMs,
      latencyDifferenceMs,
    };
  };
  const numberAttributes = numbers.map((r) => r.attribute);
  const balanceBy = mode.teams?.balanceBy ?? numberAttributes[0];
  return {
    name,
    mode,
    numberAttributes,
    stringAttributes: strings.map((r) => r.attribute),
    listAttributes: lists.map((r) => r.attribute),
    hasLatency: latency !== undefined,
    stageSeconds,
    stages: Array.from({ length: stageSeconds.length + 1 }, (_, i) => limitsAt(i)),
    balanceIndex: balanceBy === undefined ? -1 : numberAttributes.indexOf(balanceBy),
  };
}

/** The expansion stage of a ticket that has waited `waitedMs`. */
export function stageOf(compiled: CompiledMode, waitedMs: number): number {
  const seconds = waitedMs / 1000;
  let stage = 0;
  while (
    stage < compiled.stageSeconds.length &&
    (compiled.stageSeconds[stage] as number) <= seconds
  )
    stage++;
  return stage;
}

/** A ticket with what the rules read from it, folded over its party. */
export interface PoolTicket {
  ticket: Ticket;
  size: number;
  /** Party mean per number rule (the team balance sums `numbers * size`). */
  numbers: number[];
  /** The party leader's value per string rule. */
  strings: string[];
  /** What every party member lists, per intersection rule. */
  lists: Set<string>[];
  /** Worst member's round trip per region every member measured. */
  latencies: Map<string, number>;
  /** Best member's round trip per region (the difference rule spans every player). */
  latenciesBest: Map<string, number>;
  limits: Limits;
}

/**
 * Fold a ticket's players into what the rules compare (run once per ticket).
 *
 * @example
 * const entry = toPoolTicket(compiled, ticket, Date.now());
 */
export function toPoolTicket(compiled: CompiledMode, ticket: Ticket, now: number): PoolTicket {
  const players = ticket.players;
  const numbers = compiled.numberAttributes.map(
    (a) => players.reduce((sum, p) => sum + Number(p.attributes?.[a] ?? 0), 0) / players.length,
  );
  const strings = compiled.stringAttributes.map((a) => String(players[0]?.attributes?.[a] ?? ''));
  const lists = compiled.listAttributes.map((a) => {
    let common: Set<string> | undefined;
    for (const p of players) {
      const values = new Set((p.attributes?.[a] as string[] | undefined) ?? []);
      common = common ? new Set([...common].filter((v) => values.has(v))) : values;
    }
    return common ?? new Set<string>();
  });
  const latencies = new Map<string, number>();
  const latenciesBest = new Map<string, number>();
  if (compiled.hasLatency) {
    const first = players[0]?.latencies ?? {};
    for (const region of Object.keys(first)) {
      let worst = 0;
      let best = Number.POSITIVE_INFINITY;
      let everyone = true;
      for (const p of players) {
        const ms = p.latencies?.[region];
        if (ms === undefined) everyone = false;
        else {
          worst = Math.max(worst, ms);
          best = Math.min(best, ms);
        }
      }
      if (everyone) {
        latencies.set(region, worst);
        latenciesBest.set(region, best);
      }
    }
  }
  return {
    ticket,
    size: players.length,
    numbers,
    strings,
    lists,
    latencies,
    latenciesBest,
    limits: compiled.stages[stageOf(compiled, now - ticket.createdAt)] as Limits,
  };
}

/**
 * Tickets being put together into one match. `tryAdd` takes a ticket only when every rule
 * still holds under every member's current limits.
 *
 * @example
 * const group = new Group(anchor);
 * if (group.tryAdd(candidate)) console.log(group.players);
 */
export class Group {
  readonly members: PoolTicket[] = [];
  players = 0;
  #min: number[] = [];
  #max: number[] = [];
  #numberLimit: number[] = [];
  #firstString: string[] = [];
  #stringsEqual: boolean[] = [];
  #stringOn: boolean[] = [];
  #overlap: Set<string>[] = [];
  #overlapNeed: number[] = [];
  #latencyWorst = new Map<string, number>();
  #latencyBest = new Map<string, number>();
  #latencyMax = Number.POSITIVE_INFINITY;
  #latencyDiff = Number.POSITIVE_INFINITY;
  readonly #latency: boolean;

  constructor(anchor: PoolTicket, latency: boolean) {
    this.#latency = latency;
    this.#min = [...anchor.numbers];
    this.#max = [...anchor.numbers];
    this.#numberLimit = [...anchor.limits.numberMax];
    this.#firstString = [...anchor.strings];
    this.#stringsEqual = anchor.strings.map(() => true);
    this.#stringOn = [...anchor.limits.stringOn];
    this.#overlap = anchor.lists.map((s) => new Set(s));
    this.#overlapNeed = [...anchor.limits.minOverlap];
    for (const [region, ms] of anchor.latencies) {
      this.#latencyWorst.set(region, ms);
      this.#latencyBest.set(region, anchor.latenciesBest.get(region) as number);
    }
    this.#latencyMax = anchor.limits.latencyMaxMs;
    this.#latencyDiff = anchor.limits.latencyDifferenceMs;
    this.members.push(anchor);
    this.players = anchor.size;
    if (
      latency &&
      this.#bestRegion(
        this.#latencyWorst,
        this.#latencyBest,
        this.#latencyMax,
        this.#latencyDiff,
      ) === undefined
    ) {
      this.players = 0; // the anchor alone breaks the latency rule: nothing can join it
    }
  }

  /** Whether the anchor itself can be matched at all (a latency rule it alone breaks). */
  get viable(): boolean {
    return this.players > 0;
  }

  /** Add `t` when the group with it respects every member's limits; else leave the group as is. */
  tryAdd(t: PoolTicket): boolean {
    const n = t.numbers.length;
    for (let i = 0; i < n; i++) {
      const lo = Math.min(this.#min[i] as number, t.numbers[i] as number);
      const hi = Math.max(this.#max[i] as number, t.numbers[i] as number);
      if (hi - lo > Math.min(this.#numberLimit[i] as number, t.limits.numberMax[i] as number))
        return false;
    }
    for (let i = 0; i < t.strings.length; i++) {
      const equal = (this.#stringsEqual[i] as boolean) && t.strings[i] === this.#firstString[i];
      if (!equal && ((this.#stringOn[i] as boolean) || (t.limits.stringOn[i] as boolean)))
        return false;
    }
    const overlaps: Set<string>[] = [];
    for (let i = 0; i < t.lists.length; i++) {
      const common = new Set<string>();
      for (const v of this.#overlap[i] as Set<string>)
        if ((t.lists[i] as Set<string>).has(v)) common.add(v);
      if (common.size < Math.max(this.#overlapNeed[i] as number, t.limits.minOverlap[i] as number))
        return false;
      overlaps.push(common);
    }
    const latencyMax = Math.min(this.#latencyMax, t.limits.latencyMaxMs);
    const latencyDiff = Math.min(this.#latencyDiff, t.limits.latencyDifferenceMs);
    if (this.#latency) {
      // Checked without allocating: most candidates are refused.
      let fits = false;
      for (const [region, w] of this.#latencyWorst) {
        const ms = t.latencies.get(region);
        if (ms === undefined) continue;
        const worst = Math.max(w, ms);
        const best = Math.min(
          this.#latencyBest.get(region) as number,
          t.latenciesBest.get(region) as number,
        );
        if (worst <= latencyMax && worst - best <= latencyDiff) {
          fits = true;
          break;
        }
      }
      if (!fits) return false;
      for (const [region, w] of this.#latencyWorst) {
        const ms = t.latencies.get(region);
        if (ms === undefined) {
          this.#latencyWorst.delete(region);
          this.#latencyBest.delete(region);
          continue;
        }
        this.#latencyWorst.set(region, Math.max(w, ms));
        this.#latencyBest.set(
          region,
          Math.min(this.#latencyBest.get(region) as number, t.latenciesBest.get(region) as number),
        );
      }
    }
    for (let i = 0; i < n; i++) {
      this.#min[i] = Math.min(this.#min[i] as number, t.numbers[i] as number);
      this.#max[i] = Math.max(this.#max[i] as number, t.numbers[i] as number);
      this.#numberLimit[i] = Math.min(
        this.#numberLimit[i] as number,
        t.limits.numberMax[i] as number,
      );
    }
    for (let i = 0; i < t.strings.length; i++) {
      this.#stringsEqual[i] =
        (this.#stringsEqual[i] as boolean) && t.strings[i] === this.#firstString[i];
      this.#stringOn[i] = (this.#stringOn[i] as boolean) || (t.limits.stringOn[i] as boolean);
    }
    for (let i = 0; i < t.lists.length; i++) {
      this.#overlap[i] = overlaps[i] as Set<string>;
      this.#overlapNeed[i] = Math.max(
        this.#overlapNeed[i] as number,
        t.limits.minOverlap[i] as number,
      );
    }
    this.#latencyMax = latencyMax;
    this.#latencyDiff = latencyDiff;
    this.members.push(t);
    this.players += t.size;
    return true;
  }

  /** The region the match plays in (lowest worst round trip within the limits), if a latency rule. */
  region(): string | undefined {
    return this.#bestRegion(
      this.#latencyWorst,
      this.#latencyBest,
      this.#latencyMax,
      this.#latencyDiff,
    );
  }

  /** Spread (max - min) of each number attribute across the group. */
  spreads(): number[] {
    return this.#min.map((lo, i) => (this.#max[i] as number) - lo);
  }

  /** Worst round trip in the chosen region, if a latency rule. */
  worstLatencyMs(): number | undefined {
    const region = this.region();
    return region === undefined ? undefined : this.#latencyWorst.get(region);
  }

  #bestRegion(
    worst: Map<string, number>,
    best: Map<string, number>,
    max: number,
    diff: number,
  ): string | undefined {
    let chosen: string | undefined;
    let chosenMs = Number.POSITIVE_INFINITY;
    for (const [region, w] of worst) {
      if (w > max || w - (best.get(region) as number) > diff) continue;
      if (w < chosenMs || (w === chosenMs && chosen !== undefined && region < chosen)) {
        chosen = region;
        chosenMs = w;
      }
    }
    return chosen;
  }
}
