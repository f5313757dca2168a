// edgegap-local's HTTP surface without a port (fastify inject): auth, bad input, faults.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEdgegapLocalApp } from './app.js';

let app: FastifyInstance;
const auth = { authorization: 'token local-dev-key' };

beforeAll(async () => {
  app = await buildEdgegapLocalApp({
    apps: [{ name: 'game', versions: [{ name: 'v1', command: 'true', ports: [] }] }],
    faults: [{ method: 'GET', path: '^/v1/app/faulty$', status: 418, body: { message: 'teapot' } }],
  });
});
afterAll(() => app.close());

describe('edgegap-local input handling', () => {
  it('answers 401 without the key, with a bare key, or with a wrong key', async () => {
    for (const authorization of [undefined, 'local-dev-key', 'token nope']) {
      const res = await app.inject({
        method: 'GET',
        url: '/v1/app/game',
        headers: authorization ? { authorization } : {},
      });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ message: 'Unauthorized' });
    }
  });

  it('protects the admin endpoints with the same key', async () => {
    expect((await app.inject({ method: 'GET', url: '/_local/calls' })).statusCode).toBe(401);
    expect(
      (await app.inject({ method: 'GET', url: '/_local/calls', headers: auth })).statusCode,
    ).toBe(200);
  });

  it.each([
    ['malformed JSON', '{"application":', 400],
    ['a wrong type', JSON.stringify({ application: 5, version: 'v1', users: [] }), 400],
    ['a non-object body', JSON.stringify([1, 2]), 400],
    [
      'bad users',
      JSON.stringify({ application: 'game', version: 'v1', users: [{ user_type: 'ip_address' }] }),
      400,
    ],
    [
      'bad env vars',
      JSON.stringify({
        application: 'game',
        version: 'v1',
        users: [{ user_type: 'ip_address', user_data: { ip_address: '1.1.1.1' } }],
        environment_variables: [{ key: 1 }],
      }),
      400,
    ],
    ['an oversized body', JSON.stringify({ application: 'x'.repeat(2_000_000) }), 413],
  ])('refuses a v2 deploy with %s', async (_what, payload, status) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v2/deployments',
      headers: { ...auth, 'content-type': 'application/json' },
      payload,
    });
    expect(res.statusCode).toBe(status);
    expect(typeof res.json().message).toBe('string');
  });

  it('drops __proto__ keys from JSON bodies', async () => {
    const res = await app.inject({
      method: 'PATCH',
      url: '/v1/app/game/version/v1',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"__proto__": {"polluted": true}, "docker_tag": "x"}',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().version.docker_tag).toBe('x');
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    const version = await app.inject({
      method: 'GET',
      url: '/v1/app/game/version/v1',
      headers: auth,
    });
    expect(version.json().polluted).toBeUndefined();
  });

  it('refuses a bad list query, page or filter with 400', async () => {
    for (const query of [
      'query=%7Bnope',
      'page=0',
      'query=' + encodeURIComponent('{"filters":[{"field":"x","operator":"gt"}]}'),
    ]) {
      const res = await app.inject({
        method: 'GET',
        url: `/v1/deployments?${query}`,
        headers: auth,
      });
      expect(res.statusCode).toBe(400);
    }
  });

  it('applies a fault from options and records every call but admin ones', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/app/faulty', headers: auth });
    expect(res.statusCode).toBe(418);
    expect(res.json()).toEqual({ message: 'teapot' });
    const calls = (await app.inject({ method: 'GET', url: '/_local/calls', headers: auth })).json();
    expect(calls.at(-1)).toMatchObject({ method: 'GET', path: '/v1/app/faulty', status: 418 });
    expect(calls.some((c: { path: string }) => c.path.startsWith('/_local'))).toBe(false);
  });

  it('answers 401 to a context or self-stop of an unknown deployment', async () => {
    const ctx = await app.inject({
      method: 'GET',
      url: '/v1/context/abc/1',
      headers: { authorization: 'x' },
    });
    expect(ctx.statusCode).toBe(401);
    const stop = await app.inject({ method: 'DELETE', url: '/v1/self/stop/abc/1' });
    expect(stop.statusCode).toBe(401);
  });

  it('refuses a session for an unknown app (404) or with a bad ip_list (400)', async () => {
    const post = (payload: unknown) =>
      app.inject({ method: 'POST', url: '/v1/session', headers: auth, payload: payload as object });
    expect((await post({ app_name: 'nope' })).statusCode).toBe(404);
    expect((await post({ app_name: 'game', ip_list: 'x' })).statusCode).toBe(400);
    expect(
      (await post({ app_name: 'game', deployment_request_id: 'ffffffffffff' })).statusCode,
    ).toBe(400);
  });
});
