/**
 * playgap against Colyseus 0.18, side by side in one run, rounds interleaved so a busy machine
 * slows every side alike, at 16 and 64 concurrent clients, into servers/rooms of 16 seats:
 * - playgap ws: one fresh WebSocket per placement, as the browser SDK's play() does;
 * - playgap ws kept: one kept socket (`?keep=1`, as MatchmakerSocket opens) per client, placements one
 *   after another on it;
 * - playgap http: `POST /matchmaker/wannaplay` over keep-alive;
 * - colyseus http: `POST /matchmake/joinOrCreate` over keep-alive (fetch's default);
 * - colyseus fresh: the same POST on a connection of its own.
 * Prints each side's throughput, p50/p99, server CPU per placement (playgap: matchmaker and
 * nats-server) and the load generator's CPU, then the ratios like for like: fresh connections
 * on both sides, reused connections on both sides.
 *
 *   npm run build && npm run bench:colyseus -w matchmaker
 *   BENCH_CONCURRENCY=16,64 BENCH_ROUNDS=3 BENCH_PER_ROUND=3000 npm run bench:colyseus -w matchmaker
 *
 * Colyseus is pinned in bench/colyseus/package.json and installed there on the first run (not a
 * workspace: it declares Node >= 22, playgap supports 20.19).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { trackChild } from '@playgap/testkit';
import {
  APP,
  keptSocketClient,
  natsPid,
  type Placement,
  percentile,
  placeOverFreshHttp,
  placeOverHttp,
  placeOverWebSocket,
  type RoundResult,
  runRound,
  startMatchmakerProcess,
  startWarmFleet,
  stopProcess,
  VERSION,
} from './placement-driver.js';

const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '16,64').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PER_ROUND = Number(process.env.BENCH_PER_ROUND ?? 3_000);
const SEATS = 16;
const COLYSEUS_DIR = fileURLToPath(new URL('./colyseus/', import.meta.url));

function installColyseus(): void {
  if (existsSync(`${COLYSEUS_DIR}node_modules/@colyseus/core/package.json`)) return;
  console.log('bench: installing the pinned Colyseus into matchmaker/bench/colyseus (once)…');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(
    npm,
    ['ci', '--no-audit', '--no-fund', '--loglevel=error', '--engine-strict=false'],
    { cwd: COLYSEUS_DIR, stdio: 'inherit' },
  );
  if (result.status !== 0) throw new Error('npm ci in matchmaker/bench/colyseus failed');
}

function startColyseus(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['server.mjs'], {
    cwd: COLYSEUS_DIR,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  trackChild(child);
  return new Promise((resolve, reject) => {
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        try {
          const event = JSON.parse(line) as { event?: string; port?: number };
          if (event.event === 'listening')
            resolve({ child, url: `http://127.0.0.1:${event.port}` });
        } catch {}
      }
    });
    child.once('exit', (code) => reject(new Error(`colyseus exited with ${code}`)));
  });
}

interface Side {
  name: string;
  /** The server's processes (playgap: matchmaker and nats-server); their CPU is summed. */
  pids: number[];
  place: (client: number) => Promise<Placement>;
  before?: () => Promise<void>;
  rounds: RoundResult[];
}

function summary(side: Side): { perSecond: number; line: string } {
  const latencies = side.rounds.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const wallMs = side.rounds.reduce((sum, r) => sum + r.wallMs, 0);
  const cpu = side.rounds.reduce((sum, r) => sum + r.cpuMs.reduce((a, b) => a + b, 0), 0);
  const driverCpu = side.rounds.reduce((sum, r) => sum + r.driverCpuMs, 0);
  const failed = side.rounds.reduce(
    (n, r) => n + [...r.failures.values()].reduce((a, b) => a + b, 0),
    0,
  );
  const perSecond = (latencies.length / wallMs) * 1000;
  const line =
    `${side.name.padEnd(16)} ${String(Math.round(perSecond)).padStart(6)}/s  ` +
    `p50 ${percentile(latencies, 50).toFixed(1).padStart(6)} ms  p99 ${percentile(latencies, 99).toFixed(1).padStart(6)} ms  ` +
    `server cpu (all its processes) ${((cpu / latencies.length) * 1000).toFixed(0).padStart(5)} µs/placement  ` +
    `load generator ${((driverCpu / latencies.length) * 1000).toFixed(0).padStart(4)} µs` +
    (failed > 0 ? `  failed ${failed}` : '');
  return { perSecond, line };
}

