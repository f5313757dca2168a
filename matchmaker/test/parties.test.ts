// Parties by code over the WebSocket front, against a real nats-server with two matchmaker
// replicas: members on different replicas, one ticket per party, the party on one team, and
// every bad input refused with its code.
import { Kvm } from '@nats-io/kv';
import { ErrorCode, type PartyRecord, type PlayReply, type TicketRecord } from '@playgap/protocol';
import { decodeUserData, verifyConnectToken } from '@playgap/protocol/token';
import { waitFor } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningMatchmaker, startMatchmaker } from '../src/index.js';
import { parseMatchmakingConfig } from '../src/queues/matchmaking-config.js';
import {
  APP,
  PRIVATE_KEY_HEX,
  serverRecord,
  startTestNats,
  type TestNats,
  testConfig,
  VERSION,
} from './fake-fleet.js';
import { PartySocket } from './party-socket.js';
import { converse, last } from './ws-client.js';

const MATCHMAKING = {
  defaultMode: 'any',
  modes: {
    any: { kind: 'free-seat' },
    '2v2': {
      teams: { count: 2, minSize: 2, maxSize: 2 },
      rules: [{ kind: 'number_difference', name: 'skill', attribute: 'skill', max: 5000 }],
    },
    quad: { minPlayers: 4, maxPlayers: 4 },
  },
};

let nats: TestNats;
let a: RunningMatchmaker;
let b: RunningMatchmaker;
let heartbeat: NodeJS.Timeout | undefined;
const sockets: PartySocket[] = [];

const member = (url: string, first: Record<string, unknown>) => {
  const socket = new PartySocket(url, { game: APP, version: VERSION, ...first });
  sockets.push(socket);
  return socket;
};

function userData(reply: PlayReply) {
  return decodeUserData(
    verifyConnectToken(reply.token, {
      protocolId: 7n,
      privateKey: Buffer.from(PRIVATE_KEY_HEX, 'hex'),
    }).userData.slice(),
  );
}

async function partyRecord(code: string): Promise<PartyRecord | undefined> {
  const bucket = await new Kvm(nats.nc).open(`playgap_${APP}_parties`);
  const entry = await bucket.get(code.replace('-', ''));
  return entry?.operation === 'PUT' ? entry.json<PartyRecord>() : undefined;
}

async function ticket(id: string): Promise<TicketRecord | undefined> {
  const bucket = await new Kvm(nats.nc).open(`playgap_${APP}_tickets`);
  const entry = await bucket.get(id);
  return entry?.operation === 'PUT' ? entry.json<TicketRecord>() : undefined;
}

beforeAll(async () => {
  nats = await startTestNats();
  const config = testConfig(nats.url, {
    matchmaking: parseMatchmakingConfig(MATCHMAKING),
    matchIntervalMs: 20,
  });
  a = await startMatchmaker(config, {}, { listen: true });
  b = await startMatchmaker(config, {}, { listen: true });
  const put = () => nats.putServer(serverRecord('party-a', { capacity: 64 })).catch(() => {});
  await put();
  heartbeat = setInterval(put, 2_000);
  for (const r of [a, b]) await waitFor(() => r.fleet?.server('party-a'), { timeoutMs: 10_000 });
});

afterAll(async () => {
  clearInterval(heartbeat);
  for (const s of sockets) s.close();
  await a?.close();
  await b?.close();
  await nats?.stop();
});

