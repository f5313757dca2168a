/**
 * Parties-by-code benchmark on a real nats-server with two all-in-one matchmaker replicas and
 * one registered server (no deployments: the seat path has its own bench). Per round a leader
 * creates a 2v2 party on replica A, a friend joins it by code on replica B, the leader queues
 * while two solo players queue 2v2, and all four get their answers. Reports p50/p95 of create
 * (socket open → first roster), join (→ both rosters show 2) and queue (→ all four ready), then
 * a burst of parties at once.
 *
 *   npx tsx matchmaker/bench/parties-bench.ts
 *   BENCH_ROUNDS=100 BENCH_BURST=50 npx tsx matchmaker/bench/parties-bench.ts
 */
import type { FrontMessage, PartyFrontMessage, PartyMessage } from '@playgap/protocol';
import WebSocket from 'ws';
import { type RunningMatchmaker, startMatchmaker } from '../src/index.js';
import { parseMatchmakingConfig } from '../src/queues/matchmaking-config.js';
import { APP, serverRecord, startTestNats, testConfig, VERSION } from '../test/fake-fleet.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const BURST = Number(process.env.BENCH_BURST ?? 20);

type Message = FrontMessage | PartyFrontMessage;

/** One socket; `until` resolves on the first message (from now on) that passes `test`. */
class Client {
  readonly ws: WebSocket;
  readonly #waiters: { test: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  last: Message | undefined;
  constructor(url: string, first: Record<string, unknown>) {
    this.ws = new WebSocket(`${url.replace(/^http/, 'ws')}/matchmaker/ws`);
    this.ws.on('open', () =>
      this.ws.send(JSON.stringify({ game: APP, version: VERSION, ...first })),
    );
    this.ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as Message;
      this.last = message;
      for (const w of [...this.#waiters]) {
        if (w.test(message)) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          w.resolve(message);
        }
      }
    });
  }
  until(test: (m: Message) => boolean): Promise<Message> {
    if (this.last && test(this.last)) return Promise.resolve(this.last);
    return new Promise((resolve) => this.#waiters.push({ test, resolve }));
  }
  send(message: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(message));
  }
}

const final = (m: Message) => m.type === 'ready' || m.type === 'error';

async function round(
  a: string,
  b: string,
): Promise<{ create: number; join: number; queue: number }> {
  const t0 = performance.now();
  const leader = new Client(a, { type: 'party_create', mode: '2v2' });
  const roster = (await leader.until((m) => m.type === 'party')) as PartyMessage;
  const t1 = performance.now();
  const friend = new Client(b, { type: 'party_join', code: roster.code });
  await Promise.all(
    [leader, friend].map((c) => c.until((m) => m.type === 'party' && m.members.length === 2)),
  );
  const t2 = performance.now();
  leader.send({ type: 'party_queue' });
  const solos = [a, b].map((url) => new Client(url, { mode: '2v2' }));
  const answers = await Promise.all([leader, friend, ...solos].map((c) => c.until(final)));
  const t3 = performance.now();
  if (!answers.every((m) => m.type === 'ready')) {
    throw new Error(`a round failed: ${JSON.stringify(answers.find((m) => m.type !== 'ready'))}`);
  }
  return { create: t1 - t0, join: t2 - t1, queue: t3 - t2 };
}

function pct(values: number[], p: number): string {
  const sorted = [...values].sort((x, y) => x - y);
  return (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0).toFixed(
    1,
  );
}

const nats = await startTestNats();
const replicas: RunningMatchmaker[] = [];
try {
  const config = testConfig(nats.url, {
    matchmaking: parseMatchmakingConfig({
      modes: { '2v2': { teams: { count: 2, minSize: 2, maxSize: 2 } } },
    }),
    matchIntervalMs: 20,
  });
  for (let i = 0; i < 2; i++) replicas.push(await startMatchmaker(config, {}, { listen: true }));
  await nats.putServer(serverRecord('bench', { capacity: 4 * (ROUNDS + BURST) + 8 }));
  const heartbeat = setInterval(
    () => void nats.putServer(serverRecord('bench', { capacity: 4 * (ROUNDS + BURST) + 8 })),
    2_000,
  );
  for (const r of replicas) {
    while (!r.fleet?.server('bench')) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const [a, b] = replicas.map((r) => r.url as string) as [string, string];
  await round(a, b); // warm-up
  const results = [];
  for (let i = 0; i < ROUNDS; i++) results.push(await round(a, b));
  console.log(`parties-bench: ${ROUNDS} rounds (party of 2 on two replicas + 2 solos, 2v2)`);
  for (const key of ['create', 'join', 'queue'] as const) {
    const values = results.map((r) => r[key]);
    console.log(`  ${key.padEnd(6)} p50 ${pct(values, 50)} ms  p95 ${pct(values, 95)} ms`);
  }
  const started = performance.now();
  await Promise.all(Array.from({ length: BURST }, () => round(a, b)));
  const ms = performance.now() - started;
  console.log(
    `  burst: ${BURST} rounds at once (${BURST * 4} players) all placed in ${ms.toFixed(0)} ms`,
  );
  clearInterval(heartbeat);
} finally {
  for (const r of replicas) await r.close();
  await nats.stop();
}
process.exit(0);