async function main(): Promise<void> {
  installColyseus();
  // Enough free seats for a whole round, freed again before each playgap round.
  const fleet = await startWarmFleet(Math.ceil(PER_ROUND / SEATS) + 10, SEATS);
  const mm = await startMatchmakerProcess(fleet.nats.url);
  const colyseus = await startColyseus();
  const wsUrl = `${mm.url.replace(/^http/, 'ws')}/matchmaker/ws`;
  const nats = natsPid();
  const playgapPids = nats ? [mm.child.pid!, nats] : [mm.child.pid!];
  console.log(
    `bench: playgap (all-in-one matchmaker + nats-server${nats ? '' : ' (pid unknown)'}) vs Colyseus 0.18, ` +
      `${ROUNDS} interleaved rounds x ${PER_ROUND} placements, rooms/servers of ${SEATS} seats`,
  );
  const playgapWs: Side = {
    name: 'playgap ws',
    pids: playgapPids,
    place: () => placeOverWebSocket(wsUrl),
    before: () => fleet.freeAllSeats(),
    rounds: [],
  };
  // One kept socket per concurrent client, opened on its first placement of the round.
  let kept: ReturnType<typeof keptSocketClient>[] = [];
  const playgapKept: Side = {
    name: 'playgap ws kept',
    pids: playgapPids,
    place: (client) => {
      kept[client] ??= keptSocketClient(wsUrl);
      return kept[client].place();
    },
    before: async () => {
      for (const client of kept) client.close();
      kept = [];
      await fleet.freeAllSeats();
    },
    rounds: [],
  };
  const playgapHttp: Side = {
    name: 'playgap http',
    pids: playgapPids,
    place: () =>
      placeOverHttp(
        `${mm.url}/matchmaker/wannaplay`,
        { game: APP, version: VERSION },
        (a) => a.type === 'ready',
      ),
    before: () => fleet.freeAllSeats(),
    rounds: [],
  };
  const colyseusHttp: Side = {
    name: 'colyseus http',
    pids: [colyseus.child.pid!],
    place: () =>
      placeOverHttp(
        `${colyseus.url}/matchmake/joinOrCreate/arena`,
        {},
        (a) => typeof a.sessionId === 'string',
      ),
    rounds: [],
  };
  const colyseusFresh: Side = {
    name: 'colyseus fresh',
    pids: [colyseus.child.pid!],
    place: () =>
      placeOverFreshHttp(
        `${colyseus.url}/matchmake/joinOrCreate/arena`,
        {},
        (a) => typeof a.sessionId === 'string',
      ),
    rounds: [],
  };
  try {
    for (const side of [playgapWs, playgapKept, playgapHttp, colyseusHttp, colyseusFresh]) {
      await side.before?.();
      await runRound(16, 300, side.place, side.pids); // warm-up: JIT, keep-alive sockets
    }
    for (const concurrency of CONCURRENCY) {
      const sides = [playgapWs, playgapKept, playgapHttp, colyseusHttp, colyseusFresh];
      for (const side of sides) side.rounds = [];
      for (let round = 0; round < ROUNDS; round++) {
        for (const side of sides) {
          await side.before?.();
          side.rounds.push(await runRound(concurrency, PER_ROUND, side.place, side.pids));
        }
      }
      console.log(`\n${concurrency} concurrent clients`);
      const results = sides.map(summary);
      for (const { line } of results) console.log(`  ${line}`);
      const [ws, wsKept, http, keepAlive, fresh] = results.map((r) => r.perSecond) as [
        number,
        number,
        number,
        number,
        number,
      ];
      // Like for like: a connection per placement on both sides, and a reused one on both.
      console.log(
        `  ratio playgap/colyseus: fresh connections (ws / colyseus fresh) ${(ws / fresh).toFixed(2)}, ` +
          `reused connections (ws kept / colyseus keep-alive) ${(wsKept / keepAlive).toFixed(2)}; ` +
          `ws / colyseus keep-alive ${(ws / keepAlive).toFixed(2)}, http / colyseus keep-alive ${(http / keepAlive).toFixed(2)}`,
      );
    }
  } finally {
    await stopProcess(colyseus.child);
    await stopProcess(mm.child);
    await fleet.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
