import { type PlayReply, type SeatRecord, subjects } from '@playgap/protocol';
import { readPublicToken } from '@playgap/protocol/token';
import { waitFor } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningMatchmaker, startMatchmaker } from '../src/index.js';
import {
  APP,
  DIGEST,
  serverRecord,
  startTestNats,
  type TestNats,
  testConfig,
  VERSION,
} from './fake-fleet.js';
import { converse, last } from './ws-client.js';

let nats: TestNats;
let mm: RunningMatchmaker;

async function wannaplay(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${mm.url}/matchmaker/wannaplay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function seats(serverId: string): Promise<SeatRecord[]> {
  const result: SeatRecord[] = [];
  for await (const key of await nats.kv.seats.keys(`${serverId}.*`)) {
    const entry = await nats.kv.seats.get(key);
    if (entry?.operation === 'PUT') result.push(entry.json<SeatRecord>());
  }
  return result;
}

beforeAll(async () => {
  nats = await startTestNats();
  mm = await startMatchmaker(testConfig(nats.url), {}, { listen: true });
});

afterAll(async () => {
  await mm?.close();
  await nats?.stop();
});

describe('warm placement', () => {
  it('places a player on a ready server over the WebSocket with progress, token and endpoints', async () => {
    await nats.putServer(serverRecord('warm-a'));
    await waitFor(() => mm.fleet?.server('warm-a') !== undefined, {
      what: 'server in cache',
      timeoutMs: 5_000,
      intervalMs: 10,
    });
    const c = await converse(mm.url!, JSON.stringify({ game: APP, version: VERSION, name: 'ada' }));
    expect(c.closeCode).toBe(1000);
    // A warm answer usually beats the "queued" notice; on a slow machine it may not.
    const stages = c.messages.slice(0, -1).map((m) => (m.type === 'progress' ? m.stage : m.type));
    expect(stages.at(-1)).toBe('ready');
    expect(stages.every((stage) => stage === 'queued' || stage === 'ready')).toBe(true);
    const reply = last(c) as PlayReply;
    expect(reply.type).toBe('ready');
    expect(reply.serverId).toBe('warm-a');
    expect(reply.certDigest).toBe(DIGEST);
    expect(reply.port).toBe(31001);
    expect(reply.transports).toEqual([
      { kind: 'webtransport', url: 'https://127.0.0.1:31001/wt', port: 31001 },
      { kind: 'websocket', url: 'ws://127.0.0.1:31000/ws', port: 31000 },
    ]);
    const token = readPublicToken(reply.token);
    expect(token.protocolId).toBe(7n);
    expect(token.serverAddresses.map(String).sort()).toEqual([
      '127.0.0.1:31000',
      '127.0.0.1:31001',
    ]);
    const reserved = await seats('warm-a');
    expect(reserved).toHaveLength(1);
    expect(reserved[0]).toMatchObject({ state: 'reserved', clientId: reply.clientId });
    expect(reserved[0]!.expiresAt).toBe(reply.expiresAt);
  });

  it('packs players onto the fullest server first', async () => {
    await nats.putServer(serverRecord('pack-empty', { version: 'pack' }));
    await nats.putServer(serverRecord('pack-half', { version: 'pack' }));
    const now = Date.now();
    for (const i of [0, 1]) {
      const seat: SeatRecord = {
        serverId: 'pack-half',
        seatIndex: i,
        state: 'connected',
        clientId: String(100 + i),
        expiresAt: now + 60_000,
        updatedAt: now,
      };
      await nats.kv.seats.put(`pack-half.${i}`, JSON.stringify(seat));
    }
    const local = await startMatchmaker(testConfig(nats.url), {}, { listen: true });
    try {
      await waitFor(() => local.fleet?.occupiedSeats('pack-half') === 2, {
        what: 'seats in cache',
        timeoutMs: 5_000,
        intervalMs: 10,
      });
      const c = await converse(local.url!, JSON.stringify({ game: APP, version: 'pack' }));
      expect((last(c) as PlayReply).serverId).toBe('pack-half');
    } finally {
      await local.close();
    }
  });

  it('lists only the transports the client asked for, in its order', async () => {
    const c = await converse(
      mm.url!,
      JSON.stringify({ game: APP, version: VERSION, transports: ['websocket', 'webtransport'] }),
    );
    const reply = last(c) as PlayReply;
    expect(reply.transports.map((t) => t.kind)).toEqual(['websocket', 'webtransport']);
    expect(reply.port).toBe(31000);
  });

  it('seats a party with its members before packing the fullest server', async () => {
    await nats.putServer(serverRecord('party-full', { version: 'party' }));
    await nats.putServer(serverRecord('party-host', { version: 'party' }));
    const now = Date.now();
    const seat = (serverId: string, seatIndex: number, party?: string): SeatRecord => ({
      serverId,
      seatIndex,
      state: 'connected',
      clientId: String(200 + seatIndex),
      expiresAt: now + 60_000,
      updatedAt: now,
      ...(party ? { party } : {}),
    });
    // party-full stays the fuller one after the friend joins party-host (3 against 2): no tie
    // whose order could decide where the stranger goes.
    for (const i of [0, 1, 2]) {
      await nats.kv.seats.put(`party-full.${i}`, JSON.stringify(seat('party-full', i)));
    }
    await nats.kv.seats.put('party-host.0', JSON.stringify(seat('party-host', 0, 'p1')));
    await waitFor(
      () =>
        mm.fleet?.occupiedSeats('party-full') === 3 && mm.fleet?.occupiedSeats('party-host') === 1,
      { what: 'seats in cache', timeoutMs: 5_000, intervalMs: 10 },
    );
    const friend = await converse(
      mm.url!,
      JSON.stringify({ game: APP, version: 'party', party: 'p1' }),
    );
    expect((last(friend) as PlayReply).serverId).toBe('party-host');
    const stranger = await converse(mm.url!, JSON.stringify({ game: APP, version: 'party' }));
    expect((last(stranger) as PlayReply).serverId).toBe('party-full');
    const stored = await seats('party-host');
    expect(stored.filter((s) => s.party === 'p1')).toHaveLength(2);
  });

  it('answers POST /matchmaker/wannaplay with the final JSON only', async () => {
    const { status, body } = await wannaplay({ game: APP, version: VERSION });
    expect(status).toBe(200);
    expect(body).toMatchObject({ type: 'ready', serverId: 'warm-a' });
  });

  it('refuses an unknown game and an unknown version with their codes', async () => {
    const game = await wannaplay({ game: 'other', version: VERSION });
    expect(game.body).toMatchObject({ type: 'error', code: 'MATCHMAKER_UNAVAILABLE' });
    const version = await converse(mm.url!, JSON.stringify({ game: APP, version: '9.9.9' }));
    expect(last(version)).toMatchObject({ type: 'error', code: 'UNKNOWN_VERSION' });
    expect(version.closeCode).toBe(1000);
  });

  it('places its own game in process, and another game over NATS', async () => {
    const requests: string[] = [];
    const spy = nats.nc.subscribe(subjects(APP).play, {
      callback: (_err, msg) => {
        requests.push(msg.subject);
      },
    });
    const other = nats.nc.subscribe(subjects('other-game').play, {
      callback: (_err, msg) => {
        msg.respond(JSON.stringify({ type: 'error', code: 'NO_CAPACITY', message: 'full' }));
      },
    });
    await nats.nc.flush();
    try {
      const own = await wannaplay({ game: APP, version: VERSION });
      expect(own.body).toMatchObject({ type: 'ready', serverId: 'warm-a' });
      const elsewhere = await wannaplay({ game: 'other-game', version: VERSION });
      expect(elsewhere.body).toMatchObject({ type: 'error', code: 'NO_CAPACITY' });
      await nats.nc.flush();
      expect(requests).toEqual([]);
    } finally {
      spy.unsubscribe();
      other.unsubscribe();
    }
  });

  it('sells no seat twice when 40 players race for 8 seats', async () => {
    await nats.putServer(serverRecord('race-a', { version: 'race' }));
    await nats.putServer(serverRecord('race-b', { version: 'race' }));
    const config = testConfig(nats.url);
    // Two all-in-one replicas, each front placing through its own service: they race on the
    // same seats through the shared KV.
    const a = await startMatchmaker(config, {}, { listen: true });
    const b = await startMatchmaker(config, {}, { listen: true });
    try {
      await waitFor(
        () => a.fleet?.server('race-b') !== undefined && b.fleet?.server('race-b') !== undefined,
        { what: 'servers in both caches', timeoutMs: 5_000, intervalMs: 10 },
      );
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          fetch(`${(i % 2 ? a : b).url}/matchmaker/wannaplay`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ game: APP, version: 'race' }),
          }).then((r) => r.json() as Promise<Record<string, unknown>>),
        ),
      );
      const ok = results.filter((r) => r.type === 'ready');
      expect(ok).toHaveLength(8);
      expect(results.filter((r) => r.code === 'NO_CAPACITY')).toHaveLength(32);
      const placed = ok.map((r) => r.clientId);
      expect(new Set(placed).size).toBe(8);
      const stored = [...(await seats('race-a')), ...(await seats('race-b'))];
      expect(stored).toHaveLength(8);
      expect(new Set(stored.map((s) => s.clientId))).toEqual(new Set(placed));
    } finally {
      await a.close();
      await b.close();
    }
  });
});
