/**
 * The parts of the placement benches: a warm fleet of server records in NATS KV (heartbeated,
 * seats freed between rounds as sidecars do), the matchmaker all-in-one as a child process
 * (its built dist), one placement per WebSocket or HTTP request as a browser does, CPU of a
 * process from /proc, and a round of N placements by C concurrent clients.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type ServerRecord, seatKey } from '@playgap/protocol';
import { type RunningNatsServer, startNatsServer, trackChild } from '@playgap/testkit';
import WebSocket from 'ws';
import { type AppBuckets, openAppBuckets } from '../src/buckets.js';
import { limitCpu } from './cpu-limit.js';

export const APP = 'bench';
export const VERSION = '1.0.0';
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/**
 * A ready warm server of the bench: one WebSocket transport, `capacity` seats.
 *
 * @example
 * kv.servers.put('srv0', JSON.stringify(benchServer('srv0', 32)));
 */
export function benchServer(id: string, capacity: number, app = APP): ServerRecord {
  const now = Date.now();
  return {
    id,
    app,
    version: VERSION,
    state: 'ready',
    publicIp: '127.0.0.1',
    ports: { game: { name: 'game', internal: 7000, external: 30000, protocol: 'TCP' } },
    transports: [{ kind: 'websocket', port: 'game' }],
    certDigest: 'AB:CD',
    capacity,
    players: 0,
    startedAt: now,
    updatedAt: now,
  };
}

/** utime + stime of a process in ms, from /proc. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ = 100
}

/** The pid of the nats-server this process started (its child). */
export function natsPid(): number | undefined {
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

export interface WarmFleet {
  nats: RunningNatsServer;
  nc: NatsConnection;
  kv: AppBuckets;
  /** Free every seat as sidecars do on disconnect (KV deletes), then let the watch catch up. */
  freeAllSeats(): Promise<void>;
  close(): Promise<void>;
}

/** A nats-server with `servers` ready servers of `capacity` seats, heartbeated every 3 s. */
export async function startWarmFleet(servers: number, capacity: number): Promise<WarmFleet> {
  const nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  const kv = await openAppBuckets(nc, APP);
  const ids = Array.from({ length: servers }, (_, i) => `srv${i}`);
  const heartbeat = async () => {
    for (let i = 0; i < ids.length; i += 500) {
      await Promise.all(
        ids
          .slice(i, i + 500)
          .map((id) => kv.servers.put(id, JSON.stringify(benchServer(id, capacity)))),
      );
    }
  };
  await heartbeat();
  const beat = setInterval(() => void heartbeat().catch(() => {}), 3_000);
  return {
    nats,
    nc,
    kv,
    async freeAllSeats() {
      const keys = ids.flatMap((id) => Array.from({ length: capacity }, (_, j) => seatKey(id, j)));
      for (let i = 0; i < keys.length; i += 500) {
        await Promise.all(keys.slice(i, i + 500).map((k) => kv.seats.delete(k)));
      }
      await new Promise((r) => setTimeout(r, 300));
    },
    async close() {
      clearInterval(beat);
      await nc.close();
      await nats.stop();
    },
  };
}

/**
 * The built matchmaker, all-in-one, on a free port; resolves once it prints `started`.
 * `cpuCores` puts it in a cgroup of its own with that CPU quota (see cpu-limit.ts).
 */
export function startMatchmakerProcess(
  natsUrl: string,
  extraEnv: Record<string, string> = {},
  cpuCores?: number,
): Promise<{ child: ChildProcess; url: string }> {
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
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  trackChild(child);
  if (cpuCores !== undefined) {
    try {
      child.once('exit', limitCpu(child.pid!, cpuCores));
    } catch (error) {
      child.kill('SIGKILL');
      return Promise.reject(error);
    }
  }
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

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await gone;
}

export interface Placement {
  ms: number;
  ok: boolean;
  code?: string;
}

/** One placement through the front's WebSocket, as the browser SDK does it. */
export function placeOverWebSocket(wsUrl: string): Promise<Placement> {
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

/**
 * Placements over kept sockets (`?keep=1`): each concurrent client opens one socket and sends
 * its play requests on it one after another, as a keep-alive HTTP client reuses its connection.
 * Returns the `place` function of one client; call `close()` after the round.
 */
export function keptSocketClient(wsUrl: string): {
  place: () => Promise<Placement>;
  close: () => void;
} {
  let ws: WebSocket | undefined;
  let opening: Promise<WebSocket> | undefined;
  let pending: ((message: { type: string; code?: string } | undefined) => void) | undefined;
  const open = () => {
    opening ??= new Promise<WebSocket>((resolve) => {
      const socket = new WebSocket(`${wsUrl}?keep=1`);
      socket.on('open', () => resolve(socket));
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string; code?: string };
        if (message.type !== 'progress') pending?.(message);
      });
      socket.on('close', () => {
        ws = undefined;
        opening = undefined;
        pending?.(undefined);
      });
      socket.on('error', () => {});
      ws = socket;
    });
    return opening;
  };
  return {
    async place() {
      const started = performance.now();
      const socket = ws?.readyState === WebSocket.OPEN ? ws : await open();
      const message = await new Promise<{ type: string; code?: string } | undefined>((resolve) => {
        pending = resolve;
        socket.send(JSON.stringify({ game: APP, version: VERSION }));
      });
      pending = undefined;
      const ms = performance.now() - started;
      if (message?.type === 'ready') return { ms, ok: true };
      return { ms, ok: false, code: message?.code ?? 'CLOSED' };
    },
    close: () => ws?.close(),
  };
}

