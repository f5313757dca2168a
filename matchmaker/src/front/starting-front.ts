/**
 * What the front's address answers while the matchmaker is still starting (waiting for NATS,
 * opening its buckets): `/healthz` says 503 `{"ok": false, "starting": true, ...}` and every
 * other request, WebSocket upgrades included, gets 503 MATCHMAKER_UNAVAILABLE, so probes and
 * players get an answer instead of a refused connection. The real front takes the port over.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ErrorCode } from '@playgap/protocol';

/** A listening stand-in front; `port` is the one it got (the configured one, or a free one). */
export interface StartingFront {
  readonly port: number;
  close(): Promise<void>;
}

const HEALTH = JSON.stringify({ ok: false, starting: true, checks: { nats: false } });
const UNAVAILABLE = JSON.stringify({
  type: 'error',
  code: ErrorCode.MATCHMAKER_UNAVAILABLE,
  message: 'The matchmaker is starting (waiting for NATS); try again in a few seconds.',
});
const RETRY_AFTER_SECONDS = '2';

function answer(request: IncomingMessage, response: ServerResponse): void {
  const health = request.url === '/healthz' || request.url?.startsWith('/healthz?');
  response.writeHead(503, {
    'content-type': 'application/json; charset=utf-8',
    'retry-after': RETRY_AFTER_SECONDS,
    'cache-control': 'no-store',
    connection: 'close',
  });
  response.end(health ? HEALTH : UNAVAILABLE);
}

function refuseUpgrade(_request: IncomingMessage, socket: Duplex): void {
  socket.on('error', () => {});
  socket.end(
    `HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json; charset=utf-8\r\nretry-after: ${RETRY_AFTER_SECONDS}\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(UNAVAILABLE)}\r\n\r\n${UNAVAILABLE}`,
  );
}

/**
 * Listen on `host:port` (0 = any free port) with the stand-in answers until `close()`.
 *
 * @example
 * const starting = await listenWhileStarting('0.0.0.0', 8080);
 * // ... connect to NATS, build the front ...
 * await starting.close();
 * await front.listen({ host: '0.0.0.0', port: starting.port });
 */
export async function listenWhileStarting(host: string, port: number): Promise<StartingFront> {
  const server = createServer({ requestTimeout: 5_000 }, answer);
  server.on('upgrade', refuseUpgrade);
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  let closing: Promise<void> | undefined;
  return {
    port: bound,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