describe('parties by code', () => {
  it('forms a party across two replicas, queues it as one ticket, and places it on one server on one team', async () => {
    const leader = member(a.url!, {
      type: 'party_create',
      mode: '2v2',
      name: 'Ada',
      attributes: { skill: 1000 },
    });
    const created = await leader.waitForParty(() => true);
    expect(created.code).toMatch(/^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{2}$/);
    expect(created.maxSize).toBe(2);
    expect(created.leaderId).toBe(created.you);
    // The friend types the code in lower case without the dash, on the other replica.
    const friend = member(b.url!, {
      type: 'party_join',
      code: created.code.replace('-', '').toLowerCase(),
      name: 'Bob',
      attributes: { skill: 1100 },
    });
    const joined = await friend.waitForParty((p) => p.members.length === 2);
    await leader.waitForParty((p) => p.members.length === 2);
    expect(joined.leaderId).toBe(created.you);
    expect(joined.members.map((m) => m.name)).toEqual(['Ada', 'Bob']);

    await leader.send({ type: 'party_queue' });
    const queued = await friend.waitForParty((p) => p.state === 'queued');
    const record = await partyRecord(queued.code);
    const partyTicket = await waitFor(() => ticket(record?.ticketId ?? ''));
    expect(partyTicket.players.map((p) => p.playerId).sort()).toEqual(
      [created.you, joined.you].sort(),
    );
    // Two solo players complete the 2v2.
    const solos = [1200, 900].map((skill, i) =>
      converse(
        (i === 0 ? a : b).url!,
        JSON.stringify({ game: APP, version: VERSION, mode: '2v2', attributes: { skill } }),
      ),
    );
    const [mine, theirs] = (await Promise.all([leader.final(), friend.final()])) as PlayReply[];
    const others = (await Promise.all(solos)).map((c) => last(c) as PlayReply);
    expect([mine?.type, theirs?.type, ...others.map((o) => o.type)]).toEqual([
      'ready',
      'ready',
      'ready',
      'ready',
    ]);
    const all = [mine, theirs, ...others] as PlayReply[];
    expect(new Set(all.map((r) => r.serverId))).toEqual(new Set(['party-a']));
    expect(new Set(all.map((r) => r.clientId)).size).toBe(4);
    const infos = all.map(userData);
    expect(new Set(infos.map((i) => i.extra?.matchId)).size).toBe(1);
    // The party shares a team; the two solos make the other.
    expect(infos[0]?.team).toBe(infos[1]?.team);
    expect(infos[2]?.team).toBe(infos[3]?.team);
    expect(infos[0]?.team).not.toBe(infos[2]?.team);
    // Each member saw the queue on the way.
    const stages = friend.messages.map((m) => (m.type === 'progress' ? m.stage : m.type));
    expect(stages).toContain('searching');
    expect(friend.messages.find((m) => m.type === 'progress' && m.ticket)).toBeDefined();
    expect((await partyRecord(queued.code))?.state).toBe('placed');
    // A spent code takes nobody.
    const late = member(a.url!, { type: 'party_join', code: queued.code });
    expect(await late.final()).toMatchObject({ type: 'error', code: ErrorCode.PARTY_NOT_FOUND });
  });

  it('refuses unknown and malformed codes, a full party, a second join on one socket, and a member who queues', async () => {
    const unknown = member(a.url!, { type: 'party_join', code: 'ZZZZ-ZZ' });
    expect(await unknown.final()).toMatchObject({ type: 'error', code: ErrorCode.PARTY_NOT_FOUND });
    const malformed = member(a.url!, { type: 'party_join', code: 'hello!' });
    expect(await malformed.final()).toMatchObject({
      type: 'error',
      code: ErrorCode.PARTY_NOT_FOUND,
    });
    const noGame = member(a.url!, { type: 'party_create', game: undefined, extra: 1 });
    expect(await noGame.final()).toMatchObject({ type: 'error', code: ErrorCode.BAD_REQUEST });
    const freeSeat = member(a.url!, { type: 'party_create', mode: 'any' });
    expect(await freeSeat.final()).toMatchObject({ type: 'error', code: ErrorCode.UNKNOWN_MODE });

    const leader = member(a.url!, { type: 'party_create', mode: '2v2', attributes: { skill: 1 } });
    const { code } = await leader.waitForParty(() => true);
    const friend = member(b.url!, { type: 'party_join', code, attributes: { skill: 2 } });
    await friend.waitForParty((p) => p.members.length === 2);
    const third = member(a.url!, { type: 'party_join', code });
    expect(await third.final()).toMatchObject({ type: 'error', code: ErrorCode.PARTY_FULL });

    await friend.send({ type: 'party_join', code });
    await friend.waitForMessage(
      (m) => m.type === 'party_refused' && m.code === ErrorCode.PARTY_ALREADY_JOINED,
    );
    await friend.send({ type: 'party_queue' });
    await friend.waitForMessage(
      (m) => m.type === 'party_refused' && m.code === ErrorCode.PARTY_NOT_LEADER,
    );
    await leader.send({ type: 'party_queue', mode: 'nope' });
    await leader.waitForMessage(
      (m) => m.type === 'party_refused' && m.code === ErrorCode.UNKNOWN_MODE,
    );
    await leader.send({ type: 'party_dance' });
    await leader.waitForMessage(
      (m) => m.type === 'party_refused' && m.code === ErrorCode.BAD_REQUEST,
    );
    // Refusals leave the party as it was.
    expect((await partyRecord(code))?.state).toBe('open');
    leader.close();
    friend.close();
  });

  it('a member who leaves gets PARTY_LEFT, a closed socket leaves, and the leader leaving disbands the party', async () => {
    const leader = member(a.url!, { type: 'party_create' });
    const created = await leader.waitForParty(() => true);
    expect(created.maxSize).toBe(4); // the largest of the queued modes (quad)
    const stays = member(b.url!, { type: 'party_join', code: created.code, name: 'stays' });
    const leaves = member(a.url!, { type: 'party_join', code: created.code, name: 'leaves' });
    const drops = member(b.url!, { type: 'party_join', code: created.code, name: 'drops' });
    await leader.waitForParty((p) => p.members.length === 4);
    await leaves.send({ type: 'party_leave' });
    expect(await leaves.final()).toMatchObject({ type: 'error', code: ErrorCode.PARTY_LEFT });
    drops.close();
    const left = await stays.waitForParty((p) => p.members.length === 2);
    expect(left.members.map((m) => m.name ?? 'leader')).toEqual(['leader', 'stays']);
    await leader.send({ type: 'party_leave' });
    expect(await stays.final()).toMatchObject({ type: 'error', code: ErrorCode.PARTY_DISBANDED });
    expect(await leader.final()).toMatchObject({ type: 'error', code: ErrorCode.PARTY_LEFT });
  });

  it('a queued party takes no member, refuses a second queue, and is open again after a cancel or a member leaving', async () => {
    const leader = member(a.url!, { type: 'party_create' });
    const { code } = await leader.waitForParty(() => true);
    const friend = member(b.url!, { type: 'party_join', code });
    const other = member(b.url!, { type: 'party_join', code });
    await leader.waitForParty((p) => p.members.length === 3);
    await leader.send({ type: 'party_queue', mode: '2v2' });
    await leader.waitForMessage(
      (m) => m.type === 'party_refused' && m.code === ErrorCode.PARTY_TOO_BIG,
    );
    other.close();
    await leader.waitForParty((p) => p.members.length === 2);

    // Nobody else queues for "quad": the party waits there.
    await leader.send({ type: 'party_queue', mode: 'quad' });
    await friend.waitForMessage((m) => m.type === 'progress' && m.stage === 'searching');
    const late = member(a.url!, { type: 'party_join', code });
    expect(await late.final()).toMatchObject({ type: 'error', code: ErrorCode.PARTY_IN_QUEUE });
    await leader.send({ type: 'party_queue', mode: 'quad' });
    await leader.waitForMessage(
      (m) => m.type === 'party_refused' && m.code === ErrorCode.PARTY_MEMBER_BUSY,
    );
    await friend.send({ type: 'cancel' });
    await friend.waitForMessage(
      (m) => m.type === 'party_refused' && m.code === ErrorCode.PARTY_NOT_LEADER,
    );
    await leader.send({ type: 'cancel' });
    const reopened = await friend.waitForParty(
      (p) => p.state === 'open' && p.ticketError !== undefined,
    );
    expect(reopened.ticketError?.code).toBe(ErrorCode.TICKET_CANCELLED);

    // Queued again; a member leaving takes the ticket back and the party is open again.
    await leader.send({ type: 'party_queue', mode: 'quad' });
    await leader.waitForParty((p) => p.state === 'queued');
    const record = await partyRecord(code);
    friend.close();
    const after = await leader.waitForParty((p) => p.state === 'open' && p.members.length === 1);
    expect(after.ticketError?.code).toBe(ErrorCode.TICKET_CANCELLED);
    expect((await ticket(record?.ticketId ?? ''))?.state).toBe('failed');
    leader.close();
  });

  it('the free-seat party field still seats players together', async () => {
    const [one, two] = await Promise.all(
      [a, b].map((r) =>
        converse(r.url!, JSON.stringify({ game: APP, version: VERSION, party: 'friends' })),
      ),
    );
    const replies = [one, two].map((c) => last(c as never) as PlayReply);
    expect(replies.map((r) => r.type)).toEqual(['ready', 'ready']);
    expect(replies[0]?.serverId).toBe(replies[1]?.serverId);
  });
});
