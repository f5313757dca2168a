/**
 * Splits a match's tickets into teams: a party stays on one team, every team gets
 * `minSize`..`maxSize` players, and the balance attribute's sum (e.g. total skill) is kept
 * close between teams by always trying the weakest team first. A small depth-first search:
 * matches hold a handful of tickets.
 */

/** What packing reads of a ticket. */
export interface TeamEntry {
  size: number;
  /** Its weight in the balance (party mean skill × players), 0 without a balance attribute. */
  weight: number;
}

/** Depth-first steps before a packing gives up (never reached for real team sizes). */
const MAX_STEPS = 20_000;

/**
 * Indices of `entries` per team, or undefined when no split fits; with `requireMin` false only
 * `maxSize` is checked (can more tickets still be added?).
 *
 * @example
 * assignTeams([{ size: 2, weight: 2000 }, { size: 1, weight: 900 }, { size: 1, weight: 1100 }], 2, 2, 2, true);
 * // [[0], [2, 1]]
 */
export function assignTeams(
  entries: readonly TeamEntry[],
  count: number,
  minSize: number,
  maxSize: number,
  requireMin: boolean,
): number[][] | undefined {
  const total = entries.reduce((sum, e) => sum + e.size, 0);
  if (total > count * maxSize || (requireMin && total < count * minSize)) return undefined;
  const order = entries
    .map((_, i) => i)
    .sort(
      (a, b) =>
        (entries[b] as TeamEntry).size - (entries[a] as TeamEntry).size ||
        (entries[b] as TeamEntry).weight - (entries[a] as TeamEntry).weight,
    );
  const teams: number[][] = Array.from({ length: count }, () => []);
  const sizes = new Array<number>(count).fill(0);
  const weights = new Array<number>(count).fill(0);
  let steps = 0;
  const place = (k: number): boolean => {
    if (++steps > MAX_STEPS) return false;
    if (k === order.length) return !requireMin || sizes.every((s) => s >= minSize);
    const index = order[k] as number;
    const entry = entries[index] as TeamEntry;
    const tried = new Set<string>();
    const byWeakest = teams
      .map((_, t) => t)
      .sort(
        (a, b) =>
          (weights[a] as number) - (weights[b] as number) ||
          (sizes[a] as number) - (sizes[b] as number),
      );
    for (const t of byWeakest) {
      if ((sizes[t] as number) + entry.size > maxSize) continue;
      // Two teams in the same state are the same choice.
      const state = `${sizes[t]}:${weights[t]}`;
      if (tried.has(state)) continue;
      tried.add(state);
      teams[t]?.push(index);
      sizes[t] = (sizes[t] as number) + entry.size;
      weights[t] = (weights[t] as number) + entry.weight;
      if (place(k + 1)) return true;
      teams[t]?.pop();
      sizes[t] = (sizes[t] as number) - entry.size;
      weights[t] = (weights[t] as number) - entry.weight;
    }
    return false;
  };
  return place(0) ? teams : undefined;
}
