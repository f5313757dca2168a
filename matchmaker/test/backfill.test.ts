// Backfill end to end: a real sidecar process (its game server played by the test through the
// local API), a real nats-server and two matchmaker replicas. A 2v2 is placed, players leave,
// the server asks for backfill, and waiting tickets of the WebSocket front fill the holes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  type FrontMessage,
  type PlayReply,
  type TicketRecord,
  TicketState,
} from '@playgap/protocol';
import type { SidecarEventData, SidecarResponse } from '@playgap/protocol/sidecar-api';
import { decodeUserData, verifyConnectToken } from '@playgap/protocol/token';
import { freePort, type RunningNatsServer, startNatsServer, waitFor } from '@playgap/testkit';
import { type RealSidecar, startRealSidecar } from '@playgap/testkit/real-sidecar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type RunningMatchmaker, startMatchmaker } from '../src/index.js';
import { PRIVATE_KEY_HEX, testConfig, VERSION } from './fake-fleet.js';

const MATCHMAKING = {
  modes: {
    '2v2': {
      teams: { count: 2, minSize: 2, maxSize: 2 },
      variables: { map: 'dust' },
      rules: [{ kind: 'number_difference', name: 'skill', attribute: 'skill', max: 500 }],
    },
  },
};

let nats: RunningNatsServer;
let nc: NatsConnection;
let sidecar: RealSidecar;
let replicas: RunningMatchmaker[] = [];
let dir: string;
const events: { event: string; data: SidecarEventData['backfill'] }[] = [];
const stopEvents = new AbortController();
const sockets = new Set<WebSocket>();

/** One play request kept open: its messages, and its final answer when it comes. */
interface Player {
  messages: FrontMessage[];
  done: Promise<FrontMessage>;
  cancel(): void;
}

function play(skill: number, name: string, via = replicas[0] as RunningMatchmaker): Player {
  const ws = new WebSocket(`${via.url!.replace(/^http/, 'ws')}/matchmaker/ws`);
  sockets.add(ws);
  const messages: FrontMessage[] = [];
  const done = new Promise<FrontMessage>((resolve) => {
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as FrontMessage;
      messages.push(m);
      if (m.type !== 'progress') resolve(m);
    });
    ws.on('close', () => resolve(messages.at(-1) as FrontMessage));
  });
  ws.on('open', () =>
    ws.send(
      JSON.stringify({
        game: sidecar.app,
        version: VERSION,
        mode: '2v2',
        name,
        attributes: { skill },
      }),
    ),
  );
  ws.on('error', () => {});
  return {
    messages,
    done,
    cancel: () => {
      if (ws.readyState === WebSocket.OPEN) ws.send('{"type":"cancel"}');
    },
  };
}

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${sidecar.url}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** The game server's part: the player connects with its token. */
async function arrive(reply: PlayReply) {
  const { status, json } = await api('POST', '/v1/tokens/verify', { token: reply.token });
  expect(status, JSON.stringify(json)).toBe(200);
  return json as { clientId: string; player: { playerId?: string; team?: string } };
}

function userData(reply: PlayReply) {
  return decodeUserData(
    verifyConnectToken(reply.token, {
      protocolId: 7n,
      privateKey: Buffer.from(PRIVATE_KEY_HEX, 'hex'),
    }).userData.slice(),
  );
}

async function matchNow() {
  const { json } = await api('GET', '/v1/match');
  return (json as SidecarResponse<'match'>).matches[0] as SidecarResponse<'match'>['matches'][0];
}

async function followEvents(): Promise<void> {
  const res = await fetch(`${sidecar.url}/v1/events`, { signal: stopEvents.signal });
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event === 'backfill' && data) events.push({ event, data: JSON.parse(data) });
      end = buffer.indexOf('\n\n');
    }
  }
}

