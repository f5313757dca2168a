/**
 * Sidecar benchmark (`npm run bench -w @playgap/sidecar`, after `npx tsc -b`):
 *  1. start to record published: the sidecar's own work after NATS is up (open buckets, seat
 *     watch, first record write), read from the CLI's own log line, over several runs; plus the
 *     whole process start → record visible in KV;
 *  2. verify-and-consume through the local HTTP API, sustained, with real connect tokens and
 *     real reservations in NATS KV, against the CLI as a separate process;
 *  3. resident memory of that sidecar process (VmRSS after the load, VmHWM peak).
 * Figures are printed, never asserted.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { buckets, seatKey } from '@playgap/protocol';
import { generatePrivateKey, mintConnectToken } from '@playgap/protocol/token';
import { freePort, startNatsServer, trackChild } from '@playgap/testkit';

const BIN = fileURLToPath(new URL('../bin/playgap-sidecar.js', import.meta.url));
const TOKENS = Number(process.env.BENCH_TOKENS ?? 15_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const STARTS = Number(process.env.BENCH_STARTS ?? 10);
const privateKey = generatePrivateKey();
const keyHex = Buffer.from(privateKey).toString('hex');

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const round = (n: number) => Math.round(n * 100) / 100;

function startSidecar(natsUrl: string, app: string, serverId: string, gamePort: number) {
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [BIN, '--local', '--server-id', serverId, '--port', `game:TCP:${gamePort}`, 'serve'],
    {
      env: {
        PATH: process.env.PATH ?? '',
        NATS_URL: natsUrl,
        PLAYGAP_APP: app,
        PLAYGAP_PROTOCOL_ID: '9',
        PLAYGAP_PRIVATE_KEY: keyHex,
        PLAYGAP_SIDECAR_PORT: '0',
        PLAYGAP_CAPACITY: '1',
        PLAYGAP_IDLE_TIMEOUT_MS: '0',
        PLAYGAP_HEARTBEAT_TIMEOUT_MS: '0',
        PLAYGAP_READY_TIMEOUT_MS: '600000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  trackChild(child);
  let text = '';
  const published = new Promise<{ url: string; recordMs: number; totalMs: number }>(
    (resolve, reject) => {
      const onData = (chunk: Buffer) => {
        text += chunk.toString();
        const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];
        const rec = /"recordMs":([\d.]+)/.exec(text)?.[1];
        if (url && rec) resolve({ url, recordMs: Number(rec), totalMs: performance.now() - t0 });
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`sidecar exited ${code}: ${text}`)));
    },
  );
  return { child, published };
}

function post(
  agent: Agent,
  url: URL,
  path: string,
  body: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rssMb: round(kb('VmRSS') / 1024), peakMb: round(kb('VmHWM') / 1024) };
}

async function main() {
  const nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  try {
    // 1. Start to record published.
    const recordMs: number[] = [];
    const totalMs: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      const s = startSidecar(nats.url, `benchstart${i}`, `start-${i}`, await freePort());
      const r = await s.published;
      recordMs.push(r.recordMs);
      totalMs.push(r.totalMs);
      s.child.kill('SIGTERM');
      await new Promise((resolve) => s.child.once('exit', resolve));
    }
    recordMs.sort((a, b) => a - b);
    totalMs.sort((a, b) => a - b);
    console.log(
      `start → record published (own work after NATS up), ${STARTS} runs: median ${pct(recordMs, 50)} ms, max ${recordMs.at(-1)} ms (first run creates the buckets)`,
    );
    console.log(
      `process spawn → record published (node boot + cert + NATS connect + record): median ${round(pct(totalMs, 50))} ms`,
    );

    // 2. Verify-and-consume throughput.
    const app = 'benchverify';
    const serverId = 'verify-1';
    const gamePort = await freePort();
    const s = startSidecar(nats.url, app, serverId, gamePort);
    const { url } = await s.published;
    const base = new URL(url);
    const idleMem = memoryOf(s.child.pid ?? 0);
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const ready = await post(
      agent,
      base,
      '/v1/ready',
      JSON.stringify({ transports: [{ kind: 'websocket', port: 'game' }] }),
    );
    if (ready.status !== 200) throw new Error(`ready failed: ${ready.text}`);
    const seats = await new Kvm(nc).open(buckets(app).seats);
    const expiresAt = Date.now() + 600_000;
    const tokens: string[] = [];
    for (let i = 0; i < TOKENS; i++) {
      tokens.push(
        mintConnectToken({
          protocolId: 9n,
          privateKey,
          clientId: BigInt(i + 1),
          serverAddresses: [`127.0.0.1:${gamePort}`],
          expireSeconds: 600,
        }).base64,
      );
    }
    for (let i = 0; i < TOKENS; i += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, TOKENS - i) }, (_, j) => {
          const seatIndex = i + j;
          return seats.create(
            seatKey(serverId, seatIndex),
            JSON.stringify({
              serverId,
              seatIndex,
              state: 'reserved',
              clientId: String(seatIndex + 1),
              expiresAt,
              updatedAt: Date.now(),
            }),
          );
        }),
      );
    }
    // Let the sidecar's seat watch catch up with the reservations (it is a cache, not needed for correctness).
    await new Promise((r) => setTimeout(r, 2_000));
    const latencies: number[] = [];
    let next = 0;
    let failures = 0;
    let memAt1024: { rssMb: number; peakMb: number } | undefined;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (;;) {
          const i = next++;
          if (i >= TOKENS) return;
          if (i === 1024) memAt1024 = memoryOf(s.child.pid ?? 0);
          const start = performance.now();
          const res = await post(
            agent,
            base,
            '/v1/tokens/verify',
            JSON.stringify({ token: tokens[i] }),
          );
          latencies.push(performance.now() - start);
          if (res.status !== 200) {
            failures++;
            if (failures < 3) console.error(`verify failed: ${res.status} ${res.text}`);
          }
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);
    console.log(
      `verify-and-consume via local API: ${TOKENS} tokens, concurrency ${CONCURRENCY}: ${Math.round(TOKENS / seconds)}/s, p50 ${round(pct(latencies, 50))} ms, p99 ${round(pct(latencies, 99))} ms, failures ${failures}`,
    );
    // 3. Memory.
    const mem = memoryOf(s.child.pid ?? 0);
    const health = await new Promise<string>((resolve) =>
      request({ host: base.hostname, port: base.port, path: '/healthz', agent }, (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve(text));
      }).end(),
    );
    console.log(`sidecar /healthz after load: ${health}`);
    console.log(
      `sidecar RSS: ready and idle ${idleMem.rssMb} MB; with 1024 players ${memAt1024?.rssMb} MB; after load ${mem.rssMb} MB (peak ${mem.peakMb} MB) with ${TOKENS} connected seats`,
    );
    agent.destroy();
    s.child.kill('SIGTERM');
    await new Promise((resolve) => s.child.once('exit', resolve));
  } finally {
    await nc.close();
    await nats.stop();
  }
}

await main();
