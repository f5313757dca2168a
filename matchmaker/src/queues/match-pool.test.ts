import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FormedMatch, MatchPool } from './match-pool.js';
import { parseMatchmakingConfig, type QueueMode } from './matchmaking-config.js';
import type { Ticket, TicketPlayer } from './ticket.js';

const T0 = 1_700_000_000_000;

function mode(raw: unknown): QueueMode {
  return parseMatchmakingConfig({ modes: { m: raw } }).modes.m as QueueMode;
}

let seq = 0;
function ticket(players: Partial<TicketPlayer>[] | Partial<TicketPlayer>, waitedS = 0): Ticket {
  const list = Array.isArray(players) ? players : [players];
  const id = `t${seq++}`;
  return {
    id,
    mode: 'm',
    createdAt: T0 - waitedS * 1000,
    players: list.map((p, i) => ({ playerId: `${id}-${i}`, ...p })),
  };
}

function matchOf(pool: MatchPool, tickets: Ticket[], now = T0): FormedMatch[] {
  for (const t of tickets) pool.add(t, now);
  return pool.findMatches(now);
}

const ids = (m: FormedMatch) => m.tickets.map((t) => t.id).sort();

describe('rules and expansions', () => {
  it('number_difference keeps skill within max, and widens at its expansion', () => {
    const m = mode({
      minPlayers: 2,
      maxPlayers: 2,
      rules: [
        {
          kind: 'number_difference',
          name: 'skill',
          attribute: 'skill',
          max: 100,
          expansions: [{ afterSeconds: 10, max: 500 }],
        },
      ],
    });
    const a = ticket({ attributes: { skill: 1000 } });
    const b = ticket({ attributes: { skill: 1300 } });
    expect(matchOf(new MatchPool('m', m), [a, b])).toEqual([]);
    // One ticket widened is not enough: the fresh one still asks for 100.
    const oldA = ticket({ attributes: { skill: 1000 } }, 11);
    expect(matchOf(new MatchPool('m', m), [oldA, b])).toEqual([]);
    const oldB = ticket({ attributes: { skill: 1300 } }, 12);
    const [match] = matchOf(new MatchPool('m', m), [oldA, oldB]);
    expect(match?.stages).toEqual({ [oldA.id]: 1, [oldB.id]: 1 });
    expect(match?.spreads).toEqual({ skill: 300 });
    const c = ticket({ attributes: { skill: 1050 } });
    expect(matchOf(new MatchPool('m', m), [a, c]).map(ids)).toEqual([[a.id, c.id].sort()]);
  });

  it('string_equality matches equal maps only until an expansion turns it off', () => {
    const m = mode({
      minPlayers: 2,
      maxPlayers: 2,
      rules: [
        {
          kind: 'string_equality',
          name: 'map',
          attribute: 'map',
          expansions: [{ afterSeconds: 30, enabled: false }],
        },
      ],
    });
    const dust = ticket({ attributes: { map: 'dust' } });
    const nuke = ticket({ attributes: { map: 'nuke' } });
    expect(matchOf(new MatchPool('m', m), [dust, nuke])).toEqual([]);
    const dust2 = ticket({ attributes: { map: 'dust' } });
    expect(matchOf(new MatchPool('m', m), [dust, nuke, dust2]).map(ids)).toEqual([
      [dust.id, dust2.id].sort(),
    ]);
    const oldDust = ticket({ attributes: { map: 'dust' } }, 31);
    const oldNuke = ticket({ attributes: { map: 'nuke' } }, 40);
    expect(matchOf(new MatchPool('m', m), [oldDust, oldNuke])).toHaveLength(1);
  });

  it('intersection needs minOverlap shared values, lowered by its expansion', () => {
    const m = mode({
      minPlayers: 3,
      maxPlayers: 3,
      rules: [
        {
          kind: 'intersection',
          name: 'languages',
          attribute: 'languages',
          minOverlap: 1,
          expansions: [{ afterSeconds: 20, minOverlap: 0 }],
        },
      ],
    });
    const en = ticket({ attributes: { languages: ['en', 'fr'] } });
    const fr = ticket({ attributes: { languages: ['fr'] } });
    const de = ticket({ attributes: { languages: ['de'] } });
    expect(matchOf(new MatchPool('m', m), [en, fr, de])).toEqual([]);
    const frde = ticket({ attributes: { languages: ['fr', 'de'] } });
    expect(matchOf(new MatchPool('m', m), [en, fr, frde])).toHaveLength(1);
    const old = [en, fr, de].map((t) => ({ ...t, id: `${t.id}o`, createdAt: T0 - 21_000 }));
    expect(matchOf(new MatchPool('m', m), old)).toHaveLength(1);
  });

  it('latency picks a region every player reaches within maxMs and maxDifferenceMs, widening later', () => {
    const m = mode({
      minPlayers: 2,
      maxPlayers: 2,
      rules: [
        {
          kind: 'latency',
          name: 'ping',
          maxMs: 80,
          maxDifferenceMs: 30,
          expansions: [{ afterSeconds: 15, maxMs: 200, maxDifferenceMs: 150 }],
        },
      ],
    });
    const paris = ticket({ latencies: { eu: 20, us: 110 } });
    const nyc = ticket({ latencies: { eu: 95, us: 15 } });
    expect(matchOf(new MatchPool('m', m), [paris, nyc])).toEqual([]);
    const berlin = ticket({ latencies: { eu: 40, us: 130 } });
    const [match] = matchOf(new MatchPool('m', m), [paris, berlin]);
    expect(match?.region).toBe('eu');
    expect(match?.worstLatencyMs).toBe(40);
    const far = ticket({ latencies: { eu: 10 } });
    const near = ticket({ latencies: { eu: 60 } }); // 50 apart > 30
    expect(matchOf(new MatchPool('m', m), [far, near])).toEqual([]);
    const late = [paris, nyc].map((t) => ({ ...t, id: `${t.id}l`, createdAt: T0 - 16_000 }));
    expect(matchOf(new MatchPool('m', m), late)[0]?.region).toBe('eu'); // worst 95 ms vs 110
  });

  it('the free-for-all mode fills up to maxPlayers and waits fillWaitSeconds for more', () => {
    const m = mode({ minPlayers: 2, maxPlayers: 4, fillWaitSeconds: 5 });
    const two = [ticket({}), ticket({})];
    expect(matchOf(new MatchPool('m', m), two)).toEqual([]);
    const five = [ticket({}, 1), ticket({}), ticket({}), ticket({}), ticket({})];
    const matches = matchOf(new MatchPool('m', m), five);
    expect(matches.map((x) => x.players)).toEqual([4]);
    expect(matchOf(new MatchPool('m', m), [ticket({}, 6), ticket({})])).toHaveLength(1);
  });

  it('balances 2v2 teams by skill and keeps a party on one team', () => {
    const m = mode({
      teams: { count: 2, minSize: 2, maxSize: 2 },
      rules: [{ kind: 'number_difference', name: 'skill', attribute: 'skill', max: 1000 }],
    });
    const party = ticket([{ attributes: { skill: 1500 } }, { attributes: { skill: 1500 } }]);
    const a = ticket({ attributes: { skill: 1400 } });
    const b = ticket({ attributes: { skill: 1600 } });
    const [match] = matchOf(new MatchPool('m', m), [party, a, b]);
    expect(match?.teams?.map((t) => t.ticketIds.sort())).toEqual(
      expect.arrayContaining([[party.id], [a.id, b.id].sort()]),
    );
    const singles = [1000, 1100, 1900, 2000].map((skill) => ticket({ attributes: { skill } }));
    const [even] = matchOf(new MatchPool('m', m), singles);
    const sums = even?.teams?.map((team) =>
      team.ticketIds.reduce(
        (s, id) => s + Number(singles.find((t) => t.id === id)?.players[0]?.attributes?.skill),
        0,
      ),
    );
    expect(sums?.sort()).toEqual([3000, 3000]);
  });

  it('a reloaded mode judges waiting tickets by its new rules', () => {
    const strict = mode({
      minPlayers: 2,
      maxPlayers: 2,
      rules: [{ kind: 'number_difference', name: 's', attribute: 'skill', max: 10 }],
    });
    const pool = new MatchPool('m', strict);
    const tickets = [ticket({ attributes: { skill: 0 } }), ticket({ attributes: { skill: 50 } })];
    expect(matchOf(pool, tickets)).toEqual([]);
    pool.setMode({ ...strict, rules: [{ ...strict.rules[0], max: 100 } as never] }, T0);
    expect(pool.size).toBe(2);
    expect(pool.findMatches(T0)).toHaveLength(1);
  });
});

