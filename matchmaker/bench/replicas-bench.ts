/**
 * Replica benchmark: warm placement throughput with R1 and with R3 buckets on the same 3-node
 * NATS cluster, in one run, so the ratio is what matters (each seat write of R3 waits for a
 * majority of the three nodes). The matchmaker runs in this process (service and front), the
 * load is WebSocket placements as browsers make them. Bounded: a warm-up, then ROUNDS x PER_ROUND per setting, rounds alternating.
 *
 *   npm run bench:replicas -w matchmaker
 *   BENCH_CONCURRENCY=32 BENCH_PER_ROUND=400 npm run bench:replicas -w matchmaker
 */
import { connect } from '@nats-io/transport-node';
import { seatKey } from '@playgap/protocol';
import { startNatsCluster } from '@playgap/testkit';
import WebSocket from 'ws';
import { openAppBuckets } from '../src/buckets.js';
import { loadConfig } from '../src/config.js';
import { startMatchmaker } from '../src/matchmaker.js';
import { benchServer, VERSION } from './placement-driver.js';

const SERVERS = Number(process.env.BENCH_SERVERS ?? 20);
const CAPACITY = Number(process.env.BENCH_CAPACITY ?? 32);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const PER_ROUND = Number(process.env.BENCH_PER_ROUND ?? Math.floor(SERVERS * CAPACITY * 0.8));

function placeOnce(wsUrl: string, app: string): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(wsUrl);
    let ok = false;
    ws.on('open', () => ws.send(JSON.stringify({ game: app, version: VERSION })));
    ws.on('message', (data) => {
      if ((JSON.parse(String(data)) as { type: string }).type === 'ready') ok = true;
    });
    ws.on('close', () => resolve(ok));
    ws.on('error', () => {});
  });
}

interface Setting {
  replicas: number;
  placed: number;
  failed: number;
  wallMs: number;
  /** Free every seat, then place PER_ROUND players with CONCURRENCY clients. */
  round(count?: number): Promise<void>;
  close(): Promise<void>;
}

/** An app whose buckets have `replicas` copies, its fake fleet and an all-in-one matchmaker. */
async function prepare(clusterUrl: string, replicas: number): Promise<Setting> {
  const app = `bench_r${replicas}`;
  const nc = await connect({ servers: clusterUrl.split(',') });
  const kv = await openAppBuckets(nc, app, { replicas });
  const ids = Array.from({ length: SERVERS }, (_, i) => `srv${i}`);
  const heartbeat = () =>
    Promise.all(
      ids.map((id) => kv.servers.put(id, JSON.stringify(benchServer(id, CAPACITY, app)))),
    );
  await heartbeat();
  const beat = setInterval(() => void heartbeat().catch(() => {}), 3_000);
  const config = loadConfig(
    ['--all-in-one', '--listen', '127.0.0.1:0', '--kv-replicas', String(replicas)],
    {
      PLAYGAP_APP: app,
      PLAYGAP_VERSIONS: VERSION,
      PLAYGAP_PROTOCOL_ID: '7',
      PLAYGAP_PRIVATE_KEY: '22'.repeat(32),
      NATS_URL: clusterUrl,
    },
    { rateLimitPerWindow: 1_000_000, maxConcurrentPerIp: 100_000 },
  );
  const mm = await startMatchmaker(config, {}, { listen: true });
  const wsUrl = `${(mm.url as string).replace(/^http/, 'ws')}/matchmaker/ws`;
  const setting: Setting = {
    replicas,
    placed: 0,
    failed: 0,
    wallMs: 0,
    async round(count = PER_ROUND) {
      const keys = ids.flatMap((id) => Array.from({ length: CAPACITY }, (_, j) => seatKey(id, j)));
      for (let i = 0; i < keys.length; i += 500) {
        await Promise.all(keys.slice(i, i + 500).map((k) => kv.seats.delete(k)));
      }
      await new Promise((r) => setTimeout(r, 300)); // let the watch catch up on the deletes
      let issued = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (issued < count) {
            issued++;
            if (await placeOnce(wsUrl, app)) setting.placed++;
            else setting.failed++;
          }
        }),
      );
      setting.wallMs += performance.now() - t0;
    },
    async close() {
      clearInterval(beat);
      await mm.close();
      await nc.close();
    },
  };
  return setting;
}

function report(setting: Setting): number {
  const perSecond = (setting.placed / setting.wallMs) * 1000;
  console.log(
    `R${setting.replicas}: ${setting.placed} placements in ${(setting.wallMs / 1000).toFixed(2)} s = ` +
      `${Math.round(perSecond)}/s${setting.failed ? `, ${setting.failed} failed` : ''}`,
  );
  return perSecond;
}

async function main(): Promise<void> {
  const cluster = await startNatsCluster();
  try {
    console.log(
      `replicas bench: 3-node cluster, ${SERVERS} servers x ${CAPACITY} seats, ` +
        `${CONCURRENCY} concurrent clients, ${ROUNDS} rounds x ${PER_ROUND} placements per setting`,
    );
    const settings = [await prepare(cluster.url, 1), await prepare(cluster.url, 3)];
    try {
      for (const setting of settings) await setting.round(200); // warm-up (JIT, connections)
      for (const setting of settings) Object.assign(setting, { placed: 0, failed: 0, wallMs: 0 });
      // Rounds alternate, so a load spike from elsewhere on the machine hits both settings.
      for (let round = 0; round < ROUNDS; round++) {
        for (const setting of settings) await setting.round();
      }
      const [r1, r3] = settings.map(report) as [number, number];
      console.log(`R3/R1 throughput: ${(r3 / r1).toFixed(2)}`);
    } finally {
      for (const setting of settings) await setting.close();
    }
  } finally {
    await cluster.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
