// MatchmakerSocket against the real matchmaker front with its placement stubbed (several
// placements over one kept socket, the front's idle close, cancel, close, bad answers), then
// against a real all-in-one matchmaker on a real nats-server (a seat of its own each time).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { buildFrontApp, MatchmakerMetrics } from '../../matchmaker/src/index.js';
import {
  APP,
  type QueueStack,
  serverRecord,
  startQueueStack,
  VERSION,
} from '../../matchmaker/test/fake-fleet.js';
import { READY } from '../../matchmaker/test/ws-client.js';
import { MatchmakerSocket } from '../src/index.js';

const WebSocketImpl = WebSocket as unknown as typeof globalThis.WebSocket;

let front: FastifyInstance;
let url: string;
/** Sockets the front opened (upgrades seen). */
let upgrades = 0;
let held: (() => void) | undefined;
let cancelled = 0;

beforeAll(async () => {
  front = await buildFrontApp({
    requestPlacement: async (request, onProgress, signal) => {
      if (request.version === 'hold') {
        await new Promise<void>((resolve) => {
          held = resolve;
          signal?.addEventListener('abort', () => {
            cancelled++;
            resolve();
          });
        });
      }
      if (request.version === 'full') {
        return { type: 'error', code: 'NO_CAPACITY', message: 'Every server is full.' };
      }
      onProgress({ type: 'progress', stage: 'deploying', elapsedMs: 1, message: 'Starting' });
      return { ...READY, serverId: `for-${request.name ?? 'anyone'}` };
    },
    metrics: new MatchmakerMetrics(),
    firstMessageTimeoutMs: 1_000,
    rateLimitPerWindow: 1_000,
  });
  front.server.on('upgrade', () => upgrades++);
  await front.listen({ host: '127.0.0.1', port: 0 });
  url = `ws://127.0.0.1:${(front.server.address() as AddressInfo).port}/matchmaker/ws`;
});

afterAll(async () => {
  await front?.close();
});

