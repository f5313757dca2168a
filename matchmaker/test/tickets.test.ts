import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PlayReply, type SeatRecord, type TicketRecord, TicketState } from '@playgap/protocol';
import { decodeUserData, verifyConnectToken } from '@playgap/protocol/token';
import { waitFor } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
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
import { TestEdgegap } from './test-edgegap.js';
import { converse, last } from './ws-client.js';

const MATCHMAKING = {
  modes: {
    '2v2': {
      teams: { count: 2, minSize: 2, maxSize: 2 },
      variables: { map: 'dust' },
      rules: [{ kind: 'number_difference', name: 'skill', attribute: 'skill', max: 500 }],
    },
    duel: {
      minPlayers: 2,
      maxPlayers: 2,
      rules: [{ kind: 'number_difference', name: 'skill', attribute: 'skill', max: 10 }],
    },
    brief: { minPlayers: 2, maxPlayers: 2, ticketTimeoutSeconds: 1 },
    lonely: { minPlayers: 2, maxPlayers: 2 },
  },
};

let nats: TestNats;
let mm: RunningMatchmaker;
let dir: string;
let file: string;
let heartbeat: NodeJS.Timeout | undefined;

const play = (body: Record<string, unknown>) =>
  converse(mm.url!, JSON.stringify({ game: APP, version: VERSION, ...body }));

async function ticketsIn(state: string): Promise<TicketRecord[]> {
  const out: TicketRecord[] = [];
  const { Kvm } = await import('@nats-io/kv');
  const bucket = await new Kvm(nats.nc).open(`playgap_${APP}_tickets`);
  // A key rewritten while the listing runs is listed again: read each once.
  for (const key of new Set(await collect(await bucket.keys()))) {
    const entry = await bucket.get(key);
    if (entry?.operation === 'PUT') {
      const record = entry.json<TicketRecord>();
      if (record.state === state) out.push(record);
    }
  }
  return out;
}

beforeAll(async () => {
  nats = await startTestNats();
  dir = mkdtempSync(join(tmpdir(), 'playgap-tickets-'));
  file = join(dir, 'matchmaking.json');
  writeFileSync(file, JSON.stringify(MATCHMAKING));
  mm = await startMatchmaker(
    testConfig(nats.url, { matchmakingConfig: file, matchIntervalMs: 20, dashboard: true }),
    {},
    { listen: true },
  );
  // Rewritten like a sidecar would, so the server never ages out of the cache mid-suite.
  const put = () => nats.putServer(serverRecord('queue-a', { capacity: 32 })).catch(() => {});
  await put();
  heartbeat = setInterval(put, 2_000);
  await waitFor(() => mm.fleet?.server('queue-a') !== undefined, { timeoutMs: 10_000 });
});

