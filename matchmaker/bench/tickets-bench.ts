/**
 * Matchmaking-queue benchmark, two parts:
 *
 * 1. engine: the pure MatchPool kept at 1,000 and 10,000 waiting tickets (a realistic mix:
 *    parties of 1-4, skill spread, three regions), matched round after round as fast as it
 *    goes; tickets/s matched, p50/p99 time to match (arrival to match, wall time), CPU per
 *    ticket, and the split between adding tickets and forming matches. Then a sparse queue on
 *    a simulated clock whose rules must widen: match quality per expansion stage.
 * 2. nats: tickets written to the tickets bucket of a real nats-server, claimed by one
 *    TicketMatcher (KV watch + one compare-and-set per ticket) and answered (placement
 *    stubbed: the seat path has its own bench, placement-bench.ts); tickets/s end to end.
 *
 *   npx tsx matchmaker/bench/tickets-bench.ts
 *   BENCH_ROUNDS=200 BENCH_NATS_TICKETS=20000 npx tsx matchmaker/bench/tickets-bench.ts
 *   BENCH_ENGINE=0 npx tsx matchmaker/bench/tickets-bench.ts   # the NATS part only
 */
import { connect } from '@nats-io/transport-node';
import { type TicketRecord, TicketState } from '@playgap/protocol';
import { openAppBuckets } from '@playgap/protocol/kv';
import { startNatsServer } from '@playgap/testkit';
import { type FormedMatch, MatchPool } from '../src/queues/match-pool.js';
import { parseMatchmakingConfig, type QueueMode } from '../src/queues/matchmaking-config.js';
import type { Ticket } from '../src/queues/ticket.js';
import { TicketMatcher } from '../src/queues/ticket-matcher.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 100);
const NATS_TICKETS = Number(process.env.BENCH_NATS_TICKETS ?? 10_000);
const REGIONS = ['eu-west', 'us-east', 'ap-south'] as const;

/** 4v4 (parties up to 4 fit a team), skill and latency rules that widen twice. */
const CONFIG = parseMatchmakingConfig({
  modes: {
    '4v4': {
      teams: { count: 2, minSize: 4, maxSize: 4 },
      ticketTimeoutSeconds: 600,
      rules: [
        {
          kind: 'number_difference',
          name: 'skill',
          attribute: 'skill',
          max: 150,
          expansions: [
            { afterSeconds: 10, max: 400 },
            { afterSeconds: 30, max: 1500 },
          ],
        },
        {
          kind: 'latency',
          name: 'ping',
          maxMs: 80,
          maxDifferenceMs: 50,
          expansions: [{ afterSeconds: 20, maxMs: 200, maxDifferenceMs: 150 }],
        },
      ],
    },
  },
});
const MODE = CONFIG.modes['4v4'] as QueueMode;

/** Deterministic pseudo-random numbers (mulberry32), so runs compare. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const rnd = random(42);
let seq = 0;

/** A party of 1-4 (60/20/10/10 %), skill ~ N(1500, 350), near one of three regions. */
function makeTicket(createdAt: number): Ticket {
  const r = rnd();
  const size = r < 0.6 ? 1 : r < 0.8 ? 2 : r < 0.9 ? 3 : 4;
  const home = Math.floor(rnd() * 3);
  const base = 1500 + 350 * Math.sqrt(-2 * Math.log(rnd() || 1e-9)) * Math.cos(2 * Math.PI * rnd());
  const id = `t${seq++}`;
  return {
    id,
    mode: '4v4',
    createdAt,
    players: Array.from({ length: size }, (_, i) => ({
      playerId: `${id}-${i}`,
      attributes: { skill: Math.round(base + (rnd() - 0.5) * 100) },
      latencies: Object.fromEntries(
        REGIONS.map((region, k) => [region, Math.round((k === home ? 15 : 90) + rnd() * 40)]),
      ),
    })),
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number);
}

function steadyState(waiting: number): void {
  const pool = new MatchPool('4v4', MODE);
  const created = new Map<string, number>();
  const refill = () => {
    while (pool.size < waiting) {
      const t = makeTicket(Date.now());
      created.set(t.id, performance.now());
      pool.add(t, Date.now());
    }
  };
  refill();
  // Warm-up (JIT).
  for (let i = 0; i < 5; i++) {
    for (const m of pool.findMatches(Date.now())) for (const t of m.tickets) pool.remove(t.id);
    refill();
  }
  created.clear();
  for (const t of pool.tickets()) created.set(t.id, performance.now());
  const waits: number[] = [];
  let matched = 0;
  let players = 0;
  let findMs = 0;
  let addMs = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let round = 0; round < ROUNDS; round++) {
    const f0 = performance.now();
    const matches = pool.findMatches(Date.now());
    findMs += performance.now() - f0;
    const at = performance.now();
    for (const m of matches) {
      for (const t of m.tickets) {
        pool.remove(t.id);
        waits.push(at - (created.get(t.id) ?? at));
        created.delete(t.id);
        matched++;
        players += t.players.length;
      }
    }
    const a0 = performance.now();
    refill();
    addMs += performance.now() - a0;
  }
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  waits.sort((a, b) => a - b);
  console.log(
    `engine ${waiting.toLocaleString('en')} waiting: ${Math.round(matched / wallS).toLocaleString('en')} tickets/s ` +
      `(${Math.round(players / wallS).toLocaleString('en')} players/s) over ${ROUNDS} rounds; ` +
      `time to match p50 ${percentile(waits, 0.5).toFixed(1)} ms, p99 ${percentile(waits, 0.99).toFixed(1)} ms; ` +
      `CPU ${((cpuMs * 1000) / matched).toFixed(1)} µs/ticket; ` +
      `findMatches ${((findMs / (findMs + addMs)) * 100).toFixed(0)} %, add ${((addMs / (findMs + addMs)) * 100).toFixed(0)} %; ` +
      `${(findMs / ROUNDS).toFixed(1)} ms/round; ${pool.size - 0} still waiting (${waiting - 0} kept)`,
  );
}

