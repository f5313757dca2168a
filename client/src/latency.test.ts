// measureLatencies against real HTTP ping endpoints on 127.0.0.1 (a slow one, a fast one, one
// that never answers, a closed port, a raw TCP port), and play() sending what it measured.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import type { PlayReply, Region } from '@playgap/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelBase } from './channel.js';
import { measureLatencies, regionsUrlFor } from './latency.js';
import { type PlayProgress, play } from './play.js';
import type { Transport } from './transports/transport.js';

const SLOW_MS = 120;
let http: Server;
let tcp: TcpServer;
let base = '';
let tcpPort = 0;
let closedPort = 0;
const hits: Record<string, number> = {};
const held: Array<{ path: string; answer: () => void }> = [];

function listen(server: Server | TcpServer): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

beforeAll(async () => {
  http = createHttpServer((req, res) => {
    const path = req.url ?? '/';
    hits[path] = (hits[path] ?? 0) + 1;
    const cors = { 'access-control-allow-origin': '*', 'content-type': 'application/json' };
    if (path === '/fast') return res.writeHead(200, cors).end('{}');
    if (path === '/slow') {
      setTimeout(() => res.writeHead(200, cors).end('{}'), SLOW_MS);
      return;
    }
    if (path === '/silent') return; // never answers
    if (path.startsWith('/hold-')) {
      // Answers only once both /hold-a and /hold-b wait: pings of two regions in parallel.
      held.push({ path, answer: () => res.writeHead(200, cors).end('{}') });
      if (new Set(held.map((h) => h.path)).size === 2) for (const h of held.splice(0)) h.answer();
      return;
    }
    if (path === '/broken') return res.writeHead(500, cors).end('{}');
    if (path === '/matchmaker/regions') {
      return res.writeHead(200, cors).end(JSON.stringify({ regions: regions() }));
    }
    res.writeHead(404, cors).end('{}');
  });
  const port = await listen(http);
  base = `http://127.0.0.1:${port}`;
  // A TCP ping port that is not HTTP: it echoes what it gets, as a TCP ping beacon might.
  tcp = createTcpServer((socket) => socket.pipe(socket));
  tcpPort = await listen(tcp);
  const closed = createTcpServer();
  closedPort = await listen(closed);
  await new Promise((resolve) => closed.close(resolve));
});

afterAll(async () => {
  http?.closeAllConnections();
  await new Promise((resolve) => http?.close(resolve));
  await new Promise((resolve) => tcp?.close(resolve));
});

const region = (id: string, path: string): Region => ({
  id,
  pingUrl: `${base}${path}`,
  ping: 'http',
});
function regions(): Region[] {
  return [region('fast', '/fast'), region('slow', '/slow')];
}