async function ticketsOf(state: string): Promise<TicketRecord[]> {
  const bucket = await new Kvm(nc).open(`playgap_${sidecar.app}_tickets`);
  const out: TicketRecord[] = [];
  const keys: string[] = [];
  for await (const key of await bucket.keys()) keys.push(key);
  for (const key of new Set(keys)) {
    const entry = await bucket.get(key);
    if (entry?.operation === 'PUT' && entry.json<TicketRecord>().state === state)
      out.push(entry.json<TicketRecord>());
  }
  return out;
}

/** Seats of the match that hold a player now (reserved or connected). */
async function seatsOfMatch(matchId: string): Promise<number> {
  let n = 0;
  for await (const key of await sidecar.seats.keys(`${sidecar.serverId}.*`)) {
    const entry = await sidecar.seats.get(key);
    if (entry?.operation === 'PUT' && entry.json<{ matchId?: string }>().matchId === matchId) n++;
  }
  return n;
}

/** Wait until the player's ticket has been searching for `rounds` progress messages. */
async function stillSearching(p: Player, rounds = 3): Promise<void> {
  await waitFor(
    () =>
      p.messages.filter((m) => m.type === 'progress' && m.stage === 'searching').length >= rounds,
    { timeoutMs: 20_000 },
  );
  expect(p.messages.some((m) => m.type === 'progress' && m.stage === 'match_found')).toBe(false);
}

let matchId = '';
/** Client id of each player on the server, by name. */
const clientOf = new Map<string, string>();

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  sidecar = await startRealSidecar(
    nats,
    [{ name: 'game', protocol: 'TCP', internal: await freePort() }],
    [],
    { PLAYGAP_PRIVATE_KEY: PRIVATE_KEY_HEX, PLAYGAP_PROTOCOL_ID: '7', PLAYGAP_VERSION: VERSION },
  );
  const ready = await api('POST', '/v1/ready', {
    transports: [{ kind: 'websocket', port: 'game' }],
    capacity: 6,
  });
  expect(ready.status).toBe(200);
  dir = mkdtempSync(join(tmpdir(), 'playgap-backfill-'));
  const file = join(dir, 'matchmaking.json');
  writeFileSync(file, JSON.stringify(MATCHMAKING));
  for (let i = 0; i < 2; i++) {
    replicas.push(
      await startMatchmaker(
        testConfig(nats.url, {
          appName: sidecar.app,
          matchmakingConfig: file,
          matchIntervalMs: 20,
          instanceId: `backfill-mm-${i}`,
        }),
        {},
        { listen: true },
      ),
    );
  }
  for (const mm of replicas)
    await waitFor(() => mm.fleet?.server(sidecar.serverId) !== undefined, { timeoutMs: 15_000 });
  void followEvents().catch(() => {});
}, 60_000);

