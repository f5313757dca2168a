/**
 * How many bots one server-template process holds at its tick rate on ONE core before the tick
 * falls behind. The game server runs pinned to one CPU (`taskset -c <cpu>`) beside a stand-in
 * sidecar; bots join in steps and play random inputs; each step reports the server's tick
 * duration p50/p99/max (worst one-second window), missed ticks, the snapshot rate the bots saw
 * and the share of one core the server process used (all threads), which stays meaningful on
 * a busy machine.
 *
 *   npm run build && npx tsx bench/bots/capacity-bench.ts --transport webrtc --steps 50,100,150,200 --hz 20
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startBenchSidecar } from './bench-sidecar.js';
import { type Bot, playBot } from './bot.js';
import type { BotTransport } from './bot-transports.js';

const { values } = parseArgs({
  options: {
    transport: { type: 'string', default: 'webrtc' },
    steps: { type: 'string', default: '25,50,100,150,200,250' },
    hz: { type: 'string', default: '20' },
    'hold-s': { type: 'string', default: '6' },
    cpu: { type: 'string', default: '0' },
    /** Run every step even after the server fell behind. */
    'keep-going': { type: 'boolean', default: false },
    /** Write a V8 CPU profile of the game server into this directory. */
    'cpu-prof-dir': { type: 'string' },
  },
});
const transport = values.transport as BotTransport;
const hz = Number(values.hz);
const holdMs = Number(values['hold-s']) * 1000;
const periodMs = 1000 / hz;

// geckos' client posts a close to the server when a bot stops; once the server is gone those
// fail, which does not matter here.
process.on('unhandledRejection', () => {});

/** CPU seconds (user + system) the process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime in clock ticks (USER_HZ 100)
}

const round = (v: number) => Math.round(v * 10) / 10;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

interface StatsLine {
  players: number;
  ticks: number;
  missed: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const ports = { game: await freePort(), rtc: await freePort() };
const sidecar = await startBenchSidecar(ports);
const main = fileURLToPath(new URL('../../server-template/dist/main.js', import.meta.url));
const profile = values['cpu-prof-dir']
  ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof-dir']]
  : [];
const child = spawn('taskset', ['-c', values.cpu, process.execPath, ...profile, main], {
  env: {
    ...process.env,
    PLAYGAP_SIDECAR_URL: sidecar.url,
    TICK_HZ: String(hz),
    STATS_INTERVAL_MS: '1000',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const stats: StatsLine[] = [];
let up = false;
createInterface({ input: child.stdout! }).on('line', (line) => {
  if (line.startsWith('[arena]')) up = true;
  if (line.startsWith('{"stats"')) stats.push(JSON.parse(line) as StatsLine);
});
const childExited = new Promise((r) => child.once('exit', r));
const cleanup = () => {
  child.kill('SIGTERM');
  sidecar.close();
};
process.on('exit', cleanup);
while (!up) await new Promise((r) => setTimeout(r, 50));

const url =
  transport === 'websocket' ? `ws://127.0.0.1:${ports.game}/ws` : `http://127.0.0.1:${ports.game}`;
const bots: Bot[] = [];
let nextId = 0;
const rows: Record<string, number | string>[] = [];
for (const target of values.steps.split(',').map(Number)) {
  let failed = 0;
  while (bots.length < target && failed < 20) {
    const batch = Math.min(5, target - bots.length);
    const joined = await Promise.allSettled(
      Array.from({ length: batch }, () =>
        playBot(transport, { url, token: `bench-${nextId++}`, timeoutMs: 30_000 }),
      ),
    );
    for (const j of joined) {
      if (j.status === 'fulfilled') bots.push(j.value);
      else failed++;
    }
  }
  if (failed > 0) console.log(`${failed} bots could not join (connect timeout) at ${bots.length}`);
  await new Promise((r) => setTimeout(r, 1000)); // let the joins settle
  const before = bots.map((b) => b.snapshots);
  const firstLine = stats.length;
  const cpuBefore = cpuSeconds(child.pid!);
  await new Promise((r) => setTimeout(r, holdMs));
  const cpuUsed = cpuSeconds(child.pid!) - cpuBefore;
  const window = stats.slice(firstLine + 1); // skip the line that overlaps the joins
  const received = bots.reduce((sum, b, i) => sum + b.snapshots - (before[i] ?? 0), 0);
  const row = {
    bots: bots.length,
    serverPlayers: window.at(-1)?.players ?? 0,
    tickP50Ms: round(Math.max(...window.map((w) => w.p50Ms))),
    tickP99Ms: round(Math.max(...window.map((w) => w.p99Ms))),
    tickMaxMs: round(Math.max(...window.map((w) => w.maxMs))),
    // `missed` is cumulative in the server's stats lines
    missedTicks: (window.at(-1)?.missed ?? 0) - (stats[firstLine]?.missed ?? 0),
    snapshotsPerBotPerS: Number((received / bots.length / (holdMs / 1000)).toFixed(1)),
    /** Share of one core the game server used (all its threads: JS, SCTP/DTLS, ICE). */
    serverCpuPct: Math.round((cpuUsed / (holdMs / 1000)) * 100),
  };
  rows.push(row);
  console.log(JSON.stringify(row));
  // Falling behind = whole ticks skipped, the typical tick no longer fitting its period, or the
  // bots no longer getting a snapshot per tick. (Single slow ticks show in p99/max only.)
  if (row.missedTicks > 0 || row.tickP50Ms > periodMs || row.snapshotsPerBotPerS < 0.95 * hz) {
    console.log(`falls behind at ${bots.length} bots`);
    if (!values['keep-going']) break;
  }
}
console.table(rows);
for (const b of bots) b.stop();
await new Promise((r) => setTimeout(r, 1000));
cleanup();
await childExited;
process.exit(0);
