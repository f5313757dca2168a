// BackfillDesk on a real nats-server, with the sidecar's seat cache lagging the matchmaker's
// writes: a fill placed just before a new request must still count its newcomers.
import { type KV, Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  type BackfillFill,
  type BackfillRecord,
  backfillKey,
  type RosterPlayer,
  type SeatRecord,
} from '@playgap/protocol';
import { type RunningNatsServer, startNatsServer, waitFor } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackfillDesk } from '../src/backfill-desk.js';
import { ManualClock } from '../src/clock.js';

let nats: RunningNatsServer;
let nc: NatsConnection;
let backfills: KV;

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  backfills = await new Kvm(nc).create(`backfill-desk-${process.pid}`, { history: 1 });
});

afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

const roster: RosterPlayer[] = [
  { playerId: 'a1', team: 'team-1' },
  { playerId: 'b1', team: 'team-2' },
  { playerId: 'b2', team: 'team-2' },
];

function seat(serverId: string, index: number, player: RosterPlayer, now: number): SeatRecord {
  return {
    serverId,
    seatIndex: index,
    state: 'connected',
    clientId: String(index + 1),
    playerId: player.playerId,
    ...(player.team ? { team: player.team } : {}),
    matchId: 'm1',
    mode: '2v2',
    roster,
    expiresAt: now + 60_000,
    updatedAt: now,
  };
}

/** A desk over a seat list the test edits by hand (the sidecar's seat cache). */
async function deskOn(serverId: string) {
  const clock = new ManualClock(Date.now());
  const seats = roster.map((p, i) => seat(serverId, i, p, clock.now()));
  const events: string[] = [];
  const desk = new BackfillDesk({
    app: 'arena',
    version: 'v1',
    serverId,
    clock,
    seats: () => seats,
    capacity: () => 4,
    onEvent: (e) => events.push(`${e.backfillId}:${e.state}`),
  });
  await desk.start(backfills);
  return { desk, clock, seats, events };
}

async function record(serverId: string): Promise<BackfillRecord | undefined> {
  const entry = await backfills.get(backfillKey(serverId, 'm1'));
  return entry?.operation === 'PUT' ? entry.json<BackfillRecord>() : undefined;
}

/** What a matchmaker writes once a newcomer of the request holds a seat. */
async function placeFill(serverId: string, requestId: string, player: RosterPlayer) {
  const key = backfillKey(serverId, 'm1');
  const entry = await backfills.get(key);
  const current = entry?.json<BackfillRecord>() as BackfillRecord;
  const fill: BackfillFill = {
    id: `fill-${player.playerId}`,
    requestId,
    ticketIds: [`t-${player.playerId}`],
    players: [player],
    state: 'placed',
    claimedBy: 'mm-1',
    claimedAt: Date.now(),
  };
  const requests = current.requests.map((r) => (r.id === requestId ? { ...r, filled: 1 } : r));
  await backfills.update(
    key,
    JSON.stringify({ ...current, requests, fills: [...current.fills, fill] }),
    entry?.revision as number,
  );
}

describe('BackfillDesk', () => {
  it('keeps a filled request’s newcomer in the record until its seat is seen, then deletes it', async () => {
    const { desk, clock, seats, events } = await deskOn('srv-lag');
    const a = await desk.request({ team: 'team-1', count: 1 });
    const newcomer = { playerId: 'n1', team: 'team-1' };
    await placeFill('srv-lag', a.backfillId, newcomer);
    await waitFor(() => events.includes(`${a.backfillId}:filled`));
    // The request ended; its newcomer's seat is not in the cache yet, so the record stays.
    await waitFor(async () =>
      (await record('srv-lag'))?.requests.length === 0 ? true : undefined,
    );
    expect((await record('srv-lag'))?.fills.map((f) => f.players[0]?.playerId)).toEqual(['n1']);

    // A second request now: the record it writes still counts n1 (team-1 is full).
    const b = await desk.request({ count: 1 });
    const withB = await record('srv-lag');
    expect(withB?.requests.map((r) => r.id)).toEqual([b.backfillId]);
    expect(withB?.fills.flatMap((f) => f.players.map((p) => `${p.playerId}:${p.team}`))).toEqual([
      'n1:team-1',
    ]);

    // n1's seat arrives; b is withdrawn: nothing is left to keep, so the record goes.
    seats.push(seat('srv-lag', 3, newcomer, clock.now()));
    await desk.withdraw(b.backfillId);
    expect(await record('srv-lag')).toBeUndefined();
    await desk.close();
  });

  it('deletes a kept record on a later check once the newcomer’s seat is seen', async () => {
    const { desk, clock, seats, events } = await deskOn('srv-recheck');
    const a = await desk.request({ team: 'team-1', count: 1 });
    const newcomer = { playerId: 'n2', team: 'team-1' };
    await placeFill('srv-recheck', a.backfillId, newcomer);
    await waitFor(() => events.includes(`${a.backfillId}:filled`));
    await waitFor(async () =>
      (await record('srv-recheck'))?.requests.length === 0 ? true : undefined,
    );
    // Checked again while still unseen: kept.
    clock.advance(1_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(await record('srv-recheck')).toBeDefined();
    seats.push(seat('srv-recheck', 3, newcomer, clock.now()));
    clock.advance(1_000);
    await waitFor(async () => ((await record('srv-recheck')) === undefined ? true : undefined));
    await desk.close();
  });

  it('drops an unseen fill after 30 s (the newcomer never came)', async () => {
    const { desk, clock, events } = await deskOn('srv-never');
    const a = await desk.request({ team: 'team-1', count: 1 });
    await placeFill('srv-never', a.backfillId, { playerId: 'n3', team: 'team-1' });
    await waitFor(() => events.includes(`${a.backfillId}:filled`));
    await waitFor(async () =>
      (await record('srv-never'))?.requests.length === 0 ? true : undefined,
    );
    // The fill's claimedAt is wall time; the manual clock started at wall time too.
    for (let i = 0; i < 31; i++) clock.advance(1_000);
    await waitFor(async () => ((await record('srv-never')) === undefined ? true : undefined));
    await desk.close();
  });
});