afterAll(async () => {
  clearInterval(heartbeat);
  await mm?.close();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('queued modes over the WebSocket front', () => {
  it('forms a 2v2, puts the whole match on one server, and seals match, team and mode in every token', async () => {
    const skills = [1000, 1100, 1200, 1300];
    const conversations = await Promise.all(
      skills.map((skill, i) => play({ mode: '2v2', name: `p${i}`, attributes: { skill } })),
    );
    const replies = conversations.map((c) => last(c) as PlayReply);
    expect(replies.map((r) => r.type)).toEqual(['ready', 'ready', 'ready', 'ready']);
    expect(new Set(replies.map((r) => r.serverId))).toEqual(new Set(['queue-a']));
    const stages = conversations[0]?.messages.map((m) =>
      m.type === 'progress' ? m.stage : m.type,
    );
    expect(stages).toContain('match_found');
    const infos = replies.map((r) =>
      decodeUserData(
        verifyConnectToken(r.token, {
          protocolId: 7n,
          privateKey: Buffer.from(PRIVATE_KEY_HEX, 'hex'),
        }).userData.slice(),
      ),
    );
    expect(new Set(infos.map((i) => i.extra?.matchId)).size).toBe(1);
    expect(infos.every((i) => i.mode === '2v2')).toBe(true);
    const teams = infos.map((i) => i.team);
    expect(teams.filter((t) => t === 'team-1')).toHaveLength(2);
    expect(teams.filter((t) => t === 'team-2')).toHaveLength(2);
    // Balanced: 1000+1300 against 1100+1200.
    const teamOf = (skill: number) => teams[skills.indexOf(skill)];
    expect(teamOf(1000)).toBe(teamOf(1300));
    // Each seat carries the whole roster and the mode's variables for the sidecar's GET /v1/match.
    const matchId = infos[0]?.extra?.matchId;
    const seats: SeatRecord[] = [];
    for await (const key of await nats.kv.seats.keys('queue-a.*')) {
      const entry = await nats.kv.seats.get(key);
      if (entry?.operation === 'PUT') seats.push(entry.json<SeatRecord>());
    }
    const ours = seats.filter((s) => s.matchId === matchId);
    expect(ours).toHaveLength(4);
    expect(ours.every((s) => s.roster?.length === 4 && s.matchVariables?.map === 'dust')).toBe(
      true,
    );
  });

  it('refuses an unknown mode and a ticket whose attribute has the wrong type, with codes', async () => {
    expect(last(await play({ mode: 'chess' }))).toMatchObject({
      type: 'error',
      code: 'UNKNOWN_MODE',
    });
    expect(last(await play({ mode: 'duel', attributes: { skill: 'high' } }))).toMatchObject({
      type: 'error',
      code: 'TICKET_INVALID',
    });
    expect(last(await play({ mode: 'duel' }))).toMatchObject({ code: 'TICKET_INVALID' });
  });

  it('expires a ticket nobody matches with TICKET_EXPIRED', async () => {
    const c = await play({ mode: 'brief' });
    expect(last(c)).toMatchObject({ type: 'error', code: 'TICKET_EXPIRED' });
    expect(c.messages.some((m) => m.type === 'progress' && m.stage === 'searching')).toBe(true);
  });

  it('cancels the ticket of a player who sends a cancel, and of one who leaves', async () => {
    const ws = new WebSocket(`${mm.url!.replace(/^http/, 'ws')}/matchmaker/ws`);
    const messages: Record<string, unknown>[] = [];
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as Record<string, unknown>;
      messages.push(m);
      if (m.stage === 'searching' && messages.filter((x) => x.stage === 'searching').length === 1)
        ws.send('{"type":"cancel"}');
    });
    ws.on('open', () => ws.send(JSON.stringify({ game: APP, version: VERSION, mode: 'lonely' })));
    await new Promise((resolve) => ws.on('close', resolve));
    expect(messages.at(-1)).toMatchObject({ type: 'error', code: 'TICKET_CANCELLED' });

    const before = (await ticketsIn(TicketState.FAILED)).length;
    const leaver = new WebSocket(`${mm.url!.replace(/^http/, 'ws')}/matchmaker/ws`);
    leaver.on('message', (data) => {
      if (JSON.parse(String(data)).stage === 'searching') leaver.close();
    });
    leaver.on('open', () =>
      leaver.send(JSON.stringify({ game: APP, version: VERSION, mode: 'lonely' })),
    );
    await waitFor(async () => (await ticketsIn(TicketState.FAILED)).length > before, {
      timeoutMs: 15_000,
    });
    const failed = await ticketsIn(TicketState.FAILED);
    expect(failed.some((t) => t.mode === 'lonely' && t.error?.code === 'TICKET_CANCELLED')).toBe(
      true,
    );
  });

  it("shows waiting tickets in the dashboard's queue panel", async () => {
    const ws = new WebSocket(`${mm.url!.replace(/^http/, 'ws')}/matchmaker/ws`);
    ws.on('open', () => ws.send(JSON.stringify({ game: APP, version: VERSION, mode: 'lonely' })));
    try {
      const state = await waitFor(
        async () => {
          const body = (await (await fetch(`${mm.url}/dashboard/state`)).json()) as {
            tickets: { mode: string; tickets: number }[];
          };
          return body.tickets.find((q) => q.mode === 'lonely');
        },
        { timeoutMs: 15_000 },
      );
      expect(state).toMatchObject({ mode: 'lonely', version: VERSION, tickets: 1, players: 1 });
    } finally {
      ws.close();
    }
  });

  it('applies a changed config file to tickets already waiting', { timeout: 90_000 }, async () => {
    const low = play({ mode: 'duel', attributes: { skill: 100 } });
    const high = play({ mode: 'duel', attributes: { skill: 150 } });
    await waitFor(
      async () =>
        (await ticketsIn(TicketState.SEARCHING)).filter((t) => t.mode === 'duel').length === 2,
      {
        timeoutMs: 15_000,
      },
    );
    const wider = structuredClone(MATCHMAKING);
    (wider.modes.duel.rules[0] as { max: number }).max = 100;
    writeFileSync(file, JSON.stringify(wider));
    // What SIGHUP does; the file watch (tested in matchmaking-config.test.ts) may beat it to it.
    expect(mm.reloadMatchmaking()).toBe(true);
    const [a, b] = await Promise.all([low, high]);
    expect(last(a!)).toMatchObject({ type: 'ready' });
    expect(last(b!)).toMatchObject({ type: 'ready' });
  });
});

