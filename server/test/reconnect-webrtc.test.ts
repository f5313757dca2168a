// Reconnects are transport-independent: a player dropped on WebRTC (geckos, a real
// node-datachannel peer) comes back with its credential in geckos' authorization to the same
// Player, and can come back again over WebSocket with the next credential.
import { freePort, waitFor } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createGameServer, type GameServer, type Player } from '../src/index.js';
import { type StubSidecar, startStubSidecar } from './stub-sidecar.js';
import { connectGeckos } from './webrtc-peer.js';

let sidecar: StubSidecar;
let server: GameServer;

beforeAll(async () => {
  const game = await freePort();
  const rtc = await freePort();
  sidecar = await startStubSidecar({
    publicIp: '127.0.0.1',
    ports: {
      game: { name: 'game', internal: game, external: game, protocol: 'TCP' },
      rtc: { name: 'rtc', internal: rtc, external: rtc, protocol: 'UDP' },
    },
    graceMs: 60_000,
  });
  server = await createGameServer({
    sidecarUrl: sidecar.url,
    host: '127.0.0.1',
    handleSignals: false,
    log: () => {},
  });
});
afterAll(async () => {
  await server?.close();
  await sidecar?.close();
});

interface Welcome {
  clientId: string;
  resumed?: boolean;
  reconnect?: { credential: string };
}

describe('reconnects over WebRTC', () => {
  it('gives a player dropped on WebRTC the same Player back over WebRTC, then over WebSocket', async () => {
    sidecar.addToken('rtc-1', '601', 'Nia');
    const first = await connectGeckos(server.ports.game!, 'rtc-1');
    expect(first.error).toBeUndefined();
    const welcome = first.channel.userData as Welcome;
    expect(welcome.reconnect?.credential).toMatch(/^pgr1\./);
    const player = server.players.get('601')!;

    const away = new Promise<Player>((r) => server.once('playerDisconnected', r));
    first.channel.close();
    expect(await away).toBe(player);

    const back = new Promise<Player>((r) => server.once('playerReconnected', r));
    const second = await connectGeckos(server.ports.game!, welcome.reconnect!.credential);
    expect(second.error).toBeUndefined();
    const again = second.channel.userData as Welcome;
    expect(again).toMatchObject({ clientId: '601', resumed: true });
    expect(await back).toBe(player);
    expect(player.transport).toBe('webrtc');

    // The next credential, on another transport: the player moves to WebSocket.
    const moved = new Promise<Player>((r) => server.once('playerReconnected', r));
    const ws = new WebSocket(`ws://127.0.0.1:${server.ports.game}/ws`);
    await new Promise((r) => ws.once('open', r));
    const wsWelcome = new Promise<Welcome>((r) =>
      ws.once('message', (d) => r(JSON.parse(String(d)))),
    );
    ws.send(JSON.stringify({ type: 'auth', token: again.reconnect!.credential }));
    expect(await wsWelcome).toMatchObject({ clientId: '601', resumed: true });
    expect(await moved).toBe(player);
    await waitFor(() => player.transport === 'websocket', { what: 'moved to websocket' });
    second.channel.close();
    ws.close();
  });
});
