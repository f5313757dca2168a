/**
 * Fleet-size benchmark of the placement's pick: the cost of `FleetCache.freeSeats` plus the
 * seat note a reservation makes, at 10, 1,000 and 10,000 live servers, with players joining
 * and leaving so servers move between fill levels. In-process against a real nats-server (the
 * cache loads through its KV watch); no network, no matchmaker process.
 *
 *   npm run build && npx tsx matchmaker/bench/fleet-bench.ts
 *   BENCH_FLEETS=10,1000,10000 BENCH_PICKS=50000 npx tsx matchmaker/bench/fleet-bench.ts
 */
import { connect } from '@nats-io/transport-node';
import { type SeatRecord, SeatState, seatKey } from '@playgap/protocol';
import { startNatsServer } from '@playgap/testkit';
import { openAppBuckets } from '../src/buckets.js';
import { FleetCache } from '../src/fleet-cache.js';
import { benchServer } from './placement-driver.js';

const FLEETS = (process.env.BENCH_FLEETS ?? '10,1000,10000').split(',').map(Number);
const PICKS = Number(process.env.BENCH_PICKS ?? 50_000);
const CAPACITY = Number(process.env.BENCH_CAPACITY ?? 32);

async function measure(fleetSize: number): Promise<{ usPerPick: number; misses: number }> {
  const nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  try {
    const app = `bench${fleetSize}`;
    const kv = await openAppBuckets(nc, app);
    for (let i = 0; i < fleetSize; i += 500) {
      const batch = Array.from({ length: Math.min(500, fleetSize - i) }, (_, j) => `s${i + j}`);
      await Promise.all(
        batch.map((id) => kv.servers.put(id, JSON.stringify(benchServer(id, CAPACITY, app)))),
      );
    }
    const fleet = new FleetCache({ servers: kv.servers, seats: kv.seats, serverStaleMs: 600_000 });
    await fleet.start();
    while (fleet.server(`s${fleetSize - 1}`) === undefined) await fleet.nextChange(50);
    // Half the seats taken before timing, so most servers sit in the middle of the index.
    let revision = 1;
    const taken: string[] = [];
    const reserve = (key: string, serverId: string, seatIndex: number, expiresAt: number) => {
      const record: SeatRecord = {
        serverId,
        seatIndex,
        state: SeatState.RESERVED,
        clientId: String(revision),
        expiresAt,
        reservedBy: 'bench',
        updatedAt: Date.now(),
      };
      fleet.noteSeat(key, record, revision++);
    };
    const pick = (): boolean => {
      const seat = fleet.freeSeats('1.0.0')[0];
      if (!seat) return false;
      const key = seatKey(seat.serverId, seat.seatIndex);
      reserve(key, seat.serverId, seat.seatIndex, Date.now() + 60_000);
      taken.push(key);
      return true;
    };
    const leave = () => {
      const index = Math.floor(Math.random() * taken.length);
      const key = taken[index]!;
      taken[index] = taken[taken.length - 1]!;
      taken.pop();
      const [serverId, seatIndex] = key.split('.') as [string, string];
      reserve(key, serverId, Number(seatIndex), 0); // an expired reservation: the seat is free
    };
    for (let i = 0; i < (fleetSize * CAPACITY) / 2; i++) pick();
    let misses = 0;
    const t0 = performance.now();
    for (let i = 0; i < PICKS; i++) {
      if (!pick()) misses++;
      leave();
    }
    const usPerPick = ((performance.now() - t0) * 1000) / PICKS;
    fleet.stop();
    return { usPerPick, misses };
  } finally {
    await nc.close();
    await nats.stop();
  }
}

async function main(): Promise<void> {
  console.log(`fleet bench: ${CAPACITY} seats per server, ${PICKS} picks (+ as many leaves)`);
  for (const size of FLEETS) {
    const { usPerPick, misses } = await measure(size);
    console.log(
      `servers ${String(size).padStart(6)}: ${usPerPick.toFixed(2)} µs per pick + leave` +
        (misses > 0 ? ` (${misses} found no seat)` : ''),
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
