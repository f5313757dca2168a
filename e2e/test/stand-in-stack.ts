/**
 * A stand-in stack for the connect button's browser tests: one 127.0.0.1 HTTP server that
 * serves the built client-template (404 for anything else, every request recorded), a
 * matchmaker front at `/matchmaker/ws` that a test scripts, and a WebSocket game server at
 * `/game` that welcomes a token or refuses it with the close code the test names. No NATS, no
 * sidecar: these tests are about what the page shows.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import type { PlayReply } from '@playgap/protocol';
import { type WebSocket, WebSocketServer } from 'ws';
import { ROOT } from './harness.js';

const DIST = join(ROOT, 'client-template/dist');
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** What the front does with one play request (the parsed first message). */
export type FrontScript = (socket: WebSocket, request: { name?: string }, index: number) => void;

/** How the stand-in game server answers a token: welcome, or close with this code and reason. */
export type GameAnswer = 'welcome' | { close: number; code: string; message: string };

export interface StandInStack {
  url: string;
  /** Every HTTP request: path and status. */
  requests: { path: string; status: number }[];
  /** Play requests the front got, in order. */
  playRequests: { name?: string }[];
  /** Messages the game server got after the auth (the game's inputs). */
  gameMessages: unknown[];
  /** Set per test: what the front does. Default: reply at once with {@link replyFor}. */
  front: FrontScript;
  /** Set per test: the game server's answer to the n-th token (0-based). Default welcome. */
  game: (index: number) => GameAnswer;
  /** A reply sending the page to this stack's game server with token `n`. */
  replyFor(index: number): PlayReply;
  close(): Promise<void>;
}

/**
 * Start the stand-in stack on a free port.
 *
 * @example
 * const stack = await startStandInStack();
 * stack.game = (n) => (n === 0 ? { close: 4003, code: 'SERVER_DRAINING', message: 'stopping' } : 'welcome');
 */
export async function startStandInStack(): Promise<StandInStack> {
  const requests: StandInStack['requests'] = [];
  const http: Server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = normalize(join(DIST, path === '/' ? 'index.html' : path));
    let body: Buffer | undefined;
    if (file.startsWith(DIST)) body = await readFile(file).catch(() => undefined);
    const status = body ? 200 : 404;
    requests.push({ path, status });
    res.writeHead(status, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(body ?? 'not found');
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const frontServer = new WebSocketServer({ noServer: true });
  const gameServer = new WebSocketServer({ noServer: true });
  http.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const target = path === '/matchmaker/ws' ? frontServer : path === '/game' ? gameServer : null;
    if (!target) return socket.destroy();
    target.handleUpgrade(req, socket, head, (ws) => target.emit('connection', ws));
  });

  const stack: StandInStack = {
    url: `http://127.0.0.1:${port}/`,
    requests,
    playRequests: [],
    gameMessages: [],
    front: (socket, _request, index) => socket.send(JSON.stringify(stack.replyFor(index))),
    game: () => 'welcome',
    replyFor: (index) => ({
      type: 'ready',
      token: `stand-in-${index}`,
      serverId: `server-${index}`,
      ip: '127.0.0.1',
      port,
      transports: [{ kind: 'websocket', url: `ws://127.0.0.1:${port}/game`, port }],
      certDigest: '',
      clientId: String(100 + index),
      expiresAt: Date.now() + 30_000,
    }),
    async close() {
      for (const ws of [...frontServer.clients, ...gameServer.clients]) ws.terminate();
      frontServer.close();
      gameServer.close();
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  };

  frontServer.on('connection', (socket) => {
    socket.once('message', (data) => {
      const request = JSON.parse(String(data)) as { name?: string };
      stack.playRequests.push(request);
      stack.front(socket, request, stack.playRequests.length - 1);
    });
  });
  gameServer.on('connection', (socket) => {
    socket.once('message', (data) => {
      const { token } = JSON.parse(String(data)) as { token: string };
      const index = Number(token.replace('stand-in-', ''));
      const answer = stack.game(index);
      if (answer !== 'welcome') {
        socket.close(answer.close, JSON.stringify({ code: answer.code, message: answer.message }));
        return;
      }
      const clientId = String(100 + index);
      // The name the matchmaker would have put in the token (the page's play request).
      const name = stack.playRequests[index]?.name ?? '';
      socket.send(
        JSON.stringify({
          type: 'welcome',
          clientId,
          serverId: `server-${index}`,
          player: { name },
        }),
      );
      socket.send(JSON.stringify({ type: 'roster', ships: [[1, clientId, name]] }));
      const tick = setInterval(
        () => socket.send(JSON.stringify({ type: 'snapshot', tick: 0, ships: [1, 400, 300, 0] })),
        50,
      );
      socket.on('close', () => clearInterval(tick));
      socket.on('message', (message) => stack.gameMessages.push(JSON.parse(String(message))));
    });
  });
  return stack;
}
