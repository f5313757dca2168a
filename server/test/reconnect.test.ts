// Reconnects through the SDK over WebSocket, on the stand-in sidecar holding seats for a
// reconnect: a dropped player keeps its Player object (away) and gets it back with the
// credential of its welcome; a normal close, a kick or the end of the grace lets it go.
import { CloseCode } from '@playgap/protocol';
import { freePort, waitFor } from '@playgap/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createGameServer, type GameServer, type Player } from '../src/index.js';
import { type StubSidecar, startStubSidecar } from './stub-sidecar.js';

let sidecar: StubSidecar | undefined;
let server: GameServer | undefined;

async function start(
  graceMs: number,
): Promise<{ sidecar: StubSidecar; server: GameServer; url: string }> {
  const game = await freePort();
  sidecar = await startStubSidecar({
    ports: { game: { name: 'game', internal: game, external: game, protocol: 'TCP' } },
    graceMs,
  });
  server = await createGameServer({
    sidecarUrl: sidecar.url,
    host: '127.0.0.1',
    handleSignals: false,
    heartbeatIntervalMs: 50,
    log: () => {},
  });
  // The `left` event comes through the event stream: wait until the SDK follows it.
  await waitFor(() => sidecar!.followers() > 0, { what: 'event stream', timeoutMs: 5_000 });
  return { sidecar, server, url: `ws://127.0.0.1:${server.ports.game}/ws` };
}
afterEach(async () => {
  await server?.close();
  await sidecar?.close();
  server = sidecar = undefined;
});

interface Welcome {
  clientId: string;
  resumed?: boolean;
  reconnect?: { credential: string; graceMs: number };
}

/** Open a socket, send `token` as the auth frame, resolve with the welcome. */
async function join(url: string, token: string): Promise<{ ws: WebSocket; welcome: Welcome }> {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const welcome = new Promise<Welcome>((resolve) =>
    ws.once('message', (d) => resolve(JSON.parse(String(d)))),
  );
  ws.send(JSON.stringify({ type: 'auth', token }));
  return { ws, welcome: await welcome };
}

function closed(ws: WebSocket): Promise<{ code: number; reason: { code?: string } }> {
  return new Promise((resolve) =>
    ws.once('close', (code, reason) =>
      resolve({ code, reason: reason.length ? JSON.parse(String(reason)) : {} }),
    ),
  );
}

function next(
  s: GameServer,
  event: 'playerDisconnected' | 'playerReconnected' | 'playerLeft',
): Promise<Player> {
  return new Promise((resolve) => s.once(event, (player: Player) => resolve(player)));
}

describe('reconnects through the server SDK', () => {
  it('gives a dropped player the same Player back with its credential, and a fresh credential', async () => {
    const { sidecar, server, url } = await start(60_000);
    sidecar.addToken('t1', '42', 'Ada');
    const first = await join(url, 't1');
    expect(first.welcome.reconnect?.graceMs).toBe(60_000);
    const player = server.players.get('42')!;
    const heard: unknown[] = [];
    player.on('message', (m) => heard.push(m));

    const away = next(server, 'playerDisconnected');
    first.ws.terminate(); // a drop, not a goodbye
    expect(await away).toBe(player);
    expect(player.connected).toBe(false);
    expect(server.players.get('42')).toBe(player);
    await waitFor(() => sidecar.disconnects.includes('42'), { what: 'drop reported' });

    const back = next(server, 'playerReconnected');
    const second = await join(url, first.welcome.reconnect!.credential);
    expect(second.welcome).toMatchObject({ clientId: '42', resumed: true });
    expect(second.welcome.reconnect?.credential).not.toBe(first.welcome.reconnect?.credential);
    expect(await back).toBe(player);
    expect(player.connected).toBe(true);
    second.ws.send(JSON.stringify({ t: 'input' }));
    await waitFor(() => heard.length === 1, { what: 'message on the same player' });
    second.ws.close();
  });

  it('refuses a credential used before with RECONNECT_REFUSED', async () => {
    const { sidecar, server, url } = await start(60_000);
    sidecar.addToken('t2', '43');
    const first = await join(url, 't2');
    const credential = first.welcome.reconnect!.credential;
    const away = next(server, 'playerDisconnected');
    first.ws.terminate();
    await away;
    const second = await join(url, credential);
    const again = new WebSocket(url);
    await new Promise((r) => again.once('open', r));
    const refused = closed(again);
    again.send(JSON.stringify({ type: 'auth', token: credential }));
    const { code, reason } = await refused;
    expect(code).toBe(CloseCode.TOKEN_REFUSED);
    expect(reason.code).toBe('RECONNECT_REFUSED');
    second.ws.close();
  });

  it.each([
    ['a malformed credential', 'pgr1.stub-1.42.short', 'RECONNECT_REFUSED'],
    ['an oversized credential', `pgr1.${'A'.repeat(5_000)}`, 'BAD_REQUEST'],
    ['a credential of another server', `pgr1.elsewhere.42.${'A'.repeat(43)}`, 'RECONNECT_REFUSED'],
  ])('refuses %s with its code and keeps serving', async (_what, credential, expected) => {
    const { sidecar, url } = await start(60_000);
    const ws = new WebSocket(url);
    await new Promise((r) => ws.once('open', r));
    const refused = closed(ws);
    ws.send(JSON.stringify({ type: 'auth', token: credential }));
    const { code, reason } = await refused;
    expect(code).toBe(CloseCode.TOKEN_REFUSED);
    expect(reason.code).toBe(expected);
    sidecar.addToken('after', '50');
    expect((await join(url, 'after')).welcome.clientId).toBe('50');
  });

  it('moves a player whose old connection still looks open to the new one', async () => {
    const { sidecar, server, url } = await start(60_000);
    sidecar.addToken('t3', '44');
    const first = await join(url, 't3');
    const player = server.players.get('44')!;
    const oldClosed = closed(first.ws);
    const second = await join(url, first.welcome.reconnect!.credential);
    expect(second.welcome.resumed).toBe(true);
    const { code, reason } = await oldClosed;
    expect(code).toBe(CloseCode.KICKED);
    expect(reason.code).toBe('ALREADY_CONNECTED');
    // The old socket's close is not the player's: it stays connected on the new one.
    expect(server.players.get('44')).toBe(player);
    expect(player.connected).toBe(true);
    second.ws.close();
  });

  it('lets a player who closes normally go at once', async () => {
    const { sidecar, server, url } = await start(60_000);
    sidecar.addToken('t4', '45');
    const { ws } = await join(url, 't4');
    const left = next(server, 'playerLeft');
    ws.close(CloseCode.NORMAL);
    await left;
    expect(server.players.size).toBe(0);
    await waitFor(() => sidecar.disconnects.includes('45'), { what: 'final report' });
  });

  it('lets a dropped player go when its grace ends', async () => {
    const { sidecar, server, url } = await start(300);
    sidecar.addToken('t5', '46');
    const { ws } = await join(url, 't5');
    const player = server.players.get('46')!;
    const left = new Promise<string>((r) => server.once('playerLeft', (_p, reason) => r(reason)));
    ws.terminate();
    expect(await left).toBe('grace over');
    expect(server.players.has(player.clientId)).toBe(false);
  });
});
