// The Sidecar core on a real nats-server: its server record, seat verify-and-consume, the NATS
// control subject, and disconnect/drain, with fake tokens (real tokens are in tokens.test.ts).
import { type SeatRecord, type ServerRecord, seatKey, subjects } from '@playgap/protocol';
import { waitFor } from '@playgap/testkit';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock.js';
import { fakeToken, fakeVerifier } from './fake-token.js';
import { type Harness, harnessPerTest, WEBSOCKET_ON_GAME } from './harness.js';

const sidecars = harnessPerTest(fakeVerifier);

/** Reserves a seat for `clientId` as the matchmaker does, then presents its (fake) token. */
async function reserveAndVerify(harness: Harness, clientId: number, seatIndex: number) {
  await harness.reserve(BigInt(clientId), seatIndex);
  return harness.verify(fakeToken({ clientId }));
}

async function serverRecord(harness: Harness): Promise<ServerRecord | undefined> {
  const entry = await harness.servers.get(harness.sidecar.info().serverId);
  return entry?.operation === 'PUT' ? entry.json<ServerRecord>() : undefined;
}

describe('Sidecar records', () => {
  it('publishes a starting record with ports, digest and capacity, then ready after /v1/ready', async () => {
    const h = await sidecars.start();
    const first = await waitFor(() => serverRecord(h), {
      what: 'record',
      timeoutMs: 5_000,
      intervalMs: 25,
    });
    expect(first).toMatchObject({
      state: 'starting',
      app: h.sidecar.options.app,
      publicIp: '203.0.113.9',
      capacity: 4,
      players: 0,
    });
    expect(first.ports.game).toEqual({
      name: 'game',
      internal: 7000,
      external: 31000,
      protocol: 'TCP',
    });
    expect(first.certDigest).toBe(h.sidecar.info().certDigest);
    const res = await h.ready({ transports: WEBSOCKET_ON_GAME, capacity: 8 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: 'ready', capacity: 8 });
    await waitFor(async () => (await serverRecord(h))?.state === 'ready', {
      what: 'ready record',
      timeoutMs: 5_000,
      intervalMs: 25,
    });
    expect((await serverRecord(h))?.transports).toEqual(WEBSOCKET_ON_GAME);
  });

  it('keeps the record alive by rewriting it every heartbeat', async () => {
    const h = await sidecars.start();
    const first = await waitFor(() => serverRecord(h), {
      what: 'record',
      timeoutMs: 5_000,
      intervalMs: 25,
    });
    await waitFor(async () => ((await serverRecord(h))?.updatedAt ?? 0) > first.updatedAt, {
      what: 'rewrite',
      timeoutMs: 5_000,
      intervalMs: 25,
    });
  });

  it('removes its record and seats on close', async () => {
    const h = await sidecars.startReady();
    const ok = await reserveAndVerify(h, 11, 0);
    expect(ok.statusCode).toBe(200);
    await h.reserve(12n, 1);
    h.sidecar.shutdown('requested');
    await h.sidecar.close();
    expect(await serverRecord(h)).toBeUndefined();
    const id = h.sidecar.info().serverId;
    expect((await h.seats.get(seatKey(id, 0)))?.operation ?? 'DEL').not.toBe('PUT');
    expect((await h.seats.get(seatKey(id, 1)))?.operation ?? 'DEL').not.toBe('PUT');
  });

  it('stops its heartbeats for good on shutdown, even with a write under way', async () => {
    const clock = new ManualClock();
    const h = await sidecars.start({ clock, serverHeartbeatMs: 1_000, seatHeartbeatMs: 1_000 });
    clock.advance(1_000); // both beats fire; the record write is still under way
    h.sidecar.shutdown('requested');
    await h.sidecar.close();
    expect(clock.pending()).toBe(0);
  });

  it('publishes ready, player.connected and player.disconnected events', async () => {
    const h = await sidecars.start();
    const events: { type: string }[] = [];
    const sub = h.mm.subscribe(
      subjects(h.sidecar.options.app).serverEvents(h.sidecar.info().serverId),
    );
    void (async () => {
      for await (const m of sub) events.push(m.json());
    })();
    await h.mm.flush();
    await h.ready();
    await reserveAndVerify(h, 5, 0);
    await h.disconnect('5');
    await waitFor(() => events.length >= 3, { what: 'events', timeoutMs: 5_000, intervalMs: 25 });
    expect(events.map((e) => e.type)).toEqual(['ready', 'player.connected', 'player.disconnected']);
    sub.unsubscribe();
  });
});

