import type { ErrorMessage } from '@playgap/protocol';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildFrontApp, MatchmakerMetrics, type RequestPlacement } from '../src/index.js';
import { converse, last, openKept, READY } from './ws-client.js';

let app: FastifyInstance;
let url: string;
const seenIps: string[] = [];
let release: (() => void) | undefined;
const placement: RequestPlacement = async (request, onProgress) => {
  seenIps.push(request.clientIp);
  if (request.version === 'hold') {
    await new Promise<void>((resolve) => {
      release = resolve;
    });
  }
  onProgress({ type: 'progress', stage: 'deploying', elapsedMs: 1, message: 'Starting' });
  return READY;
};

beforeAll(async () => {
  app = await buildFrontApp({
    requestPlacement: placement,
    metrics: new MatchmakerMetrics(),
    allowedOrigins: ['https://game.example.com', 'https://*.example.org'],
    trustedProxies: ['127.0.0.1'],
    // Short for the timeout test, long enough that a busy machine still delivers the other
    // tests' first message in time.
    firstMessageTimeoutMs: 1_500,
    queuedNoticeAfterMs: 20,
    rateLimitPerWindow: 1_000,
    maxConcurrentPerIp: 1,
    health: { nats: () => true },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await app?.close();
});

async function finalError(first: string | Buffer | undefined): Promise<ErrorMessage> {
  const c = await converse(url, first);
  expect(c.messages.filter((m) => m.type !== 'progress')).toHaveLength(1);
  return last(c) as ErrorMessage;
}

describe('WebSocket front input handling', () => {
  it('streams service progress and the ready stage, then the reply, then a normal close', async () => {
    const c = await converse(url, '{"game":"arena","version":"1.0.0"}');
    expect(c.messages.map((m) => (m.type === 'progress' ? m.stage : m.type))).toEqual([
      'deploying',
      'ready',
      'ready',
    ]);
    expect(c.closeCode).toBe(1000);
  });

  it('says "queued" when the placement has not answered or reported progress in time', async () => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/matchmaker/ws`);
    const stages: string[] = [];
    const closed = new Promise<number>((resolve) => ws.once('close', resolve));
    ws.on('open', () => ws.send('{"game":"arena","version":"hold"}'));
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { type: string; stage?: string };
      stages.push(m.stage ?? m.type);
      // Only a placement still running gets the notice: answer it once the notice is seen.
      if (m.stage === 'queued') release?.();
    });
    expect(await closed).toBe(1000);
    expect(stages).toEqual(['queued', 'deploying', 'ready', 'ready']);
    release = undefined;
  });

  it('answers a plain GET of the socket path with 426 and how to use it', async () => {
    const res = await fetch(`${url}/matchmaker/ws`);
    expect(res.status).toBe(426);
    expect(await res.json()).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('refuses an upgrade on another path with 404', async () => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/matchmaker/elsewhere`);
    const status = await new Promise<number | undefined>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode));
      ws.on('error', () => resolve(undefined));
    });
    expect(status).toBe(404);
  });

  it('refuses a party opening on a front built without parties, and still places a play request that only mentions one', async () => {
    const refused = await finalError('{"type":"party_create","game":"arena","version":"1.0.0"}');
    expect(refused.code).toBe('BAD_REQUEST');
    expect(refused.message).toMatch(/no parties/);
    const c = await converse(
      url,
      JSON.stringify({ game: 'arena', version: '1.0.0', name: '"type":"party_x"' }),
    );
    expect(last(c).type).toBe('ready');
  });

  it('answers text that is not JSON with BAD_REQUEST', async () => {
    expect(await finalError('not json')).toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
  });

  it('answers wrong field types with BAD_REQUEST naming the field', async () => {
    const error = await finalError('{"game":"arena","version":5}');
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toContain('version');
  });

  it('refuses a game name that could break a subject', async () => {
    const error = await finalError('{"game":"a.>","version":"1"}');
    expect(error.code).toBe('BAD_REQUEST');
  });

  it('refuses a request over 4096 bytes with PAYLOAD_TOO_LARGE and close 1009', async () => {
    const c = await converse(url, JSON.stringify({ game: 'arena', version: 'x'.repeat(5000) }));
    expect(last(c)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(c.closeCode).toBe(1009);
  });

  it('closes a socket whose first message is over 64 KiB without crashing', async () => {
    const c = await converse(url, 'x'.repeat(70_000));
    expect(c.closeCode).toBe(1009);
  });

  it('refuses a binary frame with BAD_REQUEST', async () => {
    expect(await finalError(Buffer.from('{"game":"arena","version":"1"}'))).toMatchObject({
      code: 'BAD_REQUEST',
    });
  });

  it('times out a client that sends nothing with REQUEST_TIMEOUT', async () => {
    expect(await finalError(undefined)).toMatchObject({ code: 'REQUEST_TIMEOUT' });
  });

  it('refuses unknown fields', async () => {
    const error = await finalError('{"game":"arena","version":"1","admin":true}');
    expect(error.code).toBe('BAD_REQUEST');
  });

  it('rejects a disallowed origin with 403 ORIGIN_NOT_ALLOWED and accepts wildcard subdomains', async () => {
    await expect(converse(url, '{}', { origin: 'https://evil.example.net' })).rejects.toMatchObject(
      { status: 403 },
    );
    const ok = await converse(url, '{"game":"arena","version":"1"}', {
      origin: 'https://eu.example.org',
    });
    expect(last(ok).type).toBe('ready');
    const apex = await fetch(`${url}/matchmaker/wannaplay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://example.org' },
      body: '{"game":"arena","version":"1"}',
    });
    expect(apex.status).toBe(403);
    expect(await apex.json()).toMatchObject({ code: 'ORIGIN_NOT_ALLOWED' });
  });

  it('uses the first X-Forwarded-For entry only from a trusted proxy', async () => {
    seenIps.length = 0;
    await converse(url, '{"game":"arena","version":"1"}', {
      'x-forwarded-for': '203.0.113.9, 10.0.0.1',
    });
    expect(seenIps).toEqual(['203.0.113.9']);
  });

  it('caps concurrent placements per IP with TOO_MANY_CONCURRENT', async () => {
    const held = converse(url, '{"game":"arena","version":"hold"}');
    for (let i = 0; i < 200 && !release; i++) await new Promise((r) => setTimeout(r, 5));
    const second = await converse(url, '{"game":"arena","version":"1"}');
    expect(last(second)).toMatchObject({ code: 'TOO_MANY_CONCURRENT' });
    release?.();
    expect(last(await held).type).toBe('ready');
  });

  it('counts an idle socket against the per-IP cap until it is closed', async () => {
    const idle = new WebSocket(`${url.replace('http', 'ws')}/matchmaker/ws`);
    await new Promise((resolve) => idle.once('open', resolve));
    const refused = await converse(url, '{"game":"arena","version":"1"}');
    expect(last(refused)).toMatchObject({ code: 'TOO_MANY_CONCURRENT' });
    const closed = new Promise((resolve) => idle.once('close', resolve));
    idle.close();
    await closed;
    let answer: string | undefined;
    for (let i = 0; i < 100 && answer !== 'ready'; i++) {
      answer = last(await converse(url, '{"game":"arena","version":"1"}')).type;
    }
    expect(answer).toBe('ready');
  });

  it('answers a malformed POST body with 400 BAD_REQUEST and an oversized one with 413', async () => {
    const bad = await fetch(`${url}/matchmaker/wannaplay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"game":',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'BAD_REQUEST' });
    const big = await fetch(`${url}/matchmaker/wannaplay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ game: 'arena', version: 'x'.repeat(10_000) }),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('reports health and Prometheus metrics by outcome', async () => {
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.json()).toEqual({ ok: true, checks: { nats: true } });
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('playgap_matchmaker_requests_total{outcome="ok"}');
    expect(metrics.body).toContain('playgap_matchmaker_requests_total{outcome="BAD_REQUEST"}');
    expect(metrics.body).toContain('playgap_matchmaker_placement_seconds_bucket');
  });
});

describe('kept sockets (?keep=1)', () => {
  const types = (messages: readonly { type: string; stage?: string }[] | undefined) =>
    messages?.map((m) => (m.type === 'progress' ? m.stage : m.type));

  it('answers one play request after another on one socket, each with its own final message', async () => {
    const kept = await openKept(url);
    for (let i = 0; i < 3; i++) {
      expect(types(await kept.request('{"game":"arena","version":"1.0.0"}'))).toEqual([
        'deploying',
        'ready',
        'ready',
      ]);
    }
    expect(kept.socket.readyState).toBe(WebSocket.OPEN);
    kept.socket.close(1000);
    expect(await kept.closed).toBe(1000);
  });

  it('answers a bad request with its code and stays open for the next one', async () => {
    const kept = await openKept(url);
    expect(await kept.request('{"game":')).toMatchObject([{ code: 'BAD_REQUEST' }]);
    expect(await kept.request(Buffer.from('{}'))).toMatchObject([{ code: 'BAD_REQUEST' }]);
    expect(await kept.request('{"game":"arena","version":"1","extra":1}')).toMatchObject([
      { code: 'BAD_REQUEST' },
    ]);
    expect(types(await kept.request('{"game":"arena","version":"1"}'))).toContain('ready');
    kept.socket.close(1000);
    await kept.closed;
  });

  it('closes with 1009 after an oversized request, as a plain socket does', async () => {
    const kept = await openKept(url);
    const answer = await kept.request(JSON.stringify({ game: 'arena', version: 'x'.repeat(5000) }));
    expect(answer).toMatchObject([{ code: 'PAYLOAD_TOO_LARGE' }]);
    expect(await kept.closed).toBe(1009);
  });

  it('holds its IP slot while open between requests, and frees it on close', async () => {
    const kept = await openKept(url);
    expect(types(await kept.request('{"game":"arena","version":"1"}'))).toContain('ready');
    // maxConcurrentPerIp is 1 here: the idle kept socket still holds the slot.
    expect(last(await converse(url, '{"game":"arena","version":"1"}'))).toMatchObject({
      code: 'TOO_MANY_CONCURRENT',
    });
    kept.socket.close(1000);
    await kept.closed;
    let answer: string | undefined;
    for (let i = 0; i < 100 && answer !== 'ready'; i++) {
      answer = last(await converse(url, '{"game":"arena","version":"1"}')).type;
    }
    expect(answer).toBe('ready');
  });

  it('closes normally, without an error, once idle for the first-message timeout after an answer', async () => {
    const kept = await openKept(url);
    expect(types(await kept.request('{"game":"arena","version":"1"}'))).toContain('ready');
    const extra: unknown[] = [];
    kept.socket.on('message', (data) => extra.push(String(data)));
    expect(await kept.closed).toBe(1000);
    expect(extra).toEqual([]);
  });

  it('times out a kept socket that never sends a request with REQUEST_TIMEOUT, and closes it', async () => {
    const kept = await openKept(url);
    const messages: string[] = [];
    kept.socket.on('message', (data) => messages.push(String(data)));
    expect(await kept.closed).toBe(1000);
    expect(messages.map((m) => (JSON.parse(m) as { code?: string }).code)).toEqual([
      'REQUEST_TIMEOUT',
    ]);
  });

  it('takes a cancel only while a request runs; a cancel while idle is a bad request', async () => {
    const kept = await openKept(url);
    expect(await kept.request('{"type":"cancel"}')).toMatchObject([{ code: 'BAD_REQUEST' }]);
    expect(types(await kept.request('{"game":"arena","version":"1"}'))).toContain('ready');
    kept.socket.close(1000);
    await kept.closed;
  });
});

describe('rate limit', () => {
  /** A front that takes two requests per IP a minute. */
  const twoPerMinute = () =>
    buildFrontApp({
      requestPlacement: placement,
      metrics: new MatchmakerMetrics(),
      rateLimitPerWindow: 2,
      rateLimitWindowMs: 60_000,
    });

  it('refuses requests past the per-IP window with RATE_LIMITED', async () => {
    const limited = await twoPerMinute();
    try {
      const post = () =>
        limited.inject({
          method: 'POST',
          url: '/matchmaker/wannaplay',
          payload: { game: 'arena', version: '1' },
        });
      expect((await post()).statusCode).toBe(200);
      expect((await post()).statusCode).toBe(200);
      const third = await post();
      expect(third.statusCode).toBe(429);
      expect(third.json()).toMatchObject({ code: 'RATE_LIMITED' });
    } finally {
      await limited.close();
    }
  });

  it('charges each request of a kept socket to the window, and stays open when refused', async () => {
    const limited = await twoPerMinute();
    try {
      await limited.listen({ host: '127.0.0.1', port: 0 });
      const address = limited.server.address();
      const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      const kept = await openKept(base);
      const play = '{"game":"arena","version":"1"}';
      expect((await kept.request(play))?.at(-1)?.type).toBe('ready');
      expect((await kept.request(play))?.at(-1)?.type).toBe('ready');
      expect(await kept.request(play)).toMatchObject([{ code: 'RATE_LIMITED' }]);
      expect(kept.socket.readyState).toBe(WebSocket.OPEN);
      kept.socket.close(1000);
      await kept.closed;
    } finally {
      await limited.close();
    }
  });
});
