import type { SeatRecord } from '@playgap/protocol';
import { waitFor } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMatchmaker } from '../src/index.js';
import { APP, serverRecord, startTestNats, type TestNats, testConfig } from './fake-fleet.js';

let nats: TestNats;

beforeAll(async () => {
  nats = await startTestNats();
});

afterAll(async () => {
  await nats?.stop();
});

async function seats(serverId: string): Promise<SeatRecord[]> {
  const result: SeatRecord[] = [];
  for await (const key of await nats.kv.seats.keys(`${serverId}.*`)) {
    const entry = await nats.kv.seats.get(key);
    if (entry?.operation === 'PUT') result.push(entry.json<SeatRecord>());
  }
  return result;
}

describe('reservation expiry', () => {
  it('frees a reservation once its token expired and lets the next player take the seat over', async () => {
    let offsetMs = 0;
    const clock = () => Date.now() + offsetMs;
    await nats.putServer(serverRecord('expiry-a', { version: 'expiry', capacity: 1 }));
    const local = await startMatchmaker(testConfig(nats.url), { now: clock }, { listen: true });
    const play = () =>
      fetch(`${local.url}/matchmaker/wannaplay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ game: APP, version: 'expiry' }),
      }).then((r) => r.json() as Promise<Record<string, unknown>>);
    try {
      await waitFor(() => local.fleet?.server('expiry-a') !== undefined, {
        what: 'server in cache',
        timeoutMs: 5_000,
        intervalMs: 10,
      });
      const first = await play();
      expect(first.type).toBe('ready');
      expect(await play()).toMatchObject({ type: 'error', code: 'NO_CAPACITY' });
      offsetMs = 31_000;
      await nats.putServer(
        serverRecord('expiry-a', { version: 'expiry', capacity: 1, updatedAt: clock() }),
      );
      await waitFor(() => local.fleet?.server('expiry-a') !== undefined, {
        what: 'refreshed server',
        timeoutMs: 5_000,
        intervalMs: 10,
      });
      const third = await play();
      expect(third).toMatchObject({ type: 'ready', serverId: 'expiry-a' });
      const stored = await seats('expiry-a');
      expect(stored).toHaveLength(1);
      expect(stored[0]!.clientId).toBe(third.clientId);
    } finally {
      await local.close();
    }
  });

  it('places the next player on a seat the sidecar deleted when its player left', async () => {
    await nats.putServer(serverRecord('left-a', { version: 'pack', capacity: 1 }));
    const local = await startMatchmaker(testConfig(nats.url), {}, { listen: true });
    const play = () =>
      fetch(`${local.url}/matchmaker/wannaplay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ game: APP, version: 'pack' }),
      }).then((r) => r.json() as Promise<Record<string, unknown>>);
    try {
      await waitFor(() => local.fleet?.server('left-a') !== undefined, {
        what: 'server in cache',
        timeoutMs: 5_000,
        intervalMs: 10,
      });
      expect(await play()).toMatchObject({ type: 'ready' });
      expect(await play()).toMatchObject({ code: 'NO_CAPACITY' });
      await nats.kv.seats.delete('left-a.0');
      await waitFor(() => local.fleet?.occupiedSeats('left-a') === 0, {
        what: 'delete seen',
        timeoutMs: 5_000,
        intervalMs: 10,
      });
      const again = await play();
      expect(again).toMatchObject({ type: 'ready', serverId: 'left-a' });
      expect((await seats('left-a'))[0]?.clientId).toBe(again.clientId);
    } finally {
      await local.close();
    }
  });

  it('treats a seat record older than the seats bucket max age as free (its sidecar died)', async () => {
    await nats.putServer(serverRecord('aged-a', { version: 'race', capacity: 1 }));
    const old = Date.now() - 61_000;
    const seat: SeatRecord = {
      serverId: 'aged-a',
      seatIndex: 0,
      state: 'connected',
      clientId: '77',
      expiresAt: old + 30_000,
      updatedAt: old,
    };
    await nats.kv.seats.put('aged-a.0', JSON.stringify(seat));
    const local = await startMatchmaker(testConfig(nats.url), {}, { listen: true });
    try {
      await waitFor(() => local.fleet?.server('aged-a') !== undefined, {
        what: 'server in cache',
        timeoutMs: 5_000,
        intervalMs: 10,
      });
      const reply = await fetch(`${local.url}/matchmaker/wannaplay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ game: APP, version: 'race' }),
      }).then((r) => r.json() as Promise<Record<string, unknown>>);
      expect(reply).toMatchObject({ type: 'ready', serverId: 'aged-a' });
      expect((await seats('aged-a'))[0]?.clientId).toBe(reply.clientId);
    } finally {
      await local.close();
    }
  });
});
