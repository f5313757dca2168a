// play()'s reconnects end to end in Node: the real server SDK (WebSocket) on the stand-in
// sidecar holding seats for a reconnect, and a tiny front that hands out its tokens. A dropped
// socket comes back to the same seat and Player; a server that is gone, or a credential the
// sidecar refuses, sends the channel to the matchmaker once, onto another server.
import type { AddressInfo } from 'node:net';
import { createGameServer, type GameServer } from '@playgap/server';
import { freePort, waitFor } from '@playgap/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { type StubSidecar, startStubSidecar } from '../../server/test/stub-sidecar.js';
import { type Channel, play, type ReconnectingEvent } from '../src/index.js';
import { websocketTransport } from '../src/transports/websocket.js';

/** Every client socket the SDK opens, so a test can drop one as a network would. */
const sockets: WebSocket[] = [];
class TrackedWebSocket extends WebSocket {
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    sockets.push(this);
  }
}
const WebSocketImpl = TrackedWebSocket as unknown as typeof globalThis.WebSocket;

interface GameBox {
  sidecar: StubSidecar;
  server: GameServer;
  port: number;
}
const boxes: GameBox[] = [];
let front: WebSocketServer | undefined;
let clientIds = 100;

async function gameServer(graceMs: number, serverId: string): Promise<GameBox> {
  const port = await freePort();
  const sidecar = await startStubSidecar({
    ports: { game: { name: 'game', internal: port, external: port, protocol: 'TCP' } },
    graceMs,
  });
  const server = await createGameServer({
    sidecarUrl: sidecar.url,
    host: '127.0.0.1',
    handleSignals: false,
    heartbeatIntervalMs: 50,
    log: () => {},
  });
  const box = { sidecar, server, port };
  boxes.push(box);
  void serverId;
  return box;
}

/** A front that places each request on the next of `targets` (the last one repeats). */
async function startFront(targets: GameBox[]): Promise<string> {
  let next = 0;
  front = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => front!.once('listening', () => r()));
  front.on('connection', (socket) => {
    socket.once('message', () => {
      const box = targets[Math.min(next++, targets.length - 1)]!;
      const clientId = String(clientIds++);
      const token = `ticket-${clientId}`;
      box.sidecar.addToken(token, clientId, 'Ada');
      socket.send(
        JSON.stringify({
          type: 'ready',
          token,
          serverId: `srv-${box.port}`,
          ip: '127.0.0.1',
          port: box.port,
          transports: [{ kind: 'websocket', url: `ws://127.0.0.1:${box.port}/ws`, port: box.port }],
          certDigest: '',
          clientId,
          expiresAt: Date.now() + 30_000,
        }),
      );
      socket.close();
    });
  });
  return `ws://127.0.0.1:${(front.address() as AddressInfo).port}/matchmaker/ws`;
}

afterEach(async () => {
  for (const box of boxes.splice(0)) {
    await box.server.close();
    await box.sidecar.close();
  }
  await new Promise<void>((r) => (front ? front.close(() => r()) : r()));
  front = undefined;
  sockets.length = 0;
});

function connect(matchmakerUrl: string, firstDelayMs = 20): Promise<Channel> {
  return play({
    game: 'arena',
    version: '1.0.0',
    matchmakerUrl,
    WebSocketImpl,
    implementations: [websocketTransport(WebSocketImpl)],
    reconnect: {
      initialDelayMs: firstDelayMs,
      maxDelayMs: Math.max(100, firstDelayMs),
      storage: null,
    },
  });
}

function track(channel: Channel) {
  const reconnecting: ReconnectingEvent[] = [];
  const reconnected: { resumed: boolean; clientId: string }[] = [];
  channel.on('reconnecting', (e) => reconnecting.push(e));
  channel.on('reconnected', (e) =>
    reconnected.push({ resumed: e.resumed, clientId: e.welcome.clientId }),
  );
  return { reconnecting, reconnected };
}

describe('play() reconnects', () => {
  it('brings a dropped socket back to the same seat and Player, and messages flow again', async () => {
    const box = await gameServer(60_000, 'a');
    const channel = await connect(await startFront([box]));
    const { reconnecting, reconnected } = track(channel);
    const clientId = channel.welcome.clientId;
    const player = box.server.players.get(clientId)!;
    const heard: unknown[] = [];
    player.on('message', (m) => heard.push(m));

    sockets.at(-1)!.terminate();
    await waitFor(() => reconnected.length === 1, { what: 'reconnected', timeoutMs: 10_000 });
    expect(reconnected[0]).toEqual({ resumed: true, clientId });
    expect(reconnecting[0]).toMatchObject({ attempt: 1, matchmaking: false, code: 'DISCONNECTED' });
    expect(box.server.players.get(clientId)).toBe(player);
    expect(box.sidecar.reconnects).toEqual([clientId]);
    channel.send({ t: 'input' });
    await waitFor(() => heard.length === 1, { what: 'message after the reconnect' });
    // A second drop works with the next credential.
    sockets.at(-1)!.terminate();
    await waitFor(() => reconnected.length === 2, { what: 'second reconnect', timeoutMs: 10_000 });
    expect(box.sidecar.reconnects).toEqual([clientId, clientId]);
    channel.close();
  });

  it('lands on a new server through the matchmaker when its server stopped during the grace', async () => {
    const first = await gameServer(1_500, 'a');
    const second = await gameServer(60_000, 'b');
    // The first attempt waits 2 s, so the server below is gone before it (at 20 ms it could
    // still win the seat back on a busy machine).
    const channel = await connect(await startFront([first, second]), 2_000);
    const { reconnecting, reconnected } = track(channel);
    sockets.at(-1)!.terminate();
    await waitFor(() => reconnecting.length > 0, { what: 'reconnecting' });
    await first.server.close(); // gone: its port refuses every attempt from now on
    await waitFor(() => reconnected.length === 1, { what: 'a new server', timeoutMs: 15_000 });
    expect(reconnected[0]?.resumed).toBe(false);
    expect(reconnecting.at(-1)).toMatchObject({ matchmaking: true, code: 'SERVER_GONE' });
    expect(second.server.players.has(channel.welcome.clientId)).toBe(true);
    expect(channel.open).toBe(true);
    channel.close();
  });

  it('matchmakes at once when the sidecar refuses the credential (seat no longer held)', async () => {
    const first = await gameServer(60_000, 'a');
    const second = await gameServer(60_000, 'b');
    const channel = await connect(await startFront([first, second]));
    const { reconnecting, reconnected } = track(channel);
    const clientId = channel.welcome.clientId;
    // The player leaves for good on the server side while the client is away.
    const left = new Promise((r) => first.server.once('playerDisconnected', r));
    sockets.at(-1)!.terminate();
    await left;
    await fetch(`${first.sidecar.url}/v1/disconnect`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId, final: true }),
    });
    await waitFor(() => reconnected.length === 1, { what: 'a new server', timeoutMs: 15_000 });
    expect(reconnected[0]?.resumed).toBe(false);
    expect(reconnecting.at(-1)).toMatchObject({ matchmaking: true, code: 'RECONNECT_EXPIRED' });
    channel.close();
  });

  it('closes for good, without reconnecting, when the game closes the channel', async () => {
    const box = await gameServer(60_000, 'a');
    const channel = await connect(await startFront([box]));
    const { reconnecting } = track(channel);
    const left = new Promise((r) => box.server.once('playerLeft', r));
    channel.close();
    await left;
    expect(reconnecting).toEqual([]);
    expect(box.server.players.size).toBe(0);
  });
});