/** A sparse queue (2 tickets/s) on a simulated clock: rules must widen before matches form. */
function widening(): void {
  const pool = new MatchPool('4v4', MODE);
  let now = 1_700_000_000_000;
  const byStage = new Map<
    number,
    { matches: number; spread: number; worstMs: number; waitedS: number }
  >();
  for (let step = 0; step < 20 * 60 * 5; step++) {
    now += 200; // a round every 200 ms, 20 simulated minutes
    if (step % 5 === 0) pool.add(makeTicket(now), now);
    for (const m of pool.findMatches(now)) {
      for (const t of m.tickets) pool.remove(t.id);
      record(m, now);
    }
  }
  function record(m: FormedMatch, at: number): void {
    const stage = Math.max(...Object.values(m.stages));
    const row = byStage.get(stage) ?? { matches: 0, spread: 0, worstMs: 0, waitedS: 0 };
    row.matches++;
    row.spread += m.spreads.skill ?? 0;
    row.worstMs += m.worstLatencyMs ?? 0;
    row.waitedS += Math.max(...m.tickets.map((t) => (at - t.createdAt) / 1000));
    byStage.set(stage, row);
  }
  console.log(
    'widening (2 tickets/s, 20 simulated minutes): quality by the highest expansion stage in the match',
  );
  for (const [stage, row] of [...byStage].sort((a, b) => a[0] - b[0])) {
    console.log(
      `  stage ${stage}: ${row.matches} matches, skill spread ${(row.spread / row.matches).toFixed(0)}, ` +
        `worst ping ${(row.worstMs / row.matches).toFixed(0)} ms, oldest ticket waited ${(row.waitedS / row.matches).toFixed(1)} s`,
    );
  }
}

async function overNats(): Promise<void> {
  const server = await startNatsServer();
  // noAsyncTraces: nats.js otherwise builds an Error (a stack trace) for every request.
  const nc = await connect({ servers: server.url, noAsyncTraces: true });
  try {
    const { tickets } = await openAppBuckets(nc, 'bench', ['tickets']);
    const duel = parseMatchmakingConfig({ modes: { duel: { minPlayers: 2, maxPlayers: 2 } } });
    let placed = 0;
    let done: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    const matcher = new TicketMatcher({
      app: 'bench',
      tickets,
      nc,
      instanceId: 'bench',
      config: duel,
      matchIntervalMs: 20,
      placeMatch: async () => ({ serverId: 'stub', replies: {} }),
      onMatch: (match, outcome) => {
        if (outcome === 'placed') placed += match.tickets.length;
        if (placed >= NATS_TICKETS) done();
      },
    });
    // Phase 1: the fronts' side, tickets created (no matcher yet); phase 2: one matcher
    // catches up on them, claims every match and answers every ticket.
    const now = Date.now();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < NATS_TICKETS; i++) {
      const record: TicketRecord = {
        id: `n${i}`,
        app: 'bench',
        version: '1.0.0',
        mode: 'duel',
        players: [{ playerId: `n${i}` }],
        clientIp: '127.0.0.1',
        state: TicketState.SEARCHING,
        createdAt: now,
        expiresAt: now + 600_000,
        updatedAt: now,
      };
      writes.push(tickets.create(record.id, JSON.stringify(record)));
      if (writes.length >= 512) await Promise.all(writes.splice(0));
    }
    await Promise.all(writes);
    const writtenS = (performance.now() - t0) / 1000;
    const cpuCreate = process.cpuUsage(cpu0);
    const cpu1 = process.cpuUsage();
    const t1 = performance.now();
    await matcher.start();
    const caughtUpS = (performance.now() - t1) / 1000;
    await finished;
    const matchS = (performance.now() - t1) / 1000;
    const cpu = process.cpuUsage(cpu1);
    await matcher.stop();
    const us = (c: NodeJS.CpuUsage) => (c.user + c.system) / NATS_TICKETS;
    console.log(
      `nats: ${NATS_TICKETS.toLocaleString('en')} tickets: created at ${Math.round(NATS_TICKETS / writtenS).toLocaleString('en')}/s ` +
        `(KV create, 512 in flight; ${us(cpuCreate).toFixed(0)} µs CPU each in this process); ` +
        `then one matcher read, matched, claimed and answered them at ${Math.round(NATS_TICKETS / matchS).toLocaleString('en')} tickets/s ` +
        `(2 KV updates per ticket; ${us(cpu).toFixed(0)} µs CPU each in the matcher; ${caughtUpS.toFixed(2)} s of it reading the bucket at start); nats-server CPU not counted`,
    );
  } finally {
    await nc.close();
    await server.stop();
  }
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${(await import('node:os')).cpus().length} cores`);
  if (process.env.BENCH_ENGINE !== '0') {
    steadyState(1_000);
    steadyState(10_000);
    widening();
  }
  if (process.env.BENCH_NATS !== '0') await overNats();
}

await main();
