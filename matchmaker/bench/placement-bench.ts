/**
 * Placement benchmark: warm placements (servers with free seats) driven through the WebSocket
 * front by many concurrent clients, one WebSocket per placement as a browser does. The
 * matchmaker runs all-in-one as a child process (its built dist), NATS on this machine.
 * Prints throughput, p50/p99 latency and CPU per placement (matchmaker process only).
 *
 *   npm run build && npm run bench -w matchmaker
 *   BENCH_CONCURRENCY=64 BENCH_ROUNDS=3 BENCH_PER_ROUND=3000 npm run bench -w matchmaker
 *   BENCH_SERVERS=10000 BENCH_CAPACITY=16 npx tsx matchmaker/bench/placement-bench.ts
 *   BENCH_REPLICAS=2 npm run bench -w matchmaker     # clients spread over two matchmakers
 *   BENCH_REPLICAS=2 BENCH_TARGET=0 npm run bench -w matchmaker  # all on the first; the other only watches
 *   BENCH_KEEP=1 npm run bench -w matchmaker      # one kept socket (?keep=1) per client instead
 */
import {
  keptSocketClient,
  natsPid,
  percentile,
  placeOverWebSocket,
  runRound,
  startMatchmakerProcess,
  startWarmFleet,
  stopProcess,
} from './placement-driver.js';

const SERVERS = Number(process.env.BENCH_SERVERS ?? 100);
const CAPACITY = Number(process.env.BENCH_CAPACITY ?? 32);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 1);
const PER_ROUND = Number(
  process.env.BENCH_PER_ROUND ?? Math.min(3_000, Math.floor(SERVERS * CAPACITY * 0.9)),
);

async function main(): Promise<void> {
  const fleet = await startWarmFleet(SERVERS, CAPACITY);
  const replicas = await Promise.all(
    Array.from({ length: REPLICAS }, () => startMatchmakerProcess(fleet.nats.url)),
  );
  const wsUrls = replicas.map(({ url }) => `${url.replace(/^http/, 'ws')}/matchmaker/ws`);
  let nextReplica = 0;
  // BENCH_TARGET=0: every client on the first replica (the others only watch the fleet).
  const target =
    process.env.BENCH_TARGET === undefined ? undefined : Number(process.env.BENCH_TARGET);
  const urlFor = () => wsUrls[target ?? nextReplica++ % wsUrls.length]!;
  // BENCH_KEEP=1: each concurrent client places over one kept socket (its replica fixed).
  const kept = new Map<number, ReturnType<typeof keptSocketClient>>();
  const keep = process.env.BENCH_KEEP === '1';
  const place = (client: number) => {
    if (!keep) return placeOverWebSocket(urlFor());
    let socket = kept.get(client);
    if (!socket) {
      socket = keptSocketClient(urlFor());
      kept.set(client, socket);
    }
    return socket.place();
  };
  console.log(
    `bench: ${SERVERS} servers x ${CAPACITY} seats, ${REPLICAS} matchmaker${REPLICAS > 1 ? 's' : ''}, ${CONCURRENCY} concurrent clients, ` +
      `${ROUNDS} rounds x ${PER_ROUND} placements`,
  );
  // Warm-up (JIT, connections), then free the seats.
  await Promise.all(Array.from({ length: 200 }, () => placeOverWebSocket(urlFor())));
  const latencies: number[] = [];
  const failures = new Map<string, number>();
  let wallMs = 0;
  let mmCpuMs = 0;
  let natsCpuMs = 0;
  let benchCpuMs = 0;
  const natsServerPid = natsPid();
  for (let round = 0; round < ROUNDS; round++) {
    await fleet.freeAllSeats();
    const self0 = process.cpuUsage();
    const mmPids = replicas.map(({ child }) => child.pid!);
    const result = await runRound(
      CONCURRENCY,
      PER_ROUND,
      place,
      natsServerPid ? [...mmPids, natsServerPid] : mmPids,
    );
    const self = process.cpuUsage(self0);
    benchCpuMs += (self.user + self.system) / 1000;
    latencies.push(...result.latencies);
    for (const [code, n] of result.failures) failures.set(code, (failures.get(code) ?? 0) + n);
    wallMs += result.wallMs;
    mmCpuMs += result.cpuMs.slice(0, REPLICAS).reduce((a, b) => a + b, 0);
    if (REPLICAS > 1)
      console.log(
        `round ${round}: cpu ms per replica ${result.cpuMs
          .slice(0, REPLICAS)
          .map((ms) => ms.toFixed(0))
          .join(', ')}`,
      );
    natsCpuMs += result.cpuMs[REPLICAS] ?? 0;
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
  for (const socket of kept.values()) socket.close();
  for (const { child } of replicas) await stopProcess(child);
  await fleet.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