describe('a match that needs a new server', () => {
  it('tells every player of the match how its server is coming: match found, deploying, ready', async () => {
    const own = await startTestNats();
    const edgegap = new TestEdgegap(own, 16, 200);
    const cold = await startMatchmaker(
      testConfig(own.url, { matchmakingConfig: file, matchIntervalMs: 20, statusPollMs: 20 }),
      { edgegap },
      { listen: true },
    );
    try {
      const queue = (name: string) =>
        converse(cold.url!, JSON.stringify({ game: APP, version: 'cold-q', mode: 'lonely', name }));
      const conversations = await Promise.all([queue('a'), queue('b')]);
      expect(edgegap.deployed).toHaveLength(1);
      for (const c of conversations) {
        const reply = last(c) as PlayReply;
        expect(reply).toMatchObject({ type: 'ready', serverId: edgegap.deployed[0]?.requestId });
        const stages = c.messages.map((m) => (m.type === 'progress' ? m.stage : m.type));
        const found = stages.indexOf('match_found');
        const deploying = stages.indexOf('deploying');
        expect(found, stages.join(' ')).toBeGreaterThanOrEqual(0);
        expect(deploying, stages.join(' ')).toBeGreaterThan(found);
        expect(stages.at(-1)).toBe('ready');
        // Each stage once: the claimer writes a stage once, the front shows it once.
        expect(stages.filter((s) => s === 'deploying')).toHaveLength(1);
        const shown = c.messages.find((m) => m.type === 'progress' && m.stage === 'deploying');
        expect(shown).toMatchObject({ ticket: { mode: 'lonely' } });
      }
    } finally {
      await cold.close();
      edgegap.close();
      await own.stop();
    }
  });
});

describe('matchmaking config at start', () => {
  it('refuses to start with a bad file, naming the variable and the path in it', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ modes: { x: { maxPlayers: 0 } } }));
    await expect(
      startMatchmaker(testConfig(nats.url, { matchmakingConfig: bad }), {}, { listen: false }),
    ).rejects.toThrow(/PLAYGAP_MATCHMAKING_CONFIG .*modes\.x\.maxPlayers/);
  });

  it('takes the config object directly', () => {
    expect(parseMatchmakingConfig(MATCHMAKING).modes.duel).toMatchObject({ maxPlayers: 2 });
  });
});

async function collect(keys: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const key of keys) out.push(key);
  return out;
}
