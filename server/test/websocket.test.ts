import { CloseCode } from '@playgap/protocol';
import { freePort, waitFor } from '@playgap/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createGameServer, type GameServer } from '../src/index.js';
import { type StubSidecar, startStubSidecar } from './stub-sidecar.js';

let sidecar: StubSidecar;
let server: GameServer;
let url: string;

beforeEach(async () => {
  const game = await freePort();
  sidecar = await startStubSidecar({
    ports: { game: { name: 'game', internal: game, external: game, protocol: 'TCP' } },
  });
  server = await createGameServer({
    sidecarUrl: sidecar.url,
    host: '127.0.0.1',
    handleSignals: false,
    authTimeoutMs: 300,
    heartbeatIntervalMs: 50,
    log: () => {},
  });
  url = `ws://127.0.0.1:${server.ports.game}/ws`;
});
afterEach(async () => {
  await server.close();
  await sidecar.close();
});

function open(): Promise<WebSocket> {
  const ws = new WebSocket(url);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}
function nextMessage(ws: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve) => ws.once('message', (d) => resolve(JSON.parse(String(d)))));
}
function closed(
  ws: WebSocket,
): Promise<{ code: number; reason: Record<string, unknown> | undefined }> {
  return new Promise((resolve) =>
    ws.once('close', (code, reason) =>
      resolve({ code, reason: reason.length ? JSON.parse(String(reason)) : undefined }),
    ),
  );
}

