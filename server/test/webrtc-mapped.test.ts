import { freePort } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGameServer, type GameServer, type Player } from '../src/index.js';
import { type StubSidecar, startStubSidecar } from './stub-sidecar.js';
import { startUdpRelay } from './udp-relay.js';
import { connectGeckos } from './webrtc-peer.js';

let sidecar: StubSidecar;
let server: GameServer;
let relay: { close(): void };
let internal: number;
let external: number;

beforeAll(async () => {
  const game = await freePort();
  internal = await freePort();
  external = await freePort();
  relay = await startUdpRelay(external, internal);
  sidecar = await startStubSidecar({
    publicIp: '127.0.0.1',
    ports: {
      game: { name: 'game', internal: game, external: game, protocol: 'TCP' },
      rtc: { name: 'rtc', internal, external, protocol: 'UDP' },
    },
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
  relay?.close();
});

describe('WebRTC behind a port mapping (external ≠ internal UDP port)', () => {
  it('announces only the external port in its candidates', async () => {
    sidecar.addToken('peek', '600');
    const base = `http://127.0.0.1:${server.ports.game}/.wrtc/v2/connections`;
    const res = await fetch(base, { method: 'POST', headers: { authorization: 'peek' } });
    const { id } = (await res.json()) as { id: string };
    let candidates: { candidate: string }[] = [];
    for (let i = 0; i < 200 && candidates.length === 0; i++) {
      candidates = (await (await fetch(`${base}/${id}/additional-candidates`)).json()) as never;
      if (candidates.length === 0) await new Promise((r) => setTimeout(r, 10));
    }
    expect(candidates.length).toBeGreaterThan(0);
    for (const c of candidates) {
      expect(c.candidate).toContain(` ${external} typ`);
      expect(c.candidate).not.toContain(` ${internal} typ`);
    }
    await fetch(`${base}/${id}/close`, { method: 'POST' });
  });

  it('a real node-datachannel peer connects through the mapping and exchanges messages', async () => {
    sidecar.addToken('mapped', '601', 'Linus');
    const connected = new Promise<Player>((r) => server.once('connect', r));
    const { channel, error } = await connectGeckos(server.ports.game!, 'mapped');
    expect(error).toBeUndefined();
    const player = await connected;
    const got = new Promise((r) => channel.on('m', r));
    player.send({ t: 'snapshot', tick: 3 }, { reliable: false });
    expect(await got).toEqual({ t: 'snapshot', tick: 3 });
    channel.close();
  });
});
