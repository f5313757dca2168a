/**
 * The floor under a WebSocket placement: a bare `ws` server (no NATS, no seat, no token, no
 * log) that answers each socket's first message with a reply the size of a real one and
 * closes, driven exactly like placement-bench.ts drives the front. Its CPU per socket is what
 * any placement over a fresh WebSocket costs on this machine before playgap does anything; the
 * placement bench's figure minus this one is playgap's own work.
 *
 *   npx tsx matchmaker/bench/ws-floor-bench.ts
 *   BENCH_CONCURRENCY=16 BENCH_ROUNDS=3 BENCH_PER_ROUND=3000 npx tsx matchmaker/bench/ws-floor-bench.ts
 */
import { spawn } from 'node:child_process';
import { percentile, placeOverWebSocket, runRound, stopProcess } from './placement-driver.js';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PER_ROUND = Number(process.env.BENCH_PER_ROUND ?? 3_000);

// The server: one progress frame, one ~3 KB answer and the close frame in one write, as the front.
const SERVER = `
const { WebSocketServer } = require('ws');
const http = require('node:http');
const server = http.createServer();
const wss = new WebSocketServer({ noServer: true, maxPayload: 65536 });
const reply = JSON.stringify({ type: 'ready', token: 'A'.repeat(2732), serverId: 'x'.repeat(20), ip: '127.0.0.1', port: 31000, transports: [], certDigest: 'AB:'.repeat(32), clientId: '1', expiresAt: 0 });
server.on('upgrade', (req, socket, head) => {
  socket.on('error', () => {});
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.on('error', () => {});
    ws.once('message', () => {
      ws._socket.cork();
      ws.send('{"type":"progress","stage":"ready","elapsedMs":1,"message":"Your server is ready"}');
      ws.send(reply);
      ws.close(1000);
      process.nextTick(() => ws._socket.uncork());
    });
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

async function main(): Promise<void> {
  const child = spawn(process.execPath, ['-e', SERVER], {
    cwd: new URL('..', import.meta.url).pathname,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve) =>
    child.stdout!.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim()))),
  );
  const url = `ws://127.0.0.1:${port}/matchmaker/ws`;
  const place = () => placeOverWebSocket(url);
  await Promise.all(Array.from({ length: 200 }, place));
  const latencies: number[] = [];
  let wallMs = 0;
  let cpu = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const r = await runRound(CONCURRENCY, PER_ROUND, place, [child.pid!]);
    latencies.push(...r.latencies);
    wallMs += r.wallMs;
    cpu += r.cpuMs[0]!;
  }
  await stopProcess(child);
  latencies.sort((a, b) => a - b);
  const n = ROUNDS * PER_ROUND;
  console.log(
    `ws floor: ${CONCURRENCY} concurrent clients, ${ROUNDS} rounds x ${PER_ROUND} sockets`,
  );
  console.log(`throughput: ${((n / wallMs) * 1000).toFixed(0)} sockets/s`);
  console.log(
    `latency: p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms`,
  );
  console.log(`cpu per socket: server ${((cpu / n) * 1000).toFixed(0)} µs`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
