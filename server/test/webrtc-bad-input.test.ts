import { freePort } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGameServer, type GameServer } from '../src/index.js';
import { type StubSidecar, startStubSidecar } from './stub-sidecar.js';

let sidecar: StubSidecar;
let server: GameServer;
let base: string;
const unhandled: unknown[] = [];
const onUnhandled = (err: unknown) => unhandled.push(err);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  const game = await freePort();
  const rtc = await freePort();
  sidecar = await startStubSidecar({
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
  });
  base = `http://127.0.0.1:${server.ports.game}/.wrtc/v2/connections`;
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await server?.close();
  await sidecar?.close();
});

async function admittedPeer(token: string): Promise<string> {
  sidecar.addToken(token, token.replace(/\D/g, '') || '1');
  const res = await fetch(base, { method: 'POST', headers: { authorization: token } });
  return ((await res.json()) as { id: string }).id;
}

describe('WebRTC signaling with bad input', () => {
  it('answers 400 to a remote description without sdp/type and keeps serving', async () => {
    const id = await admittedPeer('bad-1');
    const res = await fetch(`${base}/${id}/remote-description`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(400);
    const again = await fetch(`${base}/${id}/remote-description`, {
      method: 'POST',
      body: 'not json',
    });
    expect(again.status).toBeGreaterThanOrEqual(400);
    const bogus = await fetch(`${base}/${id}/remote-description`, {
      method: 'POST',
      body: JSON.stringify({ sdp: 'v=garbage', type: 'answer' }),
    });
    expect(bogus.status).toBeGreaterThanOrEqual(200);
    expect((await fetch(`http://127.0.0.1:${server.ports.game}/healthz`)).status).toBe(200);
    expect(unhandled).toEqual([]);
  });

  it('answers 404 for unknown connection ids and routes', async () => {
    expect(
      (
        await fetch(`${base}/abcdefabcdefabcdefabcdef/remote-description`, {
          method: 'POST',
          body: '{}',
        })
      ).status,
    ).toBe(404);
    expect((await fetch(`${base}/abcdefabcdefabcdefabcdef/additional-candidates`)).status).toBe(
      404,
    );
    expect((await fetch(`http://127.0.0.1:${server.ports.game}/nope`)).status).toBe(404);
  });

  it('refuses a signaling request without authorization with 401 TOKEN_MALFORMED', async () => {
    const res = await fetch(base, { method: 'POST' });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'TOKEN_MALFORMED' });
  });

  it('answers CORS preflight with authorization allowed', async () => {
    const res = await fetch(base, { method: 'OPTIONS' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-headers')).toContain('authorization');
  });
});
