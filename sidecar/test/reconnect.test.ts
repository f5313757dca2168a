// Reconnects on a real nats-server and the injected clock: a dropped player's seat is held in
// state grace (still taken for every reader of the seats bucket), given back once per
// credential, freed when the grace ends (record gone, `left` emitted), and never idle-stopped
// meanwhile. Credentials that are stolen, replayed or late are refused with their codes.
import { isSeatTaken, type SeatRecord, SeatState, seatKey } from '@playgap/protocol';
import { waitFor } from '@playgap/testkit';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock.js';
import { fakeToken, fakeVerifier } from './fake-token.js';
import { type Harness, harnessPerTest } from './harness.js';

const sidecars = harnessPerTest(fakeVerifier);
const GRACE_MS = 10_000;

interface Grant {
  credential: string;
  graceMs: number;
}

async function seatRecord(h: Harness, seat: number): Promise<SeatRecord | undefined> {
  const entry = await h.seats.get(seatKey(h.sidecar.info().serverId, seat));
  return entry?.operation === 'PUT' ? entry.json<SeatRecord>() : undefined;
}

async function graceSidecar(
  extra: { idleTimeoutMs?: number; selfStop?: () => Promise<void> } = {},
) {
  const clock = new ManualClock();
  const h = await sidecars.start({ clock, reconnectGraceMs: GRACE_MS, ...extra });
  expect((await h.ready()).statusCode).toBe(200);
  const admit = async (clientId: number, seat: number): Promise<Grant> => {
    await h.reserve(BigInt(clientId), seat);
    const res = await h.verify(fakeToken({ clientId }));
    expect(res.statusCode, res.body).toBe(200);
    const grant = res.json().reconnect as Grant;
    expect(grant.graceMs).toBe(GRACE_MS);
    return grant;
  };
  const reconnect = (credential: string) =>
    h.app.inject({ method: 'POST', url: '/v1/players/reconnect', payload: { credential } });
  return { h, clock, admit, reconnect };
}

describe('Sidecar reconnects', () => {
  it("holds a dropped player's seat in grace, taken for the matchmaker, then frees it when the grace ends", async () => {
    const { h, clock, admit, reconnect } = await graceSidecar();
    const left: string[] = [];
    h.sidecar.on('left', (clientId: string) => left.push(clientId));
    const { credential } = await admit(21, 0);
    const dropped = await h.disconnect('21');
    expect(dropped.json()).toEqual({ ok: true, graceMs: GRACE_MS });
    const held = await seatRecord(h, 0);
    expect(held).toMatchObject({
      state: SeatState.GRACE,
      clientId: '21',
      expiresAt: clock.now() + GRACE_MS,
    });
    expect(isSeatTaken(held!, clock.now())).toBe(true);
    expect(h.sidecar.info().players).toBe(1);

    clock.advance(GRACE_MS);
    await waitFor(async () => (await seatRecord(h, 0)) === undefined, {
      what: 'the held seat freed',
      timeoutMs: 10_000,
      intervalMs: 25,
    });
    await waitFor(() => left.length > 0, { what: 'left', timeoutMs: 5_000, intervalMs: 10 });
    expect(left).toEqual(['21']);
    expect(h.sidecar.info().players).toBe(0);
    const late = await reconnect(credential);
    expect(late.statusCode).toBe(401);
    expect(late.json().code).toBe('RECONNECT_EXPIRED');
  });

  it('gives a dropped player its seat back once per credential, connected again, with the next credential', async () => {
    const { h, clock, admit, reconnect } = await graceSidecar();
    const { credential } = await admit(22, 1);
    await h.disconnect('22');
    clock.advance(GRACE_MS - 1);
    const back = await reconnect(credential);
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json()).toMatchObject({ clientId: '22', seat: 1 });
    const next = back.json().reconnect as Grant;
    expect(next.credential).not.toBe(credential);
    expect((await seatRecord(h, 1))?.state).toBe(SeatState.CONNECTED);
    // The grace timer is off: the seat outlives the old deadline.
    clock.advance(GRACE_MS * 2);
    expect((await seatRecord(h, 1))?.state).toBe(SeatState.CONNECTED);
    const replay = await reconnect(credential);
    expect(replay.json().code).toBe('RECONNECT_REFUSED');
    // The next credential works after the next drop.
    await h.disconnect('22');
    expect((await reconnect(next.credential)).statusCode).toBe(200);
  });

  it("refuses another client's credential presented under this client's id, and leaves both seats as they were", async () => {
    const { h, admit, reconnect } = await graceSidecar();
    await admit(23, 0);
    const theirs = await admit(24, 1);
    await h.disconnect('23');
    const stolen = theirs.credential.replace('.24.', '.23.');
    const res = await reconnect(stolen);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('RECONNECT_REFUSED');
    expect((await seatRecord(h, 0))?.state).toBe(SeatState.GRACE);
    expect((await seatRecord(h, 1))?.state).toBe(SeatState.CONNECTED);
    // The owner's own credential still works for its owner.
    await h.disconnect('24');
    expect((await reconnect(theirs.credential)).statusCode).toBe(200);
  });

  it('frees the seat at once on a final disconnect', async () => {
    const { h, admit, reconnect } = await graceSidecar();
    const { credential } = await admit(25, 0);
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/disconnect',
      payload: { clientId: '25', final: true },
    });
    expect(res.json()).toEqual({ ok: true });
    expect(await seatRecord(h, 0)).toBeUndefined();
    expect((await reconnect(credential)).json().code).toBe('RECONNECT_EXPIRED');
  });

  it('hands out no credential and frees seats at once with a grace of 0', async () => {
    const h = await sidecars.start({ clock: new ManualClock(), reconnectGraceMs: 0 });
    await h.ready();
    await h.reserve(26n, 0);
    const res = await h.verify(fakeToken({ clientId: 26 }));
    expect(res.json().reconnect).toBeUndefined();
    expect((await h.disconnect('26')).json()).toEqual({ ok: true });
    expect(await seatRecord(h, 0)).toBeUndefined();
  });

  it('does not stop for being idle while a seat is in grace', async () => {
    let selfStops = 0;
    const { h, clock, admit } = await graceSidecar({
      idleTimeoutMs: 3_000,
      selfStop: async () => {
        selfStops++;
      },
    });
    const left: string[] = [];
    h.sidecar.on('left', (clientId: string) => left.push(clientId));
    await admit(27, 0);
    await h.disconnect('27');
    clock.advance(GRACE_MS - 1);
    expect(h.sidecar.currentState).toBe('ready');
    expect(selfStops).toBe(0);
    clock.advance(1); // the grace ends, the seat frees, and the idle timer starts
    await waitFor(() => left.length === 1, {
      what: 'seat freed',
      timeoutMs: 5_000,
      intervalMs: 10,
    });
    clock.advance(3_000);
    await waitFor(() => selfStops === 1, { what: 'self-stop', timeoutMs: 5_000, intervalMs: 25 });
  });
});