describe('MatchmakerSocket', () => {
  it('places one player after another over one socket', async () => {
    const before = upgrades;
    const socket = new MatchmakerSocket({ url, WebSocketImpl });
    const stages: string[] = [];
    for (const name of ['Ada', 'Bo', 'Cy']) {
      const reply = await socket.place(
        { game: 'arena', version: '1', name },
        { onProgress: (p) => stages.push(p.stage) },
      );
      expect(reply.serverId).toBe(`for-${name}`);
    }
    expect(upgrades - before).toBe(1);
    expect(stages.filter((s) => s === 'ready')).toHaveLength(3);
    socket.close();
  });

  it("rejects with the front's code and keeps the socket for the next placement", async () => {
    const before = upgrades;
    const socket = new MatchmakerSocket({ url, WebSocketImpl });
    await expect(socket.place({ game: 'arena', version: 'full' })).rejects.toMatchObject({
      code: 'NO_CAPACITY',
    });
    await expect(socket.place({ game: 'arena', version: '1' })).resolves.toMatchObject({
      type: 'ready',
    });
    expect(upgrades - before).toBe(1);
    socket.close();
  });

  it('opens a new socket after the front closed the old one for idling', async () => {
    const before = upgrades;
    const socket = new MatchmakerSocket({ url, WebSocketImpl });
    await socket.place({ game: 'arena', version: '1' });
    // Past the front's idle close (1 s here).
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await expect(socket.place({ game: 'arena', version: '1' })).resolves.toMatchObject({
      type: 'ready',
    });
    expect(upgrades - before).toBe(2);
    socket.close();
  });

  it('places again on a new socket when the front closes the kept one just as a request leaves', async () => {
    // A front that answers the first request of each socket and closes normally (as its idle
    // close would) on the second, unanswered.
    const crossing = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    let sockets = 0;
    crossing.on('connection', (ws) => {
      sockets++;
      let seen = 0;
      ws.on('message', () => {
        if (seen++ === 0) ws.send(JSON.stringify({ ...READY, serverId: `socket-${sockets}` }));
        else ws.close(1000);
      });
    });
    await new Promise((resolve) => crossing.once('listening', resolve));
    const socket = new MatchmakerSocket({
      url: `ws://127.0.0.1:${(crossing.address() as AddressInfo).port}/matchmaker/ws`,
      WebSocketImpl,
    });
    try {
      expect((await socket.place({ game: 'arena', version: '1' })).serverId).toBe('socket-1');
      expect((await socket.place({ game: 'arena', version: '1' })).serverId).toBe('socket-2');
      expect(sockets).toBe(2);
    } finally {
      socket.close();
      await new Promise((resolve) => crossing.close(resolve));
    }
  });

  it('gives up with MATCHMAKER_UNREACHABLE when a fresh socket closes without an answer', async () => {
    const rude = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    rude.on('connection', (ws) => ws.on('message', () => ws.close(1000)));
    await new Promise((resolve) => rude.once('listening', resolve));
    const socket = new MatchmakerSocket({
      url: `ws://127.0.0.1:${(rude.address() as AddressInfo).port}/matchmaker/ws`,
      WebSocketImpl,
    });
    try {
      await expect(socket.place({ game: 'arena', version: '1' })).rejects.toMatchObject({
        code: 'MATCHMAKER_UNREACHABLE',
      });
    } finally {
      socket.close();
      await new Promise((resolve) => rude.close(resolve));
    }
  });

  it('refuses a second placement made while the first one’s socket is still opening', async () => {
    const socket = new MatchmakerSocket({ url, WebSocketImpl });
    const first = socket.place({ game: 'arena', version: '1' });
    await expect(socket.place({ game: 'arena', version: '1' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await expect(first).resolves.toMatchObject({ type: 'ready' });
    socket.close();
  });

  it('refuses a second placement while one runs, and cancels on abort (the front cancels too)', async () => {
    const socket = new MatchmakerSocket({ url, WebSocketImpl });
    const abort = new AbortController();
    held = undefined;
    const first = socket.place({ game: 'arena', version: 'hold' }, { signal: abort.signal });
    for (let i = 0; i < 400 && !held; i++) await new Promise((r) => setTimeout(r, 5));
    await expect(socket.place({ game: 'arena', version: '1' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    const cancelledBefore = cancelled;
    abort.abort();
    await expect(first).rejects.toMatchObject({ code: 'CANCELLED' });
    for (let i = 0; i < 400 && cancelled === cancelledBefore; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(cancelled).toBe(cancelledBefore + 1);
    // The socket reopens for the next placement.
    await expect(socket.place({ game: 'arena', version: '1' })).resolves.toMatchObject({
      type: 'ready',
    });
    socket.close();
  });

  it('ends a running placement with CANCELLED on close, and opens a new socket for the next', async () => {
    const socket = new MatchmakerSocket({ url, WebSocketImpl });
    held = undefined;
    const running = socket.place({ game: 'arena', version: 'hold' });
    for (let i = 0; i < 400 && !held; i++) await new Promise((r) => setTimeout(r, 5));
    socket.close();
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    const before = upgrades;
    await expect(socket.place({ game: 'arena', version: '1' })).resolves.toMatchObject({
      type: 'ready',
    });
    expect(upgrades - before).toBe(1);
    socket.close();
  });

  it('ends a placement whose socket is still opening with CANCELLED on close', async () => {
    // A server that accepts TCP but never answers the upgrade: the socket stays opening.
    const silent = createServer();
    silent.on('connection', () => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const socket = new MatchmakerSocket({
      url: `ws://127.0.0.1:${(silent.address() as AddressInfo).port}/matchmaker/ws`,
      WebSocketImpl,
    });
    const opening = socket.place({ game: 'arena', version: '1' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.close();
    await expect(opening).rejects.toMatchObject({ code: 'CANCELLED' });
    silent.closeAllConnections?.();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('times out a placement with CONNECT_TIMEOUT', async () => {
    const socket = new MatchmakerSocket({ url, WebSocketImpl });
    held = undefined;
    await expect(
      socket.place({ game: 'arena', version: 'hold' }, { replyTimeoutMs: 200 }),
    ).rejects.toMatchObject({ code: 'CONNECT_TIMEOUT' });
    held?.();
    socket.close();
  });

  it('reports MATCHMAKER_UNREACHABLE for nothing listening, a bad URL, and a front that talks nonsense', async () => {
    const nowhere = new MatchmakerSocket({
      url: 'ws://127.0.0.1:1/matchmaker/ws',
      WebSocketImpl,
    });
    await expect(nowhere.place({ game: 'arena', version: '1' })).rejects.toMatchObject({
      code: 'MATCHMAKER_UNREACHABLE',
    });
    const invalid = new MatchmakerSocket({ url: 'not a url', WebSocketImpl });
    await expect(invalid.place({ game: 'arena', version: '1' })).rejects.toMatchObject({
      code: 'MATCHMAKER_UNREACHABLE',
    });
    const liar = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    liar.on('connection', (ws) => ws.on('message', () => ws.send('{"type":"ready","token":1}')));
    await new Promise((resolve) => liar.once('listening', resolve));
    const confused = new MatchmakerSocket({
      url: `ws://127.0.0.1:${(liar.address() as AddressInfo).port}/`,
      WebSocketImpl,
    });
    await expect(confused.place({ game: 'arena', version: '1' })).rejects.toMatchObject({
      code: 'MATCHMAKER_UNREACHABLE',
    });
    confused.close();
    await new Promise((resolve) => liar.close(resolve));
  });
});

describe('MatchmakerSocket against a real matchmaker (all-in-one, real nats-server)', () => {
  let stack: QueueStack;

  beforeAll(async () => {
    stack = await startQueueStack({ solo: { minPlayers: 1, maxPlayers: 1 } }, [
      serverRecord('kept-srv', { capacity: 4 }),
    ]);
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('reserves a seat of its own for each placement over one socket, queued mode included', async () => {
    const socket = new MatchmakerSocket({
      url: stack.wsUrl,
      WebSocketImpl,
    });
    const replies = [];
    for (const name of ['Ada', 'Bo', 'Cy']) {
      replies.push(await socket.place({ game: APP, version: VERSION, name }));
    }
    replies.push(await socket.place({ game: APP, version: VERSION, mode: 'solo', name: 'Di' }));
    socket.close();
    expect(replies.map((r) => r.serverId)).toEqual([
      'kept-srv',
      'kept-srv',
      'kept-srv',
      'kept-srv',
    ]);
    expect(new Set(replies.map((r) => r.clientId)).size).toBe(4);
    const seats: string[] = [];
    for await (const key of await stack.nats.kv.seats.keys('kept-srv.*')) seats.push(key);
    expect(seats.sort()).toEqual(['kept-srv.0', 'kept-srv.1', 'kept-srv.2', 'kept-srv.3']);
    // The server is full now: the next placement's answer is the front's code, not a hang.
    const again = new MatchmakerSocket({
      url: stack.wsUrl,
      WebSocketImpl,
    });
    await expect(
      again.place({ game: APP, version: VERSION }, { replyTimeoutMs: 60_000 }),
    ).rejects.toMatchObject({ code: 'NO_CAPACITY' });
    again.close();
  });
});
