/**
 * Backfill benchmark: the cost of judging one open backfill request against the waiting
 * tickets of its mode (backfill-fit.ts, pure: no NATS), at 1,000 and 10,000 waiting tickets
 * with a skill and a latency rule, as a match round pays it per open request. The candidates
 * come sorted once per round (as the filler does) and unsorted (the worst case).
 *
 *   npx tsx matchmaker/bench/backfill-bench.ts
 */
import type { RosterPlayer } from '@playgap/protocol';
import { fitBackfill } from '../src/queues/backfill-fit.js';
import { parseMatchmakingConfig, type QueueMode } from '../src/queues/matchmaking-config.js';
import { compileMode } from '../src/queues/rules.js';
import type { Ticket } from '../src/queues/ticket.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2_000);
const mode = parseMatchmakingConfig({
  modes: {
    '2v2': {
      teams: { count: 2, minSize: 2, maxSize: 2 },
      rules: [
        { kind: 'number_difference', name: 'skill', attribute: 'skill', max: 50 },
        { kind: 'latency', name: 'ping', maxMs: 80, maxDifferenceMs: 40 },
      ],
    },
  },
}).modes['2v2'] as QueueMode;
const compiled = compileMode('2v2', mode);
const now = Date.now();
const players: RosterPlayer[] = [
  { playerId: 'a', team: 'team-1', attributes: { skill: 1000 }, latencies: { eu: 30 } },
  { playerId: 'b', team: 'team-1', attributes: { skill: 1010 }, latencies: { eu: 35 } },
  { playerId: 'c', team: 'team-2', attributes: { skill: 1020 }, latencies: { eu: 40 } },
];

const fit = (tickets: Ticket[], sorted: boolean) =>
  fitBackfill(compiled, { team: 'team-2', wanted: 1, players }, tickets, now, 256, sorted);

/** A seeded generator, so every run judges the same tickets. */
let seed = 42;
function random(): number {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
}

for (const n of [1_000, 10_000]) {
  const tickets: Ticket[] = Array.from({ length: n }, (_, i) => ({
    id: `t${i}`,
    mode: '2v2',
    createdAt: now - Math.floor(random() * 120_000), // waited up to 2 min, any order
    players: [
      {
        playerId: `p${i}`,
        attributes: { skill: 500 + Math.floor(random() * 2000) },
        latencies: { eu: 20 + Math.floor(random() * 100), us: 90 },
      },
    ],
  }));
  const oldestFirst = tickets.slice().sort((a, b) => a.createdAt - b.createdAt);
  for (const sorted of [true, false]) {
    const list = sorted ? oldestFirst : tickets;
    for (let r = 0; r < 200; r++) fit(list, sorted); // warm up
    let found = 0;
    const start = performance.now();
    for (let r = 0; r < ROUNDS; r++) {
      if (fit(list, sorted)) found++;
    }
    const us = ((performance.now() - start) / ROUNDS) * 1000;
    console.log(
      `${n} waiting, ${sorted ? 'sorted once per round' : 'unsorted'}: ${us.toFixed(1)} µs per open backfill per round (filled ${found}/${ROUNDS})`,
    );
  }
}