describe('measureLatencies', () => {
  it('keeps the median of the rounds after a warm-up ping', async () => {
    const before = hits['/fast'] ?? 0;
    const { latencies, failed } = await measureLatencies({ regions: regions(), rounds: 3 });
    expect(failed).toEqual({});
    expect(Object.keys(latencies).sort()).toEqual(['fast', 'slow']);
    expect(latencies.slow).toBeGreaterThanOrEqual(SLOW_MS - 5);
    expect(latencies.fast as number).toBeLessThan(latencies.slow as number);
    expect((hits['/fast'] ?? 0) - before).toBe(4);
  });

  it('pings the regions in parallel', async () => {
    const { latencies, failed } = await measureLatencies({
      regions: [region('a', '/hold-a'), region('b', '/hold-b')],
      rounds: 2,
      pingTimeoutMs: 10_000,
    });
    expect(failed).toEqual({});
    expect(Object.keys(latencies).sort()).toEqual(['a', 'b']);
  });

  it('leaves out regions that time out, refuse or fail, and measures the rest', async () => {
    const { latencies, failed } = await measureLatencies({
      regions: [
        region('fast', '/fast'),
        region('silent', '/silent'),
        region('broken', '/broken'),
        { id: 'closed', pingUrl: `http://127.0.0.1:${closedPort}/ping`, ping: 'http' },
      ],
      rounds: 1,
      pingTimeoutMs: 300,
    });
    expect(Object.keys(latencies)).toEqual(['fast']);
    expect(Object.keys(failed).sort()).toEqual(['broken', 'closed', 'silent']);
    expect(failed.silent).toMatch(/300 ms|abort/i);
    expect(failed.broken).toBe('HTTP 500');
  });

  it('estimates a TCP ping port that does not speak HTTP from the failed fetch', async () => {
    const { latencies, failed } = await measureLatencies({
      regions: [{ id: 'beacon', pingUrl: `http://127.0.0.1:${tcpPort}/`, ping: 'tcp' }],
      rounds: 2,
      pingTimeoutMs: 2_000,
    });
    expect(failed).toEqual({});
    expect(latencies.beacon).toBeGreaterThanOrEqual(0);
    expect(latencies.beacon).toBeLessThan(2_000);
  });

  it('skips http ping URLs from an https page (mixed content) instead of timing a refusal', async () => {
    const { latencies, failed } = await measureLatencies({
      regions: [region('fast', '/fast')],
      pageProtocol: 'https:',
    });
    expect(latencies).toEqual({});
    expect(failed.fast).toMatch(/mixed content/);
  });

  it('fetches the region list from the matchmaker URL', async () => {
    const { regions: measured, latencies } = await measureLatencies({
      matchmakerUrl: `${base.replace('http', 'ws')}/matchmaker/ws`,
      rounds: 1,
    });
    expect(measured.map((r) => r.id)).toEqual(['fast', 'slow']);
    expect(Object.keys(latencies).sort()).toEqual(['fast', 'slow']);
  });

  it('rejects with CANCELLED when the caller aborts', async () => {
    const controller = new AbortController();
    const run = measureLatencies({
      regions: [region('silent', '/silent')],
      signal: controller.signal,
    });
    controller.abort();
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('derives the region list URL from ws, wss, http and https matchmaker URLs', () => {
    expect(regionsUrlFor('ws://127.0.0.1:8080/matchmaker/ws')).toBe(
      'http://127.0.0.1:8080/matchmaker/regions',
    );
    expect(regionsUrlFor('wss://mm.example.com/matchmaker/ws?x=1')).toBe(
      'https://mm.example.com/matchmaker/regions',
    );
    expect(regionsUrlFor('https://mm.example.com')).toBe(
      'https://mm.example.com/matchmaker/regions',
    );
    expect(regionsUrlFor(undefined, { protocol: 'https:', host: 'game.example' })).toBe(
      'https://game.example/matchmaker/regions',
    );
    expect(() => regionsUrlFor(undefined, undefined)).toThrow(/matchmakerUrl is required/);
  });
});

describe('play({ measureLatency })', () => {
  /** A front WebSocket that records the request and answers with a reply. */
  function standInFront() {
    const requests: Array<Record<string, unknown>> = [];
    class FrontSocket {
      readyState = 0;
      onopen: (() => void) | null = null;
      onmessage: ((event: { data: string }) => void) | null = null;
      onclose: (() => void) | null = null;
      onerror: (() => void) | null = null;
      constructor() {
        queueMicrotask(() => {
          this.readyState = 1;
          this.onopen?.();
        });
      }
      send(text: string) {
        requests.push(JSON.parse(text));
        const reply: PlayReply = {
          type: 'ready',
          token: 't',
          serverId: 's1',
          ip: '127.0.0.1',
          port: 1,
          transports: [{ kind: 'websocket', url: 'ws://127.0.0.1:1/', port: 1 }],
          certDigest: '',
          clientId: '1',
          expiresAt: Date.now() + 30_000,
        };
        queueMicrotask(() => this.onmessage?.({ data: JSON.stringify(reply) }));
      }
      close() {
        this.readyState = 3;
      }
    }
    return { requests, WebSocketImpl: FrontSocket as unknown as typeof WebSocket };
  }
  class StandInChannel extends ChannelBase {
    readonly transport = 'websocket' as const;
    protected transmit(): void {}
    protected hangUp(): void {}
  }
  const transport: Transport = {
    kind: 'websocket',
    supported: () => true,
    connect: async ({ reply }) => {
      const channel = new StandInChannel();
      channel.welcome = { type: 'welcome', clientId: '1', serverId: reply.serverId, player: {} };
      return channel;
    },
  };

  it('reports measuring_latency first and sends the measured latencies with the request', async () => {
    const front = standInFront();
    const progress: PlayProgress[] = [];
    await play({
      game: 'arena',
      version: '1.0.0',
      matchmakerUrl: `${base.replace('http', 'ws')}/matchmaker/ws`,
      measureLatency: { rounds: 1 },
      implementations: [transport],
      transports: ['websocket'],
      WebSocketImpl: front.WebSocketImpl,
      onProgress: (p) => progress.push(p),
    });
    expect(progress.map((p) => p.stage)).toEqual([
      'measuring_latency',
      'matchmaking',
      'connecting',
      'connected',
    ]);
    const latencies = front.requests[0]?.latencies as Record<string, number>;
    expect(Object.keys(latencies).sort()).toEqual(['fast', 'slow']);
  });

  it('plays without latencies when the region list cannot be fetched', async () => {
    const front = standInFront();
    await play({
      game: 'arena',
      version: '1.0.0',
      matchmakerUrl: `ws://127.0.0.1:${closedPort}/matchmaker/ws`,
      measureLatency: true,
      implementations: [transport],
      transports: ['websocket'],
      WebSocketImpl: front.WebSocketImpl,
    });
    expect(front.requests[0]).not.toHaveProperty('latencies');
  });
});