describe('verify-and-consume', () => {
  it('accepts a reserved client once, marks the seat connected and counts the player', async () => {
    const h = await sidecars.startReady();
    await h.reserve(42n, 2);
    const token = fakeToken({ clientId: 42, playerId: 'p-42' });
    const res = await h.verify(token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ clientId: '42', seat: 2, player: { playerId: 'p-42' } });
    const seat = (await h.seats.get(seatKey(h.sidecar.info().serverId, 2)))?.json<SeatRecord>();
    expect(seat).toMatchObject({ state: 'connected', clientId: '42' });
    expect(seat?.connectedAt).toBeGreaterThan(0);
    await waitFor(async () => (await serverRecord(h))?.players === 1, {
      what: 'players=1',
      timeoutMs: 5_000,
      intervalMs: 25,
    });
    const replay = await h.verify(token);
    expect(replay.statusCode).toBe(401);
    expect(replay.json().code).toBe('TOKEN_REPLAYED');
  });

  it('refuses a second token for a client that is already connected with 409 ALREADY_CONNECTED', async () => {
    const h = await sidecars.startReady();
    await reserveAndVerify(h, 7, 0);
    const again = await h.verify(fakeToken({ clientId: 7 }));
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('ALREADY_CONNECTED');
  });

  it('refuses a client without a reservation, or with an expired one, with NO_RESERVATION', async () => {
    const h = await sidecars.startReady();
    const none = await h.verify(fakeToken({ clientId: 8 }));
    expect(none.statusCode).toBe(401);
    expect(none.json().code).toBe('NO_RESERVATION');
    await h.reserve(9n, 1, Date.now() - 1);
    const expired = await h.verify(fakeToken({ clientId: 9 }));
    expect(expired.json().code).toBe('NO_RESERVATION');
  });

  it('lets only one of two racing requests with the same reservation in', async () => {
    const h = await sidecars.startReady();
    await h.reserve(77n, 0);
    const results = await Promise.all([
      h.verify(fakeToken({ clientId: 77 })),
      h.verify(fakeToken({ clientId: 77 })),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, expect.any(Number)]);
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(1);
    expect(h.sidecar.info().players).toBe(1);
  });

  it('refuses a token minted for another server address with TOKEN_ADDRESS_NOT_LISTED', async () => {
    const h = await sidecars.startReady();
    await h.reserve(3n, 0);
    const res = await h.verify(fakeToken({ clientId: 3, addresses: ['198.51.100.1:31000'] }));
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('TOKEN_ADDRESS_NOT_LISTED');
  });

  it('accepts a token naming the external port of any of the server ports', async () => {
    const h = await sidecars.startReady();
    await h.reserve(4n, 0);
    const res = await h.verify(
      fakeToken({ clientId: 4, addresses: ['198.51.100.1:1', '203.0.113.9:31001'] }),
    );
    expect(res.statusCode).toBe(200);
  });

  it('refuses tokens before ready (503 SERVER_NOT_READY) and while draining (503 SERVER_DRAINING)', async () => {
    const h = await sidecars.start();
    const early = await h.verify(fakeToken({ clientId: 1 }));
    expect(early.statusCode).toBe(503);
    expect(early.json().code).toBe('SERVER_NOT_READY');
    await h.ready();
    await reserveAndVerify(h, 1, 0);
    await h.app.inject({ method: 'POST', url: '/v1/drain' });
    const late = await h.verify(fakeToken({ clientId: 2 }));
    expect(late.statusCode).toBe(503);
    expect(late.json().code).toBe('SERVER_DRAINING');
  });
});

describe('control subject', () => {
  it('drains on a NATS drain command and refuses unknown commands', async () => {
    const h = await sidecars.startReady();
    await reserveAndVerify(h, 71, 0);
    const subject = subjects(h.sidecar.options.app).serverControl(h.sidecar.info().serverId);
    const info = (await h.mm.request(subject, JSON.stringify({ command: 'info' }))).json<{
      players: number;
    }>();
    expect(info.players).toBe(1);
    const bad = (await h.mm.request(subject, 'explode')).json<{ code: string }>();
    expect(bad.code).toBe('BAD_REQUEST');
    const drained = (await h.mm.request(subject, JSON.stringify({ command: 'drain' }))).json<{
      state: string;
    }>();
    expect(drained.state).toBe('draining');
    expect(h.sidecar.currentState).toBe('draining');
  });
});

describe('disconnect and drain', () => {
  it('frees the seat on disconnect so the count drops and the key is gone', async () => {
    const h = await sidecars.startReady();
    await reserveAndVerify(h, 21, 3);
    const res = await h.disconnect('21');
    expect(res.statusCode).toBe(200);
    expect((await h.seats.get(seatKey(h.sidecar.info().serverId, 3)))?.operation).not.toBe('PUT');
    await waitFor(async () => (await serverRecord(h))?.players === 0, {
      what: 'players=0',
      timeoutMs: 5_000,
      intervalMs: 25,
    });
  });

  it('answers 404 UNKNOWN_CLIENT for a client that is not connected', async () => {
    const h = await sidecars.start();
    const res = await h.disconnect('999');
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('UNKNOWN_CLIENT');
  });

  it('drains: keeps connected players, then stops when the last one leaves', async () => {
    const h = await sidecars.startReady();
    await reserveAndVerify(h, 31, 0);
    const stopped = new Promise<string>((resolve) => h.sidecar.once('shutdown', resolve));
    const drain = await h.app.inject({ method: 'POST', url: '/v1/drain' });
    expect(drain.json().state).toBe('draining');
    expect(h.sidecar.stopReason).toBeUndefined();
    await h.disconnect('31');
    expect(await stopped).toBe('drained');
  });
});