/** One JSON POST (keep-alive connection), `ok` when `isOk` accepts the answer. */
export async function placeOverHttp(
  url: string,
  body: unknown,
  isOk: (answer: Record<string, unknown>) => boolean,
): Promise<Placement> {
  const started = performance.now();
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as Record<string, unknown>;
    const ok = response.ok && isOk(answer);
    return {
      ms: performance.now() - started,
      ok,
      ...(ok ? {} : { code: String(answer.code ?? response.status) }),
    };
  } catch (error) {
    return { ms: performance.now() - started, ok: false, code: (error as Error).name };
  }
}

/**
 * One JSON POST on a connection of its own (closed after the answer), as a player's first
 * request to a server it has not talked to: the TCP accept and close are in the price, as in a
 * placement over a fresh WebSocket.
 */
export function placeOverFreshHttp(
  url: string,
  body: unknown,
  isOk: (answer: Record<string, unknown>) => boolean,
): Promise<Placement> {
  const started = performance.now();
  const payload = JSON.stringify(body);
  return new Promise((resolve) => {
    const done = (ok: boolean, code?: string) =>
      resolve({ ms: performance.now() - started, ok, ...(ok ? {} : { code: code ?? '?' }) });
    const req = httpRequest(
      url,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          connection: 'close',
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => {
          try {
            const answer = JSON.parse(text) as Record<string, unknown>;
            const ok = (res.statusCode ?? 500) < 300 && isOk(answer);
            done(ok, String(answer.code ?? res.statusCode));
          } catch {
            done(false, 'NOT_JSON');
          }
        });
      },
    );
    req.on('error', (error) => done(false, error.name));
    req.end(payload);
  });
}

export interface RoundResult {
  latencies: number[];
  failures: Map<string, number>;
  wallMs: number;
  /** CPU ms of each watched process over the round. */
  cpuMs: number[];
  /** CPU ms of this process (the load generator) over the round. */
  driverCpuMs: number;
}

/** `count` placements by `concurrency` clients at once (`place(client)`); CPU measured for `pids`. */
export async function runRound(
  concurrency: number,
  count: number,
  place: (client: number) => Promise<Placement>,
  pids: readonly number[],
): Promise<RoundResult> {
  const latencies: number[] = [];
  const failures = new Map<string, number>();
  let issued = 0;
  const cpu0 = pids.map(cpuMs);
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, client) => {
      while (issued < count) {
        issued++;
        const r = await place(client);
        latencies.push(r.ms);
        if (!r.ok) failures.set(r.code ?? '?', (failures.get(r.code ?? '?') ?? 0) + 1);
      }
    }),
  );
  const wallMs = performance.now() - t0;
  const self = process.cpuUsage(self0);
  return {
    latencies,
    failures,
    wallMs,
    cpuMs: pids.map((pid, i) => cpuMs(pid) - cpu0[i]!),
    driverCpuMs: (self.user + self.system) / 1000,
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}
