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
import type { BotTransport } from './bot-transports.js';

const { values } = parseArgs({
  options: {
    transport: { type: 'string', default: 'webrtc' },
    steps: { type: 'string', default: '25,50,100,150,200,250' },
    hz: { type: 'string', default: '20' },
    'hold-s': { type: 'string', default: '6' },
    cpu: { type: 'string', default: '0' },
    /** CPUs the bot processes run on (taskset list). */
    'bot-cpus': { type: 'string', default: '1' },
    /** Bots per child process (each has its own event loop). */
    'bots-per-swarm': { type: 'string', default: '50' },
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
const swarmMain = fileURLToPath(new URL('./bot-swarm.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));

/** A child process holding up to `botsPerSwarm` bots (its own event loop). */
function startSwarm(firstId: number) {
  // Bots on the other CPU(s), so they do not compete with the server's core.
  const proc = spawn(
    'taskset',
    ['-c', values['bot-cpus'], process.execPath, tsx, swarmMain, transport, url, String(firstId)],
    {
      stdio: ['pipe', 'pipe', 'ignore'],
    },
  );
  const replies: ((m: Record<string, number>) => void)[] = [];
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    if (line.startsWith('{')) replies.shift()?.(JSON.parse(line) as Record<string, number>);
  });
  const ask = (cmd: unknown) =>
    new Promise<Record<string, number>>((resolve) => {
      replies.push(resolve);
      proc.stdin!.write(`${JSON.stringify(cmd)}\n`);
    });
  return { proc, ask, size: 0 };
}

const botsPerSwarm = Number(values['bots-per-swarm']);
const swarms: ReturnType<typeof startSwarm>[] = [];
let total = 0;
const rows: Record<string, number | string>[] = [];
for (const target of values.steps.split(',').map(Number)) {
  let failed = 0;
  while (total < target && failed < 20) {
    let swarm = swarms.at(-1);
    if (!swarm || swarm.size >= botsPerSwarm) {
      swarm = startSwarm(swarms.length * 100_000);
      swarms.push(swarm);
    }
    const n = Math.min(target - total, botsPerSwarm - swarm.size);
    const reply = await swarm.ask({ join: n });
    failed += reply['failed'] ?? 0;
    swarm.size = reply['joined'] ?? swarm.size;
    total = swarms.reduce((sum, s) => sum + s.size, 0);
  }
  if (failed > 0) console.log(`${failed} bots could not join (connect timeout) at ${total}`);
  await new Promise((r) => setTimeout(r, 1000)); // let the joins settle
  const count = async () =>
    (await Promise.all(swarms.map((s) => s.ask({ report: true })))).reduce(
      (sum, r) => sum + (r['snapshots'] ?? 0),
      0,
    );
  const before = await count();
  const firstLine = stats.length;
  const cpuBefore = cpuSeconds(child.pid!);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, holdMs));
  const cpuUsed = cpuSeconds(child.pid!) - cpuBefore;
  const elapsedS = (performance.now() - t0) / 1000;
  const received = (await count()) - before;
  const window = stats.slice(firstLine + 1); // skip the line that overlaps the joins
  const row = {
    bots: total,
    serverPlayers: window.at(-1)?.players ?? 0,
    tickP50Ms: round(Math.max(...window.map((w) => w.p50Ms))),
    tickP99Ms: round(Math.max(...window.map((w) => w.p99Ms))),
    tickMaxMs: round(Math.max(...window.map((w) => w.maxMs))),
    // `missed` is cumulative in the server's stats lines
    missedTicks: (window.at(-1)?.missed ?? 0) - (stats[firstLine]?.missed ?? 0),
    snapshotsPerBotPerS: round(received / total / elapsedS),
    /** Share of one core the game server used (all its threads: JS, SCTP/DTLS, ICE). */
    serverCpuPct: Math.round((cpuUsed / elapsedS) * 100),
  };
  rows.push(row);
  console.log(JSON.stringify(row));
  // Falling behind = whole ticks skipped, the typical tick no longer fitting its period, or the
  // bots no longer getting a snapshot per tick. (Single slow ticks show in p99/max only.)
  if (row.missedTicks > 0 || row.tickP50Ms > periodMs || row.snapshotsPerBotPerS < 0.95 * hz) {
    console.log(`falls behind at ${total} bots`);
    if (!values['keep-going']) break;
  }
}
console.table(rows);
await Promise.all(
  swarms.map(
    (s) =>
      new Promise((r) => {
        s.proc.once('exit', r);
        s.proc.stdin!.write('{"stop":true}\n');
      }),
  ),
);
cleanup();
await childExited;
process.exit(0);
