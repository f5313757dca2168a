/**
 * WebSocket transport (`ws`) on the game's HTTP server: the first frame must be
 * `{"type":"auth","token"}` within the auth timeout, then every text frame is one JSON game
 * message. Refusals close with a CloseCode and a JSON `{code, message}` reason.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { AUTH_TIMEOUT_MS, CloseCode, ErrorCode, TransportKind } from '@playgap/protocol';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { toWireError } from '../errors.js';
import type { LinkHandle } from '../player.js';
import { MAX_MESSAGE_BYTES, type TransportContext, welcomeFor } from './context.js';

export interface WebSocketTransportOptions {
  path: string;
  authTimeoutMs?: number;
  maxMessageBytes?: number;
}

/** WebSocket close reasons are limited to 123 bytes. */
function closeReason(reason: { code: string; message: string }): string {
  const json = JSON.stringify(reason);
  if (Buffer.byteLength(json) <= 123) return json;
  return JSON.stringify({ code: reason.code, message: '' });
}

/**
 * Attach the WebSocket transport to `server` at `options.path`.
 *
 * @example
 * const ws = attachWebSocketTransport(httpServer, context, { path: '/ws' });
 * await ws.close();
 */
export function attachWebSocketTransport(
  server: Server,
  context: TransportContext,
  options: WebSocketTransportOptions,
): {
  close(): Promise<void>;
  closeAll(code: CloseCode, reason: { code: string; message: string }): void;
} {
  const authTimeoutMs = options.authTimeoutMs ?? AUTH_TIMEOUT_MS;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes ?? MAX_MESSAGE_BYTES,
  });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== options.path) return; // another upgrade handler may want it
    wss.handleUpgrade(req, socket, head, (ws) => handle(ws));
  };
  server.on('upgrade', onUpgrade);

  function handle(ws: WebSocket): void {
    ws.on('error', () => {});
    let player: LinkHandle | undefined;
    let authenticating = false;
    const timer = setTimeout(() => {
      if (!player)
        ws.close(
          CloseCode.AUTH_TIMEOUT,
          closeReason({ code: ErrorCode.REQUEST_TIMEOUT, message: 'No auth message in time.' }),
        );
    }, authTimeoutMs);
    ws.on('close', (code: number) => {
      clearTimeout(timer);
      // 1000 from the client: it closed on purpose (the game's close()), not a drop.
      player?.closed('closed', code === CloseCode.NORMAL);
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (player) {
        const message = parseJsonFrame(data, isBinary);
        if (message === undefined) {
          ws.close(
            CloseCode.BAD_MESSAGE,
            closeReason({ code: ErrorCode.BAD_REQUEST, message: 'Frames must be JSON text.' }),
          );
          return;
        }
        player.receive(message);
        return;
      }
      if (authenticating) return; // a second frame before the answer: ignore
      const auth = parseJsonFrame(data, isBinary) as
        | { type?: unknown; token?: unknown }
        | undefined;
      if (auth?.type !== 'auth' || typeof auth.token !== 'string') {
        ws.close(
          CloseCode.BAD_MESSAGE,
          closeReason({
            code: ErrorCode.BAD_REQUEST,
            message: 'The first frame must be {"type":"auth","token"}.',
          }),
        );
        return;
      }
      authenticating = true;
      context.admit(auth.token).then(
        (admitted) => {
          clearTimeout(timer);
          if (ws.readyState !== ws.OPEN) {
            context.release(admitted.clientId);
            return;
          }
          ws.send(JSON.stringify(welcomeFor(admitted, context.serverId)));
          player = context.join(admitted, {
            transport: TransportKind.WEBSOCKET,
            send: (message) => {
              if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
            },
            sendJson: (json) => {
              if (ws.readyState === ws.OPEN) ws.send(json);
            },
            close: (code, reason) => ws.close(code, reason ? closeReason(reason) : undefined),
          });
        },
        (err: unknown) => {
          clearTimeout(timer);
          const wire = toWireError(err);
          const code =
            wire.code === ErrorCode.SERVER_DRAINING
              ? CloseCode.SERVER_STOPPING
              : CloseCode.TOKEN_REFUSED;
          ws.close(code, closeReason(wire));
        },
      );
    });
  }

  return {
    closeAll(code, reason) {
      for (const ws of wss.clients) ws.close(code, closeReason(reason));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.off('upgrade', onUpgrade);
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      }),
  };
}

function parseJsonFrame(data: RawData, isBinary: boolean): unknown {
  if (isBinary) return undefined;
  const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString();
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