describe('WebSocket transport', () => {
  it('marks ready with only the running transports (websocket, no rtc/wt ports)', () => {
    expect(sidecar.ready).toEqual([
      { transports: [{ kind: 'websocket', port: 'game', path: '/ws' }] },
    ]);
  });

  it('admits a valid token, welcomes, round-trips a message and reports the disconnect', async () => {
    sidecar.addToken('good', '42', 'Ada');
    const connected = new Promise<import('../src/index.js').Player>((r) =>
      server.once('connect', r),
    );
    const ws = await open();
    ws.send(JSON.stringify({ type: 'auth', token: 'good' }));
    const welcome = await nextMessage(ws);
    expect(welcome).toEqual({
      type: 'welcome',
      clientId: '42',
      serverId: 'stub-1',
      player: { name: 'Ada' },
    });
    const player = await connected;
    expect(player.transport).toBe('websocket');
    expect(player.info.name).toBe('Ada');
    player.on('message', (m) => player.send({ echo: m }));
    ws.send(JSON.stringify({ t: 'input', up: true }));
    expect(await nextMessage(ws)).toEqual({ echo: { t: 'input', up: true } });
    server.broadcast({ type: 'snapshot', tick: 1, ships: [] }, { reliable: false });
    expect(await nextMessage(ws)).toEqual({ type: 'snapshot', tick: 1, ships: [] });
    const gone = new Promise((r) => server.once('disconnect', r));
    ws.close();
    await gone;
    await waitFor(() => sidecar.disconnects.includes('42'), {
      timeoutMs: 2_000,
      what: 'disconnect report',
    });
    expect(server.players.size).toBe(0);
  });

  it('refuses an expired token with close 4001 and the TOKEN_EXPIRED code', async () => {
    sidecar.refuseToken('old', 'TOKEN_EXPIRED');
    const ws = await open();
    ws.send(JSON.stringify({ type: 'auth', token: 'old' }));
    const { code, reason } = await closed(ws);
    expect(code).toBe(CloseCode.TOKEN_REFUSED);
    expect(reason?.code).toBe('TOKEN_EXPIRED');
  });

  it('refuses a replayed token', async () => {
    sidecar.addToken('once', '7');
    const first = await open();
    first.send(JSON.stringify({ type: 'auth', token: 'once' }));
    await nextMessage(first);
    const second = await open();
    second.send(JSON.stringify({ type: 'auth', token: 'once' }));
    const { code, reason } = await closed(second);
    expect(code).toBe(CloseCode.TOKEN_REFUSED);
    expect(reason?.code).toBe('TOKEN_REPLAYED');
    first.close();
  });

  it('closes with AUTH_TIMEOUT when no auth frame comes in time', async () => {
    const ws = await open();
    expect((await closed(ws)).code).toBe(CloseCode.AUTH_TIMEOUT);
  });

  it('closes with BAD_MESSAGE when the first frame is not an auth message', async () => {
    for (const frame of [
      'not json',
      JSON.stringify({ type: 'hello' }),
      JSON.stringify({ type: 'auth', token: 5 }),
    ]) {
      const ws = await open();
      ws.send(frame);
      const { code, reason } = await closed(ws);
      expect(code).toBe(CloseCode.BAD_MESSAGE);
      expect(reason?.code).toBe('BAD_REQUEST');
    }
  });

  it('closes a player that sends a binary or non-JSON game frame, and frees its seat', async () => {
    sidecar.addToken('t', '9');
    const ws = await open();
    ws.send(JSON.stringify({ type: 'auth', token: 't' }));
    await nextMessage(ws);
    ws.send('{broken');
    expect((await closed(ws)).code).toBe(CloseCode.BAD_MESSAGE);
    await waitFor(() => sidecar.disconnects.includes('9'), {
      timeoutMs: 2_000,
      what: 'disconnect report',
    });
  });

  it('refuses new players with SERVER_DRAINING after the sidecar says drain, keeps existing ones', async () => {
    sidecar.addToken('a', '1');
    sidecar.addToken('b', '2');
    const a = await open();
    a.send(JSON.stringify({ type: 'auth', token: 'a' }));
    await nextMessage(a);
    await waitFor(() => sidecar.followers() > 0, { timeoutMs: 2_000, what: 'event stream' });
    const drained = new Promise((r) => server.once('drain', () => r(true)));
    sidecar.push('drain', { state: 'draining' });
    await drained;
    const b = await open();
    b.send(JSON.stringify({ type: 'auth', token: 'b' }));
    const { code, reason } = await closed(b);
    expect(code).toBe(CloseCode.SERVER_STOPPING);
    expect(reason?.code).toBe('SERVER_DRAINING');
    expect(server.players.has('1')).toBe(true);
    a.close();
  });

  it('closes an oversized frame (over 64 KiB) with 1009 and frees the seat', async () => {
    sidecar.addToken('big', '10');
    const ws = await open();
    ws.send(JSON.stringify({ type: 'auth', token: 'big' }));
    await nextMessage(ws);
    const done = closed(ws);
    ws.send(JSON.stringify({ t: 'x', pad: 'x'.repeat(70_000) }));
    expect((await done).code).toBe(1009);
    await waitFor(() => sidecar.disconnects.includes('10'), {
      timeoutMs: 2_000,
      what: 'disconnect report',
    });
  });

  it('player.disconnect() closes the socket with KICKED and reports the seat free', async () => {
    sidecar.addToken('kick', '11');
    const connected = new Promise<import('../src/index.js').Player>((r) =>
      server.once('connect', r),
    );
    const ws = await open();
    ws.send(JSON.stringify({ type: 'auth', token: 'kick' }));
    await nextMessage(ws);
    const done = closed(ws);
    (await connected).disconnect();
    expect((await done).code).toBe(CloseCode.KICKED);
    await waitFor(() => sidecar.disconnects.includes('11'), {
      timeoutMs: 2_000,
      what: 'disconnect report',
    });
  });

  it('sends heartbeats to the sidecar', async () => {
    await waitFor(() => sidecar.heartbeats >= 2, { timeoutMs: 2_000, what: 'heartbeats' });
  });

  it('on close, closes players with SERVER_STOPPING and reports them gone', async () => {
    sidecar.addToken('c', '3');
    const ws = await open();
    ws.send(JSON.stringify({ type: 'auth', token: 'c' }));
    await nextMessage(ws);
    const done = closed(ws);
    await server.close();
    expect((await done).code).toBe(CloseCode.SERVER_STOPPING);
    expect(sidecar.disconnects).toContain('3');
  });
});
