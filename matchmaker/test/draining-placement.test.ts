// Seat reservation against servers that are leaving: a server whose sidecar wrote a draining
// record (its idle stop's first step) gets no player, and what the reservation writes into the
// seat record (the player's display name, for `playgap players`).
import type { SeatRecord, ServerRecord } from '@playgap/protocol';
import { waitFor } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MintedToken, TokenMinter } from '../src/connect-token.js';
import { FleetCache, type FreeSeat } from '../src/fleet-cache.js';
import { SeatReserver } from '../src/seat-reservation.js';
import { serverRecord, startTestNats, type TestNats, VERSION } from './fake-fleet.js';

let nats: TestNats;
let fleet: FleetCache;

const mint: TokenMinter = (): MintedToken => ({
  base64: 'dG9rZW4=',
  expireTimestamp: BigInt(Math.floor(Date.now() / 1000) + 30),
  clientId: 4242n,
});

beforeAll(async () => {
  nats = await startTestNats();
  fleet = new FleetCache({ servers: nats.kv.servers, seats: nats.kv.seats, serverStaleMs: 15_000 });
  await fleet.start();
});

afterAll(async () => {
  fleet?.stop();
  await nats?.stop();
});

async function seatsOf(serverId: string): Promise<SeatRecord[]> {
  const found: SeatRecord[] = [];
  for await (const key of await nats.kv.seats.keys(`${serverId}.*`)) {
    const entry = await nats.kv.seats.get(key);
    if (entry?.operation === 'PUT') found.push(entry.json<SeatRecord>());
  }
  return found;
}

describe('placement on draining servers', () => {
  it('places no player on a server whose record says draining', async () => {
    const version = 'drain-only';
    await nats.putServer(serverRecord('drain-a', { version }));
    await waitFor(() => fleet.server('drain-a')?.state === 'ready', {
      what: 'ready record in the cache',
      timeoutMs: 5_000,
      intervalMs: 10,
    });
    await nats.putServer(serverRecord('drain-a', { version, state: 'draining' }));
    await waitFor(() => fleet.server('drain-a')?.state === 'draining', {
      what: 'draining record',
      timeoutMs: 5_000,
      intervalMs: 10,
    });
    const reserver = new SeatReserver({ seats: nats.kv.seats, fleet, mint, instanceId: 'mm-t' });
    expect(fleet.freeSeats(version)).toEqual([]);
    expect(await reserver.reserve({ version })).toBeUndefined();
    expect(await seatsOf('drain-a')).toEqual([]);
  });

  it('skips a candidate whose server turned draining after the candidates were listed', async () => {
    // The cache listed the seat while the server was ready; by the time it is tried the same
    // cache shows the draining record (it changed during an earlier candidate's write).
    const draining: ServerRecord = serverRecord('drain-b', { state: 'draining' });
    const stale = {
      freeSeats: (): FreeSeat[] => [{ serverId: 'drain-b', seatIndex: 0 }],
      server: () => draining,
      noteSeat: () => {},
      forgetSeat: () => {},
    } as unknown as FleetCache;
    const reserver = new SeatReserver({
      seats: nats.kv.seats,
      fleet: stale,
      mint,
      instanceId: 't',
    });
    expect(await reserver.reserve({ version: VERSION })).toBeUndefined();
    expect(await seatsOf('drain-b')).toEqual([]);
  });
});

describe('seat records', () => {
  it('carry the display name from the play request', async () => {
    const version = 'named';
    await nats.putServer(serverRecord('named-a', { version }));
    await waitFor(() => fleet.server('named-a') !== undefined, {
      what: 'record in the cache',
      timeoutMs: 5_000,
      intervalMs: 10,
    });
    const reserver = new SeatReserver({ seats: nats.kv.seats, fleet, mint, instanceId: 'mm-t' });
    const reply = await reserver.reserve({ version, name: 'Ada Lovelace' });
    expect(reply?.serverId).toBe('named-a');
    expect(await seatsOf('named-a')).toMatchObject([{ state: 'reserved', name: 'Ada Lovelace' }]);
  });
});
