/**
 * The fleet cache's free-seat index against a real nats-server: what it offers must be what a
 * scan of every server would offer, including changes that come from the clock alone.
 */
import { type SeatRecord, SeatState, seatKey } from '@playgap/protocol';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FleetCache } from '../src/fleet-cache.js';
import { laneOf } from '../src/free-seat-index.js';
import { serverRecord, startTestNats, type TestNats } from './fake-fleet.js';

let nats: TestNats;
let fleet: FleetCache | undefined;
let offsetMs = 0;
/** Set: the clock stands still there (plus offsetMs) instead of following real time. */
let frozenAt: number | undefined;
const clock = () => (frozenAt ?? Date.now()) + offsetMs;

beforeAll(async () => {
  nats = await startTestNats();
});

afterEach(async () => {
  fleet?.stop();
  fleet = undefined;
  offsetMs = 0;
  frozenAt = undefined;
  for await (const key of await nats.kv.servers.keys()) await nats.kv.servers.purge(key);
  for await (const key of await nats.kv.seats.keys()) await nats.kv.seats.purge(key);
});

afterAll(async () => {
  await nats?.stop();
});

function seat(serverId: string, seatIndex: number, extra: Partial<SeatRecord> = {}): SeatRecord {
  const now = clock();
  return {
    serverId,
    seatIndex,
    state: SeatState.RESERVED,
    clientId: String(seatIndex + 1),
    expiresAt: now + 30_000,
    reservedBy: 'test',
    updatedAt: now,
    ...extra,
  };
}

async function putSeat(record: SeatRecord): Promise<void> {
  await nats.kv.seats.put(seatKey(record.serverId, record.seatIndex), JSON.stringify(record));
}

async function startFleet(
  serverStaleMs = 15_000,
  extra: { instanceId?: string; seatOffset?: number } = {},
): Promise<FleetCache> {
  fleet = new FleetCache({
    servers: nats.kv.servers,
    seats: nats.kv.seats,
    serverStaleMs,
    now: clock,
    ...extra,
  });
  await fleet.start();
  return fleet;
}

/** Wait until the watch has delivered what `check` looks for (bounded; events, not a sleep). */
async function until(cache: FleetCache, check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await cache.nextChange(100);
  expect(check()).toBe(true);
}

const servers = (cache: FleetCache, version = '1.0.0', party?: string) => [
  ...new Set(cache.freeSeats(version, new Set(), 1_000, party).map((s) => s.serverId)),
];

