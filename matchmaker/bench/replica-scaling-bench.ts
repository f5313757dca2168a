/**
 * Does a second matchmaker replica raise placement throughput? Two all-in-one replicas on one
 * warm fleet, each held to the same CPU quota (BENCH_REPLICA_CPU cores, a cgroup as a
 * container's CPU limit sets it), rounds interleaved in one run:
 * - one replica: every client places on the first; the second only watches the fleet;
 * - two replicas: clients split between both.
 * Without a quota one replica already takes a whole core of this 2-core machine, nats-server
 * and the load generator the other, so a second replica has no core to run on; the quota gives
 * each replica a core's share of its own, as a deployment with a CPU limit per replica does.
 * After every round the live seats in KV are counted: one per successful placement, or a seat
 * was sold twice.
 *
 *   npm run build && sudo npm run bench:scaling -w matchmaker
 *   BENCH_REPLICA_CPU=0.4 BENCH_CONCURRENCY=16,64 BENCH_KEEP=0 npm run bench:scaling -w matchmaker
 */
import {
  keptSocketClient,
  natsPid,
  type Placement,
  percentile,
  placeOverWebSocket,
  type RoundResult,
  runRound,
  startMatchmakerProcess,
  startWarmFleet,
  stopProcess,
} from './placement-driver.js';

const CORES = Number(process.env.BENCH_REPLICA_CPU ?? 0.4);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '16,64').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PER_ROUND = Number(process.env.BENCH_PER_ROUND ?? 3_000);
const SERVERS = Number(process.env.BENCH_SERVERS ?? 120);
const CAPACITY = Number(process.env.BENCH_CAPACITY ?? 32);
/** Kept sockets (`?keep=1`) by default: there the replica, not the WebSocket handshake, is the work. */
const KEEP = process.env.BENCH_KEEP !== '0';

interface Side {
  name: string;
  /** Which replica client `client` places on. */
  replicaOf: (client: number) => number;
  rounds: RoundResult[];
}

async function main(): Promise<void> {
  const fleet = await startWarmFleet(SERVERS, CAPACITY);
  const replicas = [
    await startMatchmakerProcess(fleet.nats.url, {}, CORES),
    await startMatchmakerProcess(fleet.nats.url, {}, CORES),
  ];
  const urls = replicas.map(({ url }) => `${url.replace(/^http/, 'ws')}/matchmaker/ws`);
  const nats = natsPid();
  const pids = [...replicas.map(({ child }) => child.pid!), ...(nats ? [nats] : [])];
  console.log(
    `bench: ${SERVERS} servers x ${CAPACITY} seats, 2 replicas of ${CORES} CPU each, ` +
      `${KEEP ? 'kept sockets' : 'a fresh socket per placement'}, ${ROUNDS} interleaved rounds x ${PER_ROUND}`,
  );
  let kept = new Map<number, ReturnType<typeof keptSocketClient>>();
  const placer =
    (side: Side) =>
    (client: number): Promise<Placement> => {
      const url = urls[side.replicaOf(client)]!;
      if (!KEEP) return placeOverWebSocket(url);
      let socket = kept.get(client);
      if (!socket) {
        socket = keptSocketClient(url);
        kept.set(client, socket);
      }
      return socket.place();
    };
  const one: Side = { name: 'one replica', replicaOf: () => 0, rounds: [] };
  const two: Side = { name: 'two replicas', replicaOf: (client) => client % 2, rounds: [] };
  let oversold = 0;
  const round = async (side: Side, concurrency: number, count: number) => {
    for (const socket of kept.values()) socket.close();
    kept = new Map();
    await fleet.freeAllSeats();
    const result = await runRound(concurrency, count, placer(side), pids);
    const ok = result.latencies.length - [...result.failures.values()].reduce((a, b) => a + b, 0);
    let live = 0;
    for await (const _ of await fleet.kv.seats.keys()) live++;
    if (live !== ok) {
      oversold++;
      console.log(`  ${side.name}: ${ok} placements answered ready, but ${live} live seats`);
    }
    return result;
  };
  try {
    await round(one, 16, 300); // warm-up: JIT on both replicas
    await round(two, 16, 300);
    for (const concurrency of CONCURRENCY) {
      one.rounds = [];
      two.rounds = [];
      for (let r = 0; r < ROUNDS; r++) {
        for (const side of [one, two]) side.rounds.push(await round(side, concurrency, PER_ROUND));
      }
      console.log(`\n${concurrency} concurrent clients`);
      const rates = [one, two].map((side) => {
        const latencies = side.rounds.flatMap((r) => r.latencies).sort((a, b) => a - b);
        const wallMs = side.rounds.reduce((sum, r) => sum + r.wallMs, 0);
        const cpuOf = (i: number) => side.rounds.reduce((sum, r) => sum + (r.cpuMs[i] ?? 0), 0);
        const failed = side.rounds.reduce(
          (n, r) => n + [...r.failures.values()].reduce((a, b) => a + b, 0),
          0,
        );
        const perSecond = (latencies.length / wallMs) * 1000;
        const us = (ms: number) => ((ms / latencies.length) * 1000).toFixed(0).padStart(4);
        const seconds = wallMs / 1000;
        console.log(
          `  ${side.name.padEnd(13)} ${String(Math.round(perSecond)).padStart(6)}/s  ` +
            `p50 ${percentile(latencies, 50).toFixed(1).padStart(5)} ms  p99 ${percentile(latencies, 99).toFixed(1).padStart(5)} ms  ` +
            `cpu µs/placement: replica 1 ${us(cpuOf(0))} (${(cpuOf(0) / 1000 / seconds).toFixed(2)} CPU), ` +
            `replica 2 ${us(cpuOf(1))} (${(cpuOf(1) / 1000 / seconds).toFixed(2)} CPU), nats ${us(cpuOf(2))}` +
            (failed > 0 ? `  failed ${failed}` : ''),
        );
        return perSecond;
      });
      console.log(`  ratio two replicas / one: ${(rates[1]! / rates[0]!).toFixed(2)}`);
    }
    console.log(
      oversold === 0
        ? '\nseats: every round had exactly one live seat per ready answer'
        : `\nseats: ${oversold} rounds did not match (see above)`,
    );
  } finally {
    for (const socket of kept.values()) socket.close();
    for (const { child } of replicas) await stopProcess(child);
    await fleet.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
