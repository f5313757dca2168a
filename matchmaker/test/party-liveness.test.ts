// A party member whose replica dies without a leave (its NATS connection gone, so its session
// no longer refreshes `seenAt`) is dropped from the roster by the members still there; a dead
// leader disbands the party. Real nats-server, two desks on two connections.
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  ErrorCode,
  type PartyMessage,
  type PartyRecord,
  type PartySessionRequest,
} from '@playgap/protocol';
import { openAppBuckets as openBuckets } from '@playgap/protocol/kv';
import { waitFor } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMatchmakingConfig } from '../src/queues/matchmaking-config.js';
import { PartyDesk } from '../src/queues/party-desk.js';
import { TicketDesk } from '../src/queues/ticket-desk.js';
import { APP, startTestNats, type TestNats, VERSION } from './fake-fleet.js';

const config = parseMatchmakingConfig({ modes: { quad: { minPlayers: 4, maxPlayers: 4 } } });
let nats: TestNats;
const connections: NatsConnection[] = [];

async function desk(): Promise<{ desk: PartyDesk; nc: NatsConnection }> {
  const nc = await connect({ servers: nats.url, maxReconnectAttempts: 0 });
  connections.push(nc);
  const { tickets, parties } = await openBuckets(nc, APP, ['tickets', 'parties']);
  const tickets_ = new TicketDesk({ app: APP, tickets, config: () => config });
  return {
    nc,
    desk: new PartyDesk({
      app: APP,
      parties,
      tickets,
      desk: tickets_,
      config: () => config,
      memberRefreshMs: 100,
      memberStaleMs: 1_000,
    }),
  };
}

const request = (memberId: string, more: Partial<PartySessionRequest> = {}) =>
  ({
    action: 'create',
    game: APP,
    version: VERSION,
    clientIp: '127.0.0.1',
    memberId,
    ...more,
  }) as PartySessionRequest;

beforeAll(async () => {
  nats = await startTestNats();
});

afterAll(async () => {
  for (const nc of connections) await nc.close().catch(() => {});
  await nats?.stop();
});

describe('party members that vanish', () => {
  it('drops a member whose replica died, and disbands the party when it was the leader', async () => {
    const alive = await desk();
    const doomed = await desk();
    const rosters: PartyMessage[] = [];
    const leader = alive.desk.session(request('leader'), (m) => {
      if (m.type === 'party') rosters.push(m);
    });
    const first = await waitFor(() => rosters[0]);
    const code = first.code.replace('-', '');
    void doomed.desk.session(request('ghost', { action: 'join', code } as never), () => {});
    await waitFor(() => rosters.at(-1)?.members.length === 2, { timeoutMs: 10_000 });
    // Both refresh for a while: nobody is dropped while their sessions live.
    const bucket = await new Kvm(nats.nc).open(`playgap_${APP}_parties`);
    const seenAt = async () =>
      (await bucket.get(code))?.json<PartyRecord>().members.find((m) => m.memberId === 'ghost')
        ?.seenAt ?? 0;
    const before = await seenAt();
    await waitFor(async () => (await seenAt()) > before, { timeoutMs: 10_000 });
    expect(rosters.at(-1)?.members).toHaveLength(2);

    await doomed.nc.close(); // the ghost's replica dies: no leave, no more refreshes
    await waitFor(() => rosters.at(-1)?.members.length === 1, { timeoutMs: 15_000 });
    expect(rosters.at(-1)?.members.map((m) => m.memberId)).toEqual(['leader']);

    // Now the other way round: the leader's replica dies and leaves a member behind.
    const memberRosters: PartyMessage[] = [];
    const member = alive.desk.session(request('member', { action: 'join', code } as never), (m) => {
      if (m.type === 'party') memberRosters.push(m);
    });
    await waitFor(() => memberRosters.at(-1)?.members.length === 2, { timeoutMs: 10_000 });
    await alive.nc.close();
    await expect(leader).resolves.toMatchObject({ type: 'error' });
    await expect(member).resolves.toMatchObject({ type: 'error' });
    // Once nobody has been seen for memberStaleMs, a join finds the leader gone.
    await waitFor(
      async () =>
        (await bucket.get(code))
          ?.json<PartyRecord>()
          .members.every((m) => m.seenAt < Date.now() - 1_000),
      { timeoutMs: 15_000 },
    );
    const late = await desk();
    const answer = await late.desk.session(
      request('late', { action: 'join', code } as never),
      () => {},
    );
    expect(answer).toMatchObject({ type: 'error', code: ErrorCode.PARTY_NOT_FOUND });
  });
});