describe('fleet cache with several replicas', () => {
  it('offers a server another replica is filling after the others, and again once that stops', async () => {
    await nats.putServer(serverRecord('theirs', { capacity: 4 }));
    await nats.putServer(serverRecord('spare', { capacity: 4 }));
    await putSeat(seat('theirs', 0, { reservedBy: 'replica-b' }));
    const cache = await startFleet(15_000, { instanceId: 'replica-a' });
    await until(cache, () => cache.occupiedSeats('theirs') === 1);
    // Fullest first would say "theirs"; replica-b is filling it, so "spare" comes first.
    expect(servers(cache)).toEqual(['spare', 'theirs']);
    expect(cache.freeSeats('1.0.0', new Set(), 6).map((s) => s.serverId)).toEqual([
      'spare',
      'spare',
      'spare',
      'spare',
      'theirs',
      'theirs',
    ]);
    // A second replica's reservation on the same server does not take it over.
    await putSeat(seat('theirs', 1, { reservedBy: 'replica-a', clientId: '9' }));
    await until(cache, () => cache.occupiedSeats('theirs') === 2);
    expect(servers(cache)).toEqual(['spare', 'theirs']);
    // Past the window without replica-b reserving there: fullest first again.
    offsetMs = 1_500;
    expect(servers(cache)).toEqual(['theirs', 'spare']);
  });

  it('opens a different empty server than another replica would while one is placing, both fullest first', async () => {
    const ids = Array.from({ length: 32 }, (_, i) => `empty-${i}`);
    for (const id of ids) await nats.putServer(serverRecord(id, { capacity: 4 }));
    await nats.putServer(serverRecord('partly', { capacity: 4 }));
    await putSeat(seat('partly', 0, { state: SeatState.CONNECTED })); // nobody is filling it
    // Two replica ids whose lanes differ (FNV-1a of the id, 16 lanes).
    const [a, b] = ['replica-a', 'replica-b', 'replica-c', 'replica-d'].filter(
      (id, i, all) => all.findIndex((other) => laneOf(other, 16) === laneOf(id, 16)) === i,
    ) as [string, string];
    const orderOf = async (instanceId?: string) => {
      fleet?.stop();
      const cache = await startFleet(60_000, instanceId ? { instanceId } : {});
      await until(cache, () => servers(cache).length === 33);
      return servers(cache);
    };
    // Alone (no other replica's reservation seen): equally full servers in filing order.
    expect(await orderOf(a)).toEqual(['partly', ...ids]);
    // Another replica places (on a server of one seat, now full): each spreads from its lane.
    await nats.putServer(serverRecord('tiny', { capacity: 1 }));
    await putSeat(seat('tiny', 0, { reservedBy: 'replica-z' }));
    const orderA = await orderOf(a);
    const orderB = await orderOf(b);
    expect(orderA[0]).toBe('partly');
    expect(orderB[0]).toBe('partly');
    expect(orderA[1]).not.toBe(orderB[1]);
    expect(new Set(orderA)).toEqual(new Set(orderB));
    // Without an instance id: one lane, in filing order.
    expect(await orderOf()).toEqual(['partly', ...ids]);
    // 30 s after replica-z's last reservation a replica is alone again (and "tiny" free).
    expect((await orderOf(a))[1]).toBe(orderA[1]);
    offsetMs = 31_000;
    expect(servers(fleet!)).toEqual(['tiny', 'partly', ...ids]);
  });

  it('offers its own server first, and seats from its offset on (wrapping)', async () => {
    await nats.putServer(serverRecord('mine', { capacity: 4 }));
    await putSeat(seat('mine', 0, { reservedBy: 'replica-a' }));
    const cache = await startFleet(15_000, { instanceId: 'replica-a', seatOffset: 6 });
    await until(cache, () => cache.occupiedSeats('mine') === 1);
    expect(cache.freeSeats('1.0.0').map((s) => s.seatIndex)).toEqual([2, 3, 1]);
  });
});

