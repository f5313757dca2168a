import { freePort } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGameServer, type GameServer, type Player } from '../src/index.js';
import { type StubSidecar, startStubSidecar, waitFor } from './stub-sidecar.js';
import { connectGeckos } from './webrtc-peer.js';

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
    await waitFor(() => sidecar.disconnects.includes('501'), 5_000, 'disconnect report');
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
    await waitFor(() => sidecar.disconnects.includes('502'), 5_000, 'half-open seat release');
    expect(server.players.has('502')).toBe(false);
  });
});
