import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { ManualClock } from '../src/clock.js';
import { Sidecar } from '../src/sidecar.js';
import { fakeToken, fakeVerifier } from './fake-token.js';
import { deploymentFor, STEADY_TIMERS } from './harness.js';

let sidecar: Sidecar;
let app: FastifyInstance;
let certDir: string;
beforeEach(async () => {
  certDir = await mkdtemp(join(tmpdir(), 'sidecar-api-'));
  sidecar = new Sidecar({
    app: 'api',
    version: 'v1',
    deployment: deploymentFor('api-srv'),
    verifier: fakeVerifier,
    capacity: 4,
    certDir,
    ...STEADY_TIMERS,
    clock: new ManualClock(Date.now()),
  });
  await sidecar.init();
  app = buildApp(sidecar, { bodyLimitBytes: 16 * 1024 });
});
afterEach(async () => {
  await app.close();
  await sidecar.close();
  await rm(certDir, { recursive: true, force: true });
});

const post = (url: string, payload?: unknown, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...headers },
    ...(payload === undefined
      ? {}
      : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }),
  });

describe('local API', () => {
  it('reports health with NATS disconnected as degraded', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'degraded',
      nats: 'disconnected',
      state: 'starting',
    });
  });

  it('serves info with ports, cert paths and both digest forms', async () => {
    const info = (await app.inject({ method: 'GET', url: '/v1/info' })).json();
    expect(info).toMatchObject({
      serverId: 'api-srv',
      app: 'api',
      version: 'v1',
      publicIp: '203.0.113.9',
      capacity: 4,
      players: 0,
      state: 'starting',
    });
    expect(info.ports.game).toEqual({
      name: 'game',
      internal: 7000,
      external: 31000,
      protocol: 'TCP',
    });
    expect(info.certFile).toMatch(/cert\.pem$/);
    expect(info.keyFile).toMatch(/key\.pem$/);
    expect(info.certDigest).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(Buffer.from(info.certHashBase64, 'base64')).toHaveLength(32);
    expect(info.certNotAfter).toBeGreaterThan(Date.now());
  });

  it('answers 400 BAD_REQUEST to malformed JSON', async () => {
    const res = await post('/v1/tokens/verify', '{"token": ');
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('BAD_REQUEST');
  });

  it('answers 413 PAYLOAD_TOO_LARGE to a body over the limit', async () => {
    const res = await post('/v1/tokens/verify', { token: 'A'.repeat(20_000) });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('PAYLOAD_TOO_LARGE');
  });

  it.each([
    ['/v1/tokens/verify', {}],
    ['/v1/tokens/verify', { token: 42 }],
    ['/v1/tokens/verify', { token: 'x', extra: 1 }],
    ['/v1/ready', { transports: [{ kind: 'carrier-pigeon', port: 'game' }] }],
    ['/v1/ready', { transports: 'websocket' }],
    ['/v1/ready', { transports: [], capacity: 0 }],
    ['/v1/disconnect', { clientId: 12 }],
    ['/v1/disconnect', { clientId: 'abc' }],
  ])('answers 400 BAD_REQUEST to POST %s with %j', async (url, body) => {
    const res = await post(url, body);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('BAD_REQUEST');
  });

  it('refuses a ready naming a port the deployment does not have', async () => {
    const res = await post('/v1/ready', { transports: [{ kind: 'websocket', port: 'nope' }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain('nope');
  });

  it('answers 400 to a wrong capacity and 200 with the new one', async () => {
    const bad = await app.inject({
      method: 'PUT',
      url: '/v1/capacity',
      payload: { capacity: 'many' },
    });
    expect(bad.statusCode).toBe(400);
    const ok = await app.inject({ method: 'PUT', url: '/v1/capacity', payload: { capacity: 10 } });
    expect(ok.json().capacity).toBe(10);
  });

  it('answers 404 NOT_FOUND to an unknown route', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/nothing' });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('NOT_FOUND');
  });

  it('answers 404 UNKNOWN_CLIENT to a disconnect of an unknown client', async () => {
    const res = await post('/v1/disconnect', { clientId: '123' });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('UNKNOWN_CLIENT');
  });

  it('answers 503 NATS_UNAVAILABLE to a token check while NATS is down', async () => {
    await post('/v1/ready', { transports: [{ kind: 'websocket', port: 'game' }] });
    const res = await post('/v1/tokens/verify', { token: fakeToken({ clientId: 1 }) });
    expect(res.statusCode).toBe(503);
    expect(res.json().code).toBe('NATS_UNAVAILABLE');
  });

  it('accepts bodyless heartbeat and drain posts', async () => {
    const hb = await app.inject({ method: 'POST', url: '/v1/heartbeat' });
    expect(hb.statusCode).toBe(200);
    const hbJson = await post('/v1/heartbeat');
    expect(hbJson.statusCode).toBe(200);
  });

  it('answers 202 to shutdown and emits shutdown', async () => {
    const stopped = new Promise<string>((resolve) => sidecar.once('shutdown', resolve));
    const res = await post('/v1/shutdown');
    expect(res.statusCode).toBe(202);
    expect(await stopped).toBe('requested');
    expect(sidecar.currentState).toBe('stopping');
  });
});
