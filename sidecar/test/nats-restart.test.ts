import { type SeatRecord, type ServerRecord, seatKey } from '@playgap/protocol';
import { type RunningNatsServer, startNatsServer, waitFor } from '@playgap/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeToken, fakeVerifier } from './fake-token.js';
import { type Harness, startHarness } from './harness.js';

let nats: RunningNatsServer | undefined;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  await nats?.stop();
  nats = undefined;
});

describe('NATS outage', () => {
  it('keeps serving, refuses token checks with NATS_UNAVAILABLE, and restores record and seats after a restart', async () => {
    nats = await startNatsServer();
    // Short TTLs: everything the sidecar wrote before the outage has expired when NATS is back,
    // so what we see afterwards was republished.
    h = await startHarness(
      nats,
      fakeVerifier,
      { serverHeartbeatMs: 200, seatHeartbeatMs: 200 },
      { servers: 1_000, seats: 1_000 },
    );
    const harness = h;
    const serverId = h.sidecar.info().serverId;
    await h.ready();
    await h.reserve(61n, 0);
    await h.reserve(62n, 1);
    for (const id of [61, 62]) {
      const res = await h.verify(fakeToken({ clientId: id }));
      expect(res.statusCode).toBe(200);
    }
    const { port, storeDir } = nats;
    await nats.stop({ keepStore: true });
    await waitFor(() => harness.sidecar.health().nats === 'disconnected', {
      what: 'disconnect seen',
      timeoutMs: 10_000,
      intervalMs: 25,
    });
    const health = await h.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.json()).toMatchObject({ status: 'degraded', nats: 'disconnected', players: 2 });
    const refused = await h.verify(fakeToken({ clientId: 63 }));
    expect(refused.statusCode).toBe(503);
    expect(refused.json().code).toBe('NATS_UNAVAILABLE');
    // A player leaving during the outage is answered at once; the delete is replayed later.
    const left = await h.disconnect('62');
    expect(left.statusCode).toBe(200);
    expect(h.sidecar.info().players).toBe(1);
    await new Promise((r) => setTimeout(r, 1_200)); // outlive the 1 s bucket TTL on purpose
    nats = await startNatsServer({ port, storeDir });
    await waitFor(() => harness.sidecar.health().nats === 'connected', {
      what: 'reconnect',
      timeoutMs: 15_000,
      intervalMs: 25,
    });
    const rec = await waitFor(
      async () => {
        const e = await harness.servers.get(serverId).catch(() => null);
        return e?.operation === 'PUT' ? e.json<ServerRecord>() : undefined;
      },
      { what: 'record back', timeoutMs: 10_000, intervalMs: 25 },
    );
    expect(rec).toMatchObject({ state: 'ready', players: 1 });
    const seat = await waitFor(
      async () => {
        const e = await harness.seats.get(seatKey(serverId, 0)).catch(() => null);
        return e?.operation === 'PUT' ? e.json<SeatRecord>() : undefined;
      },
      { what: 'seat 0 back', timeoutMs: 10_000, intervalMs: 25 },
    );
    expect(seat).toMatchObject({ state: 'connected', clientId: '61' });
    const freed = await harness.seats.get(seatKey(serverId, 1)).catch(() => null);
    expect(freed?.operation ?? 'DEL').not.toBe('PUT');
    const disc = await h.disconnect('61');
    expect(disc.statusCode).toBe(200);
  });
});
