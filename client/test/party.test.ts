// The SDK's party API against a real matchmaker (all-in-one, real nats-server): create, join by
// code, the roster live, refusals as events, leave, and play() for a party passing the queue's
// `ticket` progress through. A match played to the end in a browser is e2e/test/parties.test.ts.
import { waitFor } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  APP,
  type QueueStack,
  serverRecord,
  startQueueStack,
  VERSION,
} from '../../matchmaker/test/fake-fleet.js';
import {
  createParty,
  joinParty,
  type Party,
  PlaygapClientError,
  type PlayProgress,
} from '../src/index.js';
import { websocketTransport } from '../src/transports/websocket.js';

const WebSocketImpl = WebSocket as unknown as typeof globalThis.WebSocket;
let stack: QueueStack;
const parties: Party[] = [];

beforeAll(async () => {
  stack = await startQueueStack({ quad: { minPlayers: 4, maxPlayers: 4 } }, [
    serverRecord('party-srv'),
  ]);
});

afterAll(async () => {
  for (const p of parties) p.leave();
  await stack?.close();
});

const options = (name: string) => ({
  game: APP,
  version: VERSION,
  name,
  matchmakerUrl: stack.mm.url as string,
  WebSocketImpl,
});

describe('parties in the client SDK', () => {
  it('creates a party, joins it by code, follows the roster, and reports refusals and a leave', async () => {
    const leader = await createParty({ ...options('Ada'), mode: 'quad' });
    parties.push(leader);
    expect(leader.code).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{2}$/);
    expect(leader.isLeader).toBe(true);
    const friend = await joinParty(leader.code.toLowerCase(), options('Bob'));
    parties.push(friend);
    expect(friend.isLeader).toBe(false);
    await waitFor(() => leader.roster.members.length === 2, { timeoutMs: 10_000 });
    expect(leader.roster.members.map((m) => m.name)).toEqual(['Ada', 'Bob']);

    const refusals: PlaygapClientError[] = [];
    friend.on('refused', (r) => refusals.push(r));
    friend.queue();
    await waitFor(() => refusals.length === 1, { timeoutMs: 10_000 });
    expect(refusals[0]?.code).toBe('PARTY_NOT_LEADER');

    const ends: unknown[] = [];
    friend.on('end', (e) => ends.push(e));
    friend.leave();
    await waitFor(() => ends.length === 1, { timeoutMs: 10_000 });
    expect(ends[0]).toBeInstanceOf(PlaygapClientError);
    expect((ends[0] as PlaygapClientError).code).toBe('PARTY_LEFT');
    await waitFor(() => leader.roster.members.length === 1, { timeoutMs: 10_000 });
  });

  it('refuses an unknown code with PARTY_NOT_FOUND', async () => {
    await expect(joinParty('ZZZZ-ZZ', options('Eve'))).rejects.toMatchObject({
      code: 'PARTY_NOT_FOUND',
    });
  });

  it("play() for a party passes the queue's ticket progress on, and a cancel reopens the party", async () => {
    const leader = await createParty({ ...options('Ada'), mode: 'quad' });
    parties.push(leader);
    const friend = await joinParty(leader.code, options('Bob'));
    parties.push(friend);
    await waitFor(() => leader.roster.members.length === 2, { timeoutMs: 10_000 });
    const progress: PlayProgress[] = [];
    const stop = new AbortController();
    const playing = friend.play({
      onProgress: (p) => progress.push(p),
      signal: stop.signal,
      implementations: [websocketTransport(WebSocketImpl)],
    });
    playing.catch(() => {});
    leader.queue();
    // Nobody else queues for quad: the party searches until the leader cancels.
    const searching = await waitFor(
      () => progress.find((p) => p.stage === 'searching' && p.ticket),
      {
        timeoutMs: 10_000,
      },
    );
    expect(searching.ticket).toMatchObject({ mode: 'quad', expansion: 0 });
    expect(typeof searching.ticket?.waitedSeconds).toBe('number');
    leader.cancel();
    await waitFor(() => friend.roster.state === 'open' && friend.roster.ticketError, {
      timeoutMs: 10_000,
    });
    expect(friend.roster.ticketError?.code).toBe('TICKET_CANCELLED');
    stop.abort();
    await expect(playing).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
