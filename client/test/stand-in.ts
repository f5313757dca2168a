/**
 * A tiny stand-in for the matchmaker front and a WebSocket game server (one `ws` server on a
 * free port), so the SDK's socket handling is tested against real sockets. The real stack is
 * proven in e2e/.
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

export interface StandIn {
  url: string;
  /** Play requests the front received. */
  requests: unknown[];
  /** Front sockets opened (a kept socket, `?keep=1`, takes several requests). */
  frontSockets: number;
  /** Game messages the game server received. */
  received: unknown[];
  close(): Promise<void>;
}

export type FrontScript = 'ok' | 'no-capacity' | 'silent' | 'hang-up' | 'garbage' | 'refuse-token';

export async function startStandIn(script: FrontScript = 'ok'): Promise<StandIn> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const requests: unknown[] = [];
  const received: unknown[] = [];
  let frontSockets = 0;
  server.on('connection', (socket, request) => {
    const [path, query] = (request.url ?? '').split('?');
    if (path === '/matchmaker/ws') {
      frontSockets++;
      const keep = query === 'keep=1';
      socket[keep ? 'on' : 'once']('message', (data) => {
        requests.push(JSON.parse(String(data)));
        if (script === 'silent') return;
        if (script === 'hang-up') return socket.close(1011);
        if (script === 'garbage') return socket.send('{"type":"nonsense"}');
        if (script === 'no-capacity') {
          socket.send(JSON.stringify({ type: 'error', code: 'NO_CAPACITY', message: 'All full.' }));
          return socket.close();
        }
        socket.send(
          JSON.stringify({ type: 'progress', stage: 'queued', elapsedMs: 1, message: 'Queued' }),
        );
        socket.send(
          JSON.stringify({
            type: 'progress',
            stage: 'deploying',
            elapsedMs: 1000,
            message: 'Starting (1 s)',
          }),
        );
        socket.send(
          JSON.stringify({
            type: 'ready',
            token: script === 'refuse-token' ? 'expired' : 'good+token/==',
            serverId: 'srv-1',
            ip: '127.0.0.1',
            port,
            transports: [
              { kind: 'webrtc', url: 'http://127.0.0.1', port },
              { kind: 'websocket', url: `ws://127.0.0.1:${port}/game`, port },
            ],
            certDigest: 'AB',
            clientId: '7',
            expiresAt: Date.now() + 30_000,
          }),
        );
        if (!keep) socket.close();
      });
      return;
    }
    socket.once('message', (data) => {
      const auth = JSON.parse(String(data)) as { token: string };
      if (auth.token === 'expired') {
        socket.close(4001, JSON.stringify({ code: 'TOKEN_EXPIRED', message: 'The token expired' }));
        return;
      }
      socket.send(
        JSON.stringify({
          type: 'welcome',
          clientId: '7',
          serverId: 'srv-1',
          player: { name: 'Ada' },
        }),
      );
      socket.send(JSON.stringify({ type: 'snapshot', tick: 1 }));
      socket.on('message', (message) => {
        const parsed = JSON.parse(String(message)) as { type?: string };
        received.push(parsed);
        if (parsed.type === 'kick')
          socket.close(4003, JSON.stringify({ code: 'SERVER_DRAINING', message: 'Bye' }));
      });
    });
  });
  return {
    url: `ws://127.0.0.1:${port}/matchmaker/ws`,
    requests,
    get frontSockets() {
      return frontSockets;
    },
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}