describe('fleet cache free-seat index', () => {
  it('offers the fullest ready servers first and leaves out full, draining and digest-less ones', async () => {
    await nats.putServer(serverRecord('empty', { capacity: 4 }));
    await nats.putServer(serverRecord('half', { capacity: 4 }));
    await nats.putServer(serverRecord('full', { capacity: 1 }));
    await nats.putServer(serverRecord('draining', { capacity: 4, state: 'draining' }));
    await nats.putServer(serverRecord('no-digest', { capacity: 4, certDigest: '' }));
    await nats.putServer(serverRecord('other', { capacity: 4, version: '2.0.0' }));
    await putSeat(seat('half', 0));
    await putSeat(seat('half', 1, { state: SeatState.CONNECTED }));
    await putSeat(seat('full', 0));
    const cache = await startFleet();
    await until(cache, () => cache.occupiedSeats('half') === 2);
    expect(servers(cache)).toEqual(['half', 'empty']);
    expect(cache.freeSeats('1.0.0', new Set(['half.2']), 2)).toEqual([
      { serverId: 'half', seatIndex: 3 },
      { serverId: 'empty', seatIndex: 0 },
    ]);
    expect(servers(cache, '2.0.0')).toEqual(['other']);
  });

  it('offers a full server again when its reservation expires, with no KV change at all', async () => {
    await nats.putServer(serverRecord('one', { capacity: 1 }));
    await putSeat(seat('one', 0));
    const cache = await startFleet(120_000);
    await until(cache, () => cache.occupiedSeats('one') === 1);
    expect(servers(cache)).toEqual([]);
    offsetMs = 31_000;
    expect(cache.freeSeats('1.0.0')).toEqual([
      { serverId: 'one', seatIndex: 0, revision: expect.any(Number) },
    ]);
  });

  it("keeps a dropped player's seat (grace) taken until its grace ends, then offers it", async () => {
    await nats.putServer(serverRecord('away', { capacity: 1 }));
    const now = clock();
    await putSeat(
      seat('away', 0, {
        state: SeatState.GRACE,
        connectedAt: now - 60_000,
        disconnectedAt: now,
        expiresAt: now + 20_000,
      }),
    );
    const cache = await startFleet(120_000);
    await until(cache, () => cache.occupiedSeats('away') === 1);
    expect(servers(cache)).toEqual([]);
    offsetMs = 19_000;
    expect(servers(cache)).toEqual([]);
    offsetMs = 21_000;
    expect(cache.freeSeats('1.0.0')).toEqual([
      { serverId: 'away', seatIndex: 0, revision: expect.any(Number) },
    ]);
  });

  it('takes a server whose record went stale out, and back in on its next heartbeat', async () => {
    await nats.putServer(serverRecord('beat', { capacity: 2 }));
    const cache = await startFleet();
    await until(cache, () => servers(cache).includes('beat'));
    offsetMs = 16_000;
    expect(servers(cache)).toEqual([]);
    await nats.putServer(serverRecord('beat', { capacity: 2, updatedAt: clock() }));
    await until(cache, () => servers(cache).includes('beat'));
  });

  it('files a server again when a seat is freed and when a seat is taken', async () => {
    await nats.putServer(serverRecord('pair', { capacity: 2 }));
    await nats.putServer(serverRecord('solo', { capacity: 2 }));
    const cache = await startFleet();
    await until(cache, () => servers(cache).length === 2);
    await putSeat(seat('solo', 0));
    await until(cache, () => servers(cache)[0] === 'solo');
    await putSeat(seat('pair', 0));
    await putSeat(seat('pair', 1));
    await until(cache, () => !servers(cache).includes('pair'));
    await nats.kv.seats.delete('pair.1');
    await until(cache, () => servers(cache).includes('pair'));
    expect(cache.freeSeats('1.0.0', new Set(), 8)).toEqual(
      expect.arrayContaining([{ serverId: 'pair', seatIndex: 1, revision: expect.any(Number) }]),
    );
  });

  it("puts a server already seating the player's party first, even an emptier one", async () => {
    await nats.putServer(serverRecord('busy', { capacity: 8 }));
    await nats.putServer(serverRecord('friends', { capacity: 8 }));
    for (let i = 0; i < 6; i++) await putSeat(seat('busy', i));
    await putSeat(seat('friends', 0, { party: 'p1' }));
    const cache = await startFleet();
    await until(cache, () => cache.occupiedSeats('busy') === 6);
    expect(servers(cache)).toEqual(['busy', 'friends']);
    expect(servers(cache, '1.0.0', 'p1')).toEqual(['friends', 'busy']);
    expect(servers(cache, '1.0.0', 'nobody')).toEqual(['busy', 'friends']);
    // The party's seat is gone: its server is no longer preferred.
    await nats.kv.seats.delete('friends.0');
    await until(cache, () => cache.occupiedSeats('friends') === 0);
    expect(servers(cache, '1.0.0', 'p1')).toEqual(['busy', 'friends']);
  });

  it('forgets a server deleted from the bucket', async () => {
    await nats.putServer(serverRecord('gone', { capacity: 2 }));
    const cache = await startFleet();
    await until(cache, () => servers(cache).includes('gone'));
    await nats.kv.servers.delete('gone');
    await until(cache, () => !servers(cache).includes('gone'));
  });
});

