import { CloseCode, ErrorCode } from '@playgap/protocol';
import { freePort, waitFor } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGameServer, type GameServer, type Player } from '../src/index.js';
import { type StubSidecar, startStubSidecar } from './stub-sidecar.js';
import { connectGeckos, dropClosedPeer } from './webrtc-peer.js';

let sidecar: StubSidecar;
let server: GameServer;
let clock = 0;

beforeAll(async () => {
  const game = await freePort();
  const rtc = await freePort();
  sidecar = await startStubSidecar({
    publicIp: '127.0.0.1',
    ports: {
      game: { name: 'game', internal: game, external: game, protocol: 'TCP' },
      rtc: { name: 'rtc', internal: rtc, external: rtc, protocol: 'UDP' },
    },
  });
  server = await createGameServer({
    sidecarUrl: sidecar.url,
    host: '127.0.0.1',
    handleSignals: false,
    log: () => {},
    halfOpenTimeoutMs: 1_000,
    reapIntervalMs: 20,
    now: () => clock,
  });
});
afterAll(async () => {
  await server?.close();
  await sidecar?.close();
});

describe('WebRTC transport (geckos.io)', () => {
  it('offers webrtc on the game port with the rtc data port, before websocket', () => {
    expect(sidecar.ready[0]?.transports).toEqual([
      { kind: 'webrtc', port: 'game', dataPort: 'rtc' },
      { kind: 'websocket', port: 'game', path: '/ws' },
    ]);
  });

  it('admits a valid token, hands the welcome as userData, round-trips messages, reports the disconnect', async () => {
    sidecar.addToken('rtc-good', '501', 'Grace');
    const connected = new Promise<Player>((r) => server.once('connect', r));
    const { channel, error } = await connectGeckos(server.ports.game!, 'rtc-good');
    expect(error).toBeUndefined();
    expect(channel.userData).toMatchObject({
      type: 'welcome',
      clientId: '501',
      serverId: 'stub-1',
      player: { name: 'Grace' },
    });
    const player = await connected;
    expect(player.transport).toBe('webrtc');
    player.on('message', (m) => player.send({ echo: m }, { reliable: true }));
    const echoed = new Promise((r) => channel.on('m', r));
    channel.emit('m', { t: 'input', right: true });
    expect(await echoed).toEqual({ echo: { t: 'input', right: true } });
    const broadcasted = new Promise((r) => channel.on('m', r));
    server.broadcast({ type: 'snapshot', tick: 9, ships: [] }, { reliable: false });
    expect(await broadcasted).toEqual({ type: 'snapshot', tick: 9, ships: [] });
    const gone = new Promise((r) => server.once('disconnect', r));
    channel.close();
    await gone;
    await waitFor(() => sidecar.disconnects.includes('501'), {
      timeoutMs: 5_000,
      what: 'disconnect report',
    });
  });

  it('refuses a bad token with HTTP 401 before any peer connection exists', async () => {
    sidecar.refuseToken('rtc-expired', 'TOKEN_EXPIRED');
    const { error } = await connectGeckos(server.ports.game!, 'rtc-expired');
    expect(error?.status).toBe(401);
  });

  it('answers a refusal with the {code, message} JSON body', async () => {
    sidecar.refuseToken('rtc-replayed', 'TOKEN_REPLAYED');
    const res = await fetch(`http://127.0.0.1:${server.ports.game}/.wrtc/v2/connections`, {
      method: 'POST',
      headers: { authorization: 'rtc-replayed' },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await res.json()).toMatchObject({ code: 'TOKEN_REPLAYED' });
  });

  it('reaps a half-open peer (signaled, never connected) and frees its seat', async () => {
    sidecar.addToken('rtc-half', '502');
    const res = await fetch(`http://127.0.0.1:${server.ports.game}/.wrtc/v2/connections`, {
      method: 'POST',
      headers: { authorization: 'rtc-half' },
    });
    expect(res.status).toBe(200);
    const offer = (await res.json()) as { id: string; localDescription: { sdp: string } };
    expect(offer.localDescription.sdp).toContain('a=ice-ufrag');
    expect(server.players.has('502')).toBe(false);
    clock += 1_001;
    await waitFor(() => sidecar.disconnects.includes('502'), {
      timeoutMs: 5_000,
      what: 'half-open seat release',
    });
    expect(server.players.has('502')).toBe(false);
  });

  it('drops a player whose heartbeats stopped (a closed tab) once the dead-peer timeout passed', async () => {
    sidecar.addToken('rtc-quiet', '503');
    const connected = new Promise<Player>((r) => server.once('connect', r));
    const { channel, error } = await connectGeckos(server.ports.game!, 'rtc-quiet');
    expect(error).toBeUndefined();
    const player = await connected;
    const seen: unknown[] = [];
    player.on('message', (m) => seen.push(m));
    // A heartbeat, then a game message on the same reliable channel: once the message is in,
    // the heartbeat was too.
    channel.emit('m', { type: 'heartbeat' }, { reliable: true });
    channel.emit('m', { t: 'input' }, { reliable: true });
    await waitFor(() => seen.length === 1, { timeoutMs: 5_000, what: 'the game message' });
    expect(seen).toEqual([{ t: 'input' }]); // heartbeats never reach the game
    const gone = new Promise<string>((r) => player.once('close', r));
    clock += 1_999;
    await new Promise((r) => setTimeout(r, 100));
    expect(player.connected).toBe(true);
    clock += 2;
    expect(await gone).toBe('timeout');
    await waitFor(() => sidecar.disconnects.includes('503'), {
      timeoutMs: 5_000,
      what: 'seat freed',
    });
    channel.close();
  });

  it('sends a close notice with the reason before closing a player (SERVER_DRAINING on stop)', async () => {
    sidecar.addToken('rtc-drain', '504');
    const connected = new Promise<Player>((r) => server.once('connect', r));
    const { channel } = await connectGeckos(server.ports.game!, 'rtc-drain');
    const player = await connected;
    const notice = new Promise((r) => channel.on('m', r));
    const disconnected = new Promise<void>((r) => channel.onDisconnect(() => r()));
    player.disconnect(CloseCode.SERVER_STOPPING, {
      code: ErrorCode.SERVER_DRAINING,
      message: 'The server is stopping.',
    });
    expect(await notice).toEqual({
      type: 'close',
      closeCode: CloseCode.SERVER_STOPPING,
      code: 'SERVER_DRAINING',
      message: 'The server is stopping.',
    });
    await disconnected;
    dropClosedPeer(channel);
  });

  it('answers 503 to a player refused because the server is draining', async () => {
    sidecar.refuseToken('rtc-stopping', 'SERVER_DRAINING');
    const { error } = await connectGeckos(server.ports.game!, 'rtc-stopping');
    expect(error?.status).toBe(503);
  });
});
