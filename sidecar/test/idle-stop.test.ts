// The idle stop on a real nats-server and the injected clock: the server leaves placement (its
// record says draining, and the write has landed) before it stops itself, and a reservation
// that raced in keeps it up instead of being turned away.
import { type ServerRecord, ServerState } from '@playgap/protocol';
import { waitFor } from '@playgap/testkit';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock.js';
import { fakeToken, fakeVerifier } from './fake-token.js';
import { type Harness, harnessPerTest } from './harness.js';

const sidecars = harnessPerTest(fakeVerifier);
const IDLE_MS = 3_000;

async function storedState(h: Harness): Promise<string | undefined> {
  const entry = await h.servers.get(h.sidecar.info().serverId);
  return entry?.operation === 'PUT' ? entry.json<ServerRecord>().state : undefined;
}

/** A ready sidecar on a manual clock whose self-stop notes the record NATS holds at that moment. */
async function idleSidecar() {
  const clock = new ManualClock();
  const selfStops: (string | undefined)[] = [];
  const logs: string[] = [];
  let harness: Harness | undefined;
  const h = await sidecars.start({
    clock,
    idleTimeoutMs: IDLE_MS,
    log: (message) => logs.push(message),
    selfStop: async () => {
      selfStops.push(harness && (await storedState(harness)));
    },
  });
  harness = h;
  expect((await h.ready()).statusCode).toBe(200);
  await waitFor(async () => (await storedState(h)) === ServerState.READY, {
    what: 'ready record',
    timeoutMs: 5_000,
    intervalMs: 25,
  });
  return { h, clock, selfStops, logs };
}

describe('Sidecar idle stop', () => {
  it('writes the draining record to NATS before it stops itself', async () => {
    const { h, clock, selfStops } = await idleSidecar();
    clock.advance(IDLE_MS);
    await waitFor(() => selfStops.length > 0, {
      what: 'self-stop',
      timeoutMs: 5_000,
      intervalMs: 25,
    });
    expect(selfStops).toEqual([ServerState.DRAINING]);
    expect(h.sidecar.currentState).toBe(ServerState.DRAINING);
  });

  it('refuses a player placed from a stale view with SERVER_DRAINING once it is stopping', async () => {
    const { h, clock, selfStops } = await idleSidecar();
    clock.advance(IDLE_MS);
    await waitFor(() => selfStops.length > 0, {
      what: 'self-stop',
      timeoutMs: 5_000,
      intervalMs: 25,
    });
    await h.reserve(7n, 0);
    const res = await h.verify(fakeToken({ clientId: 7 }, clock.now()));
    expect(res.statusCode).toBe(503);
    expect(res.json().code).toBe('SERVER_DRAINING');
  });

  it('stays up for a seat reserved before the idle stop, and admits that player', async () => {
    const { h, clock, selfStops, logs } = await idleSidecar();
    await h.reserve(8n, 0);
    clock.advance(IDLE_MS);
    await waitFor(() => logs.some((m) => m.includes('staying up')), {
      what: 'idle stop called off',
      timeoutMs: 5_000,
      intervalMs: 25,
    });
    expect(selfStops).toEqual([]);
    await waitFor(async () => (await storedState(h)) === ServerState.READY, {
      what: 'ready again',
      timeoutMs: 5_000,
      intervalMs: 25,
    });
    expect(h.sidecar.currentState).toBe(ServerState.READY);
    const res = await h.verify(fakeToken({ clientId: 8 }, clock.now()));
    expect(res.statusCode).toBe(200);
  });

  it('goes ahead with an idle stop once a drain is requested during it', async () => {
    const { h, clock, selfStops } = await idleSidecar();
    clock.advance(IDLE_MS);
    h.sidecar.drain();
    await waitFor(() => selfStops.length > 0, {
      what: 'self-stop',
      timeoutMs: 5_000,
      intervalMs: 25,
    });
    expect(h.sidecar.currentState).toBe(ServerState.DRAINING);
  });
});