/** A random realistic ticket: a party of 1-4, skill, map, languages, three regions. */
const arbitraryTicket = fc
  .record({
    size: fc.integer({ min: 1, max: 3 }),
    skill: fc.integer({ min: 0, max: 3000 }),
    map: fc.constantFrom('dust', 'nuke'),
    languages: fc.subarray(['en', 'fr', 'de'], { minLength: 1 }),
    eu: fc.integer({ min: 5, max: 250 }),
    us: fc.integer({ min: 5, max: 250 }),
    waited: fc.integer({ min: 0, max: 60 }),
  })
  .map((r) =>
    ticket(
      Array.from({ length: r.size }, (_, i) => ({
        attributes: { skill: r.skill + i * 10, map: r.map, languages: r.languages },
        latencies: { eu: r.eu + i, us: r.us },
      })),
      r.waited,
    ),
  );

const RULES = [
  {
    kind: 'number_difference',
    name: 'skill',
    attribute: 'skill',
    max: 200,
    expansions: [
      { afterSeconds: 10, max: 600 },
      { afterSeconds: 30, max: 3000 },
    ],
  },
  {
    kind: 'string_equality',
    name: 'map',
    attribute: 'map',
    expansions: [{ afterSeconds: 20, enabled: false }],
  },
  {
    kind: 'intersection',
    name: 'lang',
    attribute: 'languages',
    minOverlap: 1,
    expansions: [{ afterSeconds: 40, minOverlap: 0 }],
  },
  {
    kind: 'latency',
    name: 'ping',
    maxMs: 120,
    maxDifferenceMs: 60,
    expansions: [{ afterSeconds: 25, maxMs: 250, maxDifferenceMs: 250 }],
  },
];

