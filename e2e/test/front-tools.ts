/**
 * Node-side helpers for the token tests: ask the real matchmaker front for a reply (as a
 * browser would), use a token once over WebSocket, and serve a stored reply from a stand-in
 * front so a page can be handed an already used or expired token.
 */
import type { AddressInfo } from 'node:net';
import type { PlayReply } from '@playgap/protocol';
import { WebSocket, WebSocketServer } from 'ws';

/** Get a real PlayReply from the front at `httpUrl`. */
export function requestReply(
  httpUrl: string,
  request: Record<string, unknown>,
  timeoutMs = 60_000,
): Promise<PlayReply> {
  const wsUrl = `${httpUrl.replace(/^http/, 'ws').replace(/\/$/, '')}/matchmaker/ws`;
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl);
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error('no reply from the matchmaker'));
    }, timeoutMs);
    socket.on('open', () => socket.send(JSON.stringify(request)));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string };
      if (message.type === 'ready') {
        clearTimeout(timer);
        socket.close();
        resolve(message as PlayReply);
      } else if (message.type === 'error') {
        clearTimeout(timer);
        socket.close();
        reject(new Error(`matchmaker error ${JSON.stringify(message)}`));
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Present the reply's token over WebSocket, wait for the welcome, then leave. */
export async function useTokenOnce(reply: PlayReply): Promise<void> {
  const leave = await joinAndStay(reply);
  await leave();
}

/** Present the reply's token over WebSocket and stay connected until the returned leave(). */
export function joinAndStay(reply: PlayReply): Promise<() => Promise<void>> {
  const endpoint = reply.transports.find((t) => t.kind === 'websocket');
  if (!endpoint) throw new Error('the reply offers no websocket endpoint');
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(endpoint.url);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'auth', token: reply.token })));
    socket.once('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string };
      if (message.type !== 'welcome') return reject(new Error(`not welcomed: ${String(data)}`));
      resolve(
        () =>
          new Promise<void>((done) => {
            socket.once('close', () => done());
            socket.close(1000);
          }),
      );
    });
    socket.on('close', (code, reason) => {
      if (code !== 1000) reject(new Error(`closed ${code} ${String(reason)}`));
    });
    socket.on('error', reject);
  });
}

/** A front that answers every play request with `reply`. */
export async function standInFront(
  reply: PlayReply,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  server.on('connection', (socket) => {
    socket.once('message', () => {
      socket.send(JSON.stringify(reply));
      socket.close();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/matchmaker/ws`,
    close: () =>
      new Promise((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}