afterAll(async () => {
  stopEvents.abort();
  for (const ws of sockets) ws.terminate();
  for (const mm of replicas) await mm.close();
  replicas = [];
  await sidecar?.close();
  await nc?.close();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('backfill of a running match', { timeout: 90_000 }, () => {
  it('places a 2v2 on the server, and a player of team-2 leaves', async () => {
    const skills = [1000, 1100, 1200, 1300];
    const players = skills.map((s, i) => play(s, `p${i}`, replicas[i % 2]));
    const replies = (await Promise.all(players.map((p) => p.done))) as PlayReply[];
    expect(replies.map((r) => r.type)).toEqual(['ready', 'ready', 'ready', 'ready']);
    for (const [i, reply] of replies.entries()) {
      expect(reply.serverId).toBe(sidecar.serverId);
      clientOf.set(`p${i}`, (await arrive(reply)).clientId);
    }
    matchId = String(userData(replies[0] as PlayReply).extra?.matchId);
    const leaver = replies.findIndex((r) => userData(r).team === 'team-2');
    const { status } = await api('POST', '/v1/disconnect', {
      clientId: clientOf.get(`p${leaver}`),
      final: true,
    });
    expect(status).toBe(200);
    expect(await seatsOfMatch(matchId)).toBe(3);
  });

  it('refuses bad backfill requests with their codes', async () => {
    const refusal = async (body: unknown, code: string, status: number) => {
      const answer = await api('POST', '/v1/backfill', body);
      expect(answer.json.code).toBe(code);
      expect(answer.status).toBe(status);
    };
    await refusal({ team: 'team-9', count: 1 }, 'UNKNOWN_TEAM', 404);
    await refusal({ matchId: 'not-here', count: 1 }, 'UNKNOWN_MATCH', 404);
    // Capacity 6, three seats taken: three free.
    await refusal({ count: 4 }, 'BACKFILL_NO_ROOM', 409);
    await refusal({ count: 0 }, 'BAD_REQUEST', 400);
    await refusal({ count: 1, team: ['team-2'] }, 'BAD_REQUEST', 400);
    const withdrawn = await api('DELETE', '/v1/backfill/unknown');
    expect(withdrawn).toMatchObject({ status: 404, json: { code: 'UNKNOWN_BACKFILL' } });
  });

  it('asks for one player for team-2 and gets a waiting ticket that fits, not one that breaks the skill rule', async () => {
    const misfit = play(5000, 'misfit');
    await waitFor(() => misfit.messages.some((m) => m.type === 'progress'), { timeoutMs: 10_000 });
    const created = await api('POST', '/v1/backfill', { team: 'team-2', count: 1 });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const backfillId = created.json.backfillId as string;
    const listed = await api('GET', '/v1/backfill');
    expect(listed.json.backfills).toMatchObject([
      { backfillId, matchId, mode: '2v2', team: 'team-2', count: 1 },
    ]);
    const startedAt = performance.now();
    const fit = play(1150, 'fit', replicas[1]);
    const reply = (await fit.done) as PlayReply;
    const readyMs = performance.now() - startedAt;
    expect(reply.type).toBe('ready');
    expect(reply.serverId).toBe(sidecar.serverId);
    expect(fit.messages.some((m) => m.type === 'progress' && m.stage === 'match_found')).toBe(true);
    const sealed = userData(reply);
    expect(sealed).toMatchObject({ mode: '2v2', team: 'team-2', extra: { matchId } });
    const joined = await arrive(reply);
    clientOf.set('fit', joined.clientId);
    const filled = await waitFor(
      () => events.find((e) => e.data.backfillId === backfillId && e.data.state === 'filled'),
      { timeoutMs: 15_000 },
    );
    expect(filled.data).toMatchObject({ count: 1, filled: 1, playerIds: [sealed.playerId] });
    if (process.env['PLAYGAP_BACKFILL_TIMING']) {
      console.log(`backfill: play request to ready ${readyMs.toFixed(0)} ms`);
    }
    const match = await matchNow();
    expect(match.players.find((p) => p.playerId === sealed.playerId)).toMatchObject({
      team: 'team-2',
      arrived: true,
    });
    expect(match.variables).toEqual({ map: 'dust' });
    await waitFor(
      async () => ((await api('GET', '/v1/backfill')).json.backfills as []).length === 0,
      {
        timeoutMs: 10_000,
      },
    );
    await stillSearching(misfit);
    misfit.cancel();
    expect(await misfit.done).toMatchObject({ code: 'TICKET_CANCELLED' });
  });

  it('fills "any" team: the one with the hole', async () => {
    expect(await leaveOne('team-1')).toBe('team-1');
    const created = await api('POST', '/v1/backfill', { count: 1 });
    expect(created.status).toBe(201);
    const p = play(1250, 'any-fit');
    const reply = (await p.done) as PlayReply;
    expect(userData(reply)).toMatchObject({ team: 'team-1', extra: { matchId } });
    clientOf.set('any-fit', (await arrive(reply)).clientId);
  });

  it('stops filling once a backfill expires', async () => {
    await leaveOne('team-2');
    const created = await api('POST', '/v1/backfill', { count: 1, expiresInSeconds: 5 });
    const backfillId = created.json.backfillId as string;
    await waitFor(
      () => events.find((e) => e.data.backfillId === backfillId && e.data.state === 'expired'),
      { timeoutMs: 20_000 },
    );
    expect((await api('GET', '/v1/backfill')).json.backfills).toEqual([]);
    const late = play(1150, 'late');
    await stillSearching(late);
    late.cancel();
    await late.done;
  });

  it('stops filling once a backfill is withdrawn', async () => {
    const created = await api('POST', '/v1/backfill', { team: 'team-2', count: 1 });
    const backfillId = created.json.backfillId as string;
    expect(await api('DELETE', `/v1/backfill/${backfillId}`)).toMatchObject({
      status: 200,
      json: { ok: true },
    });
    expect(events.find((e) => e.data.backfillId === backfillId)?.data.state).toBe('withdrawn');
    const late = play(1150, 'late-2');
    await stillSearching(late);
    late.cancel();
    await late.done;
    expect(await api('DELETE', `/v1/backfill/${backfillId}`)).toMatchObject({ status: 404 });
  });

  it('two backfills and two replicas: every hole filled once, no ticket in two places, nothing overfilled', async () => {
    // Holes: team-2 lost one (the expiry test); now team-1 loses one too.
    await leaveOne('team-1');
    const placedBefore = (await ticketsOf(TicketState.PLACED)).length;
    const waiting = [1100, 1150, 1200].map((s, i) => play(s, `race-${i}`, replicas[i % 2]));
    await waitFor(() => waiting.every((p) => p.messages.some((m) => m.type === 'progress')), {
      timeoutMs: 10_000,
    });
    const [a, b] = await Promise.all([
      api('POST', '/v1/backfill', { team: 'team-1', count: 1 }),
      api('POST', '/v1/backfill', { count: 1 }),
    ]);
    expect([a?.status, b?.status]).toEqual([201, 201]);
    const ids = [a?.json.backfillId, b?.json.backfillId];
    await waitFor(
      () =>
        ids.every((id) =>
          events.some((e) => e.data.backfillId === id && e.data.state === 'filled'),
        ),
      { timeoutMs: 20_000 },
    );
    const answered = await waitFor(
      () => {
        const done = waiting.filter((p) => p.messages.some((m) => m.type === 'ready'));
        return done.length >= 2 ? done : undefined;
      },
      { timeoutMs: 20_000 },
    );
    expect(answered).toHaveLength(2);
    const leftOver = waiting.find((p) => !answered.includes(p)) as Player;
    await stillSearching(leftOver, 2);
    leftOver.cancel();
    await leftOver.done;
    const teams = answered.map((p) => userData(p.messages.at(-1) as PlayReply).team).sort();
    expect(teams).toEqual(['team-1', 'team-2']);
    // Each placed ticket once; the match never has more than four seats.
    const placed = await ticketsOf(TicketState.PLACED);
    expect(placed.length - placedBefore).toBe(2);
    expect(new Set(placed.map((t) => t.id)).size).toBe(placed.length);
    expect(await seatsOfMatch(matchId)).toBe(4);
  });
});

/** A player of `team` leaves for good; returns the team. */
async function leaveOne(team: string): Promise<string> {
  const match = await matchNow();
  const ids = new Set(
    match.players.filter((p) => p.team === team && p.arrived).map((p) => p.playerId),
  );
  for (const key of [...(await collectKeys())]) {
    const entry = await sidecar.seats.get(key);
    if (entry?.operation !== 'PUT') continue;
    const seat = entry.json<{ playerId?: string; clientId: string; state: string }>();
    if (seat.state === 'connected' && seat.playerId && ids.has(seat.playerId)) {
      const { status } = await api('POST', '/v1/disconnect', {
        clientId: seat.clientId,
        final: true,
      });
      expect(status).toBe(200);
      return team;
    }
  }
  throw new Error(`no connected player of ${team}`);
}

async function collectKeys(): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of await sidecar.seats.keys(`${sidecar.serverId}.*`)) keys.push(key);
  return keys;
}