/** Every rule checked from the raw tickets, under each ticket's own stage. */
function respectsRules(match: FormedMatch): boolean {
  const stageSeconds = [10, 20, 25, 30, 40];
  const at = (t: Ticket) => {
    const stage = match.stages[t.id] ?? 0;
    return stage === 0 ? -1 : (stageSeconds[stage - 1] as number);
  };
  const mean = (t: Ticket) =>
    t.players.reduce((s, p) => s + Number(p.attributes?.skill), 0) / t.players.length;
  const skills = match.tickets.map(mean);
  const skillLimit = Math.min(
    ...match.tickets.map((t) => (at(t) >= 30 ? 3000 : at(t) >= 10 ? 600 : 200)),
  );
  if (Math.max(...skills) - Math.min(...skills) > skillLimit) return false;
  const maps = new Set(match.tickets.map((t) => t.players[0]?.attributes?.map));
  if (maps.size > 1 && match.tickets.some((t) => at(t) < 20)) return false;
  const need = Math.max(...match.tickets.map((t) => (at(t) >= 40 ? 0 : 1)));
  const langs = match.tickets
    .flatMap((t) => t.players)
    .map((p) => new Set(p.attributes?.languages as string[]));
  const common = [...(langs[0] ?? [])].filter((l) => langs.every((s) => s.has(l)));
  if (common.length < need) return false;
  const maxMs = Math.min(...match.tickets.map((t) => (at(t) >= 25 ? 250 : 120)));
  const diffMs = Math.min(...match.tickets.map((t) => (at(t) >= 25 ? 250 : 60)));
  const players = match.tickets.flatMap((t) => t.players);
  return ['eu', 'us'].some((region) => {
    const ms = players.map((p) => p.latencies?.[region] as number);
    return Math.max(...ms) <= maxMs && Math.max(...ms) - Math.min(...ms) <= diffMs;
  });
}

describe('matching properties', () => {
  it('never puts a ticket in two matches, never splits a party, respects every rule per stage', () => {
    const teamMode = mode({ teams: { count: 2, minSize: 2, maxSize: 3 }, rules: RULES });
    const ffaMode = mode({ minPlayers: 2, maxPlayers: 6, rules: RULES });
    fc.assert(
      fc.property(
        fc.array(arbitraryTicket, { minLength: 0, maxLength: 60 }),
        fc.boolean(),
        (tickets, teams) => {
          const m = teams ? teamMode : ffaMode;
          const pool = new MatchPool('m', m);
          const matches = matchOf(pool, tickets);
          const seen = new Set<string>();
          for (const match of matches) {
            for (const t of match.tickets) {
              expect(seen.has(t.id)).toBe(false);
              seen.add(t.id);
            }
            const players = match.tickets.reduce((s, t) => s + t.players.length, 0);
            expect(players).toBe(match.players);
            expect(players).toBeGreaterThanOrEqual(m.minPlayers);
            expect(players).toBeLessThanOrEqual(m.maxPlayers);
            expect(respectsRules(match)).toBe(true);
            if (teams) {
              const placed = match.teams?.flatMap((team) => team.ticketIds) ?? [];
              expect(placed.sort()).toEqual(match.tickets.map((t) => t.id).sort());
              for (const team of match.teams ?? []) {
                const size = team.ticketIds.reduce(
                  (s, id) => s + (tickets.find((t) => t.id === id)?.players.length ?? 0),
                  0,
                );
                expect(size).toBeGreaterThanOrEqual(2);
                expect(size).toBeLessThanOrEqual(3);
              }
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