describe('fleet cache occupancy kept seat by seat', () => {
  it('frees a connected seat rewritten as a short reservation once that expires', async () => {
    frozenAt = Date.now();
    await nats.putServer(serverRecord('one', { capacity: 2 }));
    const cache = await startFleet(1e12);
    await until(cache, () => servers(cache).length === 1);
    cache.noteSeat(seatKey('one', 0), seat('one', 0, { state: SeatState.CONNECTED }), 1e9); // past any revision the bucket's history holds
    expect(cache.occupiedSeats('one')).toBe(1);
    // Still taken, but now only until clock() + 100: the count must follow it.
    cache.noteSeat(seatKey('one', 0), seat('one', 0, { expiresAt: clock() + 100 }), 1e9 + 1);
    expect(cache.occupiedSeats('one')).toBe(1);
    offsetMs += 101;
    expect(cache.occupiedSeats('one')).toBe(0);
    expect(cache.freeSeats('1.0.0').map((s) => s.seatIndex)).toEqual([0, 1]);
  });

  it('agrees with a count of every seat after any run of seat changes and clock steps (property)', async () => {
    const CAPACITY = 6;
    frozenAt = Date.now(); // the model and the cache read the same time
    await nats.putServer(serverRecord('big', { capacity: CAPACITY }));
    const cache = await startFleet(1e12, { instanceId: 'replica-a', seatOffset: 5 });
    await until(cache, () => servers(cache).length === 1);
    let revision = 1e9;
    const model = new Map<number, SeatRecord>();
    const takenInModel = (now: number) =>
      [...model.entries()]
        .filter(([, s]) =>
          s.state === SeatState.CONNECTED
            ? now < s.updatedAt + 60_000
            : now < Math.min(s.expiresAt, s.updatedAt + 60_000),
        )
        .map(([i]) => i);
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('reserve' as const),
        index: fc.integer({ min: 0, max: CAPACITY - 1 }),
        ttl: fc.integer({ min: 1, max: 5_000 }),
      }),
      fc.record({
        kind: fc.constant('connect' as const),
        index: fc.integer({ min: 0, max: CAPACITY - 1 }),
      }),
      fc.record({
        kind: fc.constant('free' as const),
        index: fc.integer({ min: 0, max: CAPACITY - 1 }),
      }),
      fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 3_000 }) }),
      fc.record({ kind: fc.constant('scan' as const), limit: fc.integer({ min: 1, max: 4 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 60 }), async (ops) => {
        for (const o of ops) {
          const now = clock();
          if (o.kind === 'tick') offsetMs += o.ms;
          else if (o.kind === 'scan')
            cache.freeSeats('1.0.0', new Set(), o.limit); // moves scanFrom
          else if (o.kind === 'free') {
            const known = model.get(o.index);
            if (known) {
              cache.noteSeat(
                seatKey('big', o.index),
                { ...known, state: SeatState.RESERVED, expiresAt: 0 },
                ++revision,
              );
              model.set(o.index, { ...known, state: SeatState.RESERVED, expiresAt: 0 });
            }
          } else {
            const record = seat('big', o.index, {
              state: o.kind === 'connect' ? SeatState.CONNECTED : SeatState.RESERVED,
              expiresAt: now + (o.kind === 'reserve' ? o.ttl : 30_000),
              updatedAt: now,
            });
            cache.noteSeat(seatKey('big', o.index), record, ++revision);
            model.set(o.index, record);
          }
          const taken = takenInModel(clock());
          expect(cache.occupiedSeats('big')).toBe(taken.length);
          const free = cache.freeSeats('1.0.0', new Set(), CAPACITY).map((s) => s.seatIndex);
          expect([...free].sort((a, b) => a - b)).toEqual(
            [...Array(CAPACITY).keys()].filter((i) => !taken.includes(i)),
          );
        }
        // Reset between runs: every seat freed for good.
        for (const [i, s] of model) {
          cache.noteSeat(
            seatKey('big', i),
            { ...s, state: SeatState.RESERVED, expiresAt: 0 },
            ++revision,
          );
        }
        model.clear();
      }),
      { numRuns: 300 },
    );
  });
});
