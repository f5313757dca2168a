/**
 * Placement benchmark: warm placements (servers with free seats) driven through the WebSocket
 * front by many concurrent clients, one WebSocket per placement as a browser does. The
 * matchmaker runs all-in-one as a child process (its built dist), NATS on this machine.
 * Prints throughput, p50/p99 latency and CPU per placement (matchmaker process only).
 *
 *   npm run build && npm run bench -w matchmaker
 *   BENCH_CONCURRENCY=64 BENCH_ROUNDS=3 BENCH_PER_ROUND=3000 npm run bench -w matchmaker
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import type { ServerRecord } from '@playgap/protocol';
import { startNatsServer, trackChild } from '@playgap/testkit';
import WebSocket from 'ws';
import { openAppBuckets } from '../src/buckets.js';

const APP = 'bench';
const VERSION = '1.0.0';
const SERVERS = Number(process.env.BENCH_SERVERS ?? 100);
const CAPACITY = Number(process.env.BENCH_CAPACITY ?? 32);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PER_ROUND = Number(process.env.BENCH_PER_ROUND ?? Math.floor(SERVERS * CAPACITY * 0.9));
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

function server(id: string): ServerRecord {
  const now = Date.now();
  return {
    id,
    app: APP,
    version: VERSION,
    state: 'ready',
    publicIp: '127.0.0.1',
    ports: { game: { name: 'game', internal: 7000, external: 30000, protocol: 'TCP' } },
    transports: [{ kind: 'websocket', port: 'game' }],
    certDigest: 'AB:CD',
    capacity: CAPACITY,
    players: 0,
    startedAt: now,
    updatedAt: now,
  };
}

/** utime + stime of a process in ms, from /proc. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ = 100
}

/** The pid of the nats-server this process started (its child). */
function natsPid(): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (ppid === process.pid && name === 'nats-server') return Number(entry);
    } catch {}
  }
  return undefined;
}

function startMatchmaker(natsUrl: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_CPU_PROF
        ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF]
        : []),
      MAIN,
      '--all-in-one',
      '--listen',
      '127.0.0.1:0',
      '--rate-limit',
      '1000000',
      '--max-concurrent-per-ip',
      '100000',
    ],
    {
      env: {
        ...process.env,
        PLAYGAP_APP: APP,
        PLAYGAP_VERSIONS: VERSION,
        PLAYGAP_PROTOCOL_ID: '7',
        PLAYGAP_PRIVATE_KEY: '22'.repeat(32),
        NATS_URL: natsUrl,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  trackChild(child);
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk;
      for (const line of buffer.split('\n').slice(0, -1)) {
        try {
          const event = JSON.parse(line) as { event?: string; url?: string };
          if (event.event === 'started' && event.url) resolve({ child, url: event.url });
        } catch {}
      }
      buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
    });
    child.once('exit', (code) => reject(new Error(`matchmaker exited with ${code}`)));
  });
}

function placeOnce(wsUrl: string): Promise<{ ms: number; ok: boolean; code?: string }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const ws = new WebSocket(wsUrl);
    let result: { ok: boolean; code?: string } = { ok: false, code: 'NO_ANSWER' };
    ws.on('open', () => ws.send(JSON.stringify({ game: APP, version: VERSION })));
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; code?: string };
      if (message.type === 'ready') result = { ok: true };
      else if (message.type === 'error') result = { ok: false, code: message.code ?? '?' };
    });
    ws.on('close', () => resolve({ ms: performance.now() - started, ...result }));
    ws.on('error', () => {});
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main(): Promise<void> {
  const nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  const kv = await openAppBuckets(nc, APP);
  const ids = Array.from({ length: SERVERS }, (_, i) => `srv${i}`);
  const heartbeat = async () => {
    await Promise.all(ids.map((id) => kv.servers.put(id, JSON.stringify(server(id)))));
  };
  await heartbeat();
  const beat = setInterval(() => void heartbeat(), 3_000);
  const { child, url } = await startMatchmaker(nats.url);
  const wsUrl = `${url.replace(/^http/, 'ws')}/matchmaker/ws`;
  console.log(
    `bench: ${SERVERS} servers x ${CAPACITY} seats, ${CONCURRENCY} concurrent clients, ` +
      `${ROUNDS} rounds x ${PER_ROUND} placements`,
  );
  // Warm-up (JIT, connections), then free the seats.
  await Promise.all(Array.from({ length: 200 }, () => placeOnce(wsUrl)));
  const latencies: number[] = [];
  const failures = new Map<string, number>();
  let wallMs = 0;
  let mmCpuMs = 0;
  let benchCpuMs = 0;
  let natsCpuMs = 0;
  const natsServerPid = natsPid();
  for (let round = 0; round < ROUNDS; round++) {
    // Free every seat as a sidecar does on disconnect (KV delete; all keys, no listing).
    const keys = ids.flatMap((id) => Array.from({ length: CAPACITY }, (_, j) => `${id}.${j}`));
    for (let i = 0; i < keys.length; i += 500) {
      await Promise.all(keys.slice(i, i + 500).map((k) => kv.seats.delete(k)));
    }
    await new Promise((r) => setTimeout(r, 300)); // let the watch catch up on the purges
    let issued = 0;
    const cpu0 = cpuMs(child.pid!);
    const nats0 = natsServerPid ? cpuMs(natsServerPid) : 0;
    const self0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (issued < PER_ROUND) {
          issued++;
          const r = await placeOnce(wsUrl);
          latencies.push(r.ms);
          if (!r.ok) failures.set(r.code ?? '?', (failures.get(r.code ?? '?') ?? 0) + 1);
        }
      }),
    );
    wallMs += performance.now() - t0;
    mmCpuMs += cpuMs(child.pid!) - cpu0;
    if (natsServerPid) natsCpuMs += cpuMs(natsServerPid) - nats0;
    const self = process.cpuUsage(self0);
    benchCpuMs += (self.user + self.system) / 1000;
  }
  const total = latencies.length;
  latencies.sort((a, b) => a - b);
  console.log(`placements: ${total} in ${(wallMs / 1000).toFixed(2)} s`);
  console.log(`throughput: ${Math.round((total / wallMs) * 1000)} placements/s`);
  console.log(
    `latency: p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms, max ${latencies.at(-1)?.toFixed(2)} ms`,
  );
  console.log(
    `cpu per placement: matchmaker ${((mmCpuMs / total) * 1000).toFixed(0)} µs, ` +
      `nats-server ${natsServerPid ? `${((natsCpuMs / total) * 1000).toFixed(0)} µs` : '?'}, ` +
      `load generator ${((benchCpuMs / total) * 1000).toFixed(0)} µs`,
  );
  console.log(
    `failures: ${failures.size === 0 ? 'none' : JSON.stringify(Object.fromEntries(failures))}`,
  );
  clearInterval(beat);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await nc.close();
  await nats.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
