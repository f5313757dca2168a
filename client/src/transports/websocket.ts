/**
 * WebSocket transport: the token is the first text frame; the server answers with the welcome
 * or closes with TOKEN_REFUSED and a JSON reason. Every later frame is one JSON message.
 */
import { CloseCode, ErrorCode, TransportKind, type WelcomeMessage } from '@playgap/protocol';
import { ChannelBase } from '../channel.js';
import { PlaygapClientError } from '../errors.js';
import { asWelcome, parseRefusal, tokenRefused } from '../welcome.js';
import type { Transport, TransportAttempt } from './transport.js';

/** The refusal a 4003 close without a reason stands for. */
const STOPPING_REASON = JSON.stringify({
  code: ErrorCode.SERVER_DRAINING,
  message: 'The server is stopping',
});

class WebSocketChannel extends ChannelBase {
  readonly transport = TransportKind.WEBSOCKET;
  constructor(
    private readonly socket: WebSocket,
    welcome: WelcomeMessage,
  ) {
    super();
    this.welcome = welcome;
    socket.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      try {
        this.receive(JSON.parse(event.data));
      } catch {
        // A frame that is not JSON is not a game message; ignore it.
      }
    };
    socket.onclose = (event) => {
      const refusal = parseRefusal(event.reason);
      const code =
        event.code === CloseCode.SERVER_STOPPING
          ? ErrorCode.SERVER_DRAINING
          : (refusal.code ?? ErrorCode.DISCONNECTED);
      // 4000-4999: the server closed on purpose (kicked, stopping); 1000: a normal close.
      const onPurpose =
        event.code === CloseCode.NORMAL || (event.code >= 4000 && event.code < 5000);
      this.closed({
        code,
        reason: refusal.message ?? `The game server connection closed (${event.code}).`,
        resumable: !onPurpose,
      });
    };
  }
  protected transmit(text: string): void {
    if (this.socket.readyState === 1) this.socket.send(text);
  }
  protected hangUp(): void {
    this.socket.close(CloseCode.NORMAL);
  }
}

/**
 * The WebSocket transport (works everywhere).
 *
 * @example
 * const channel = await websocketTransport().connect({ endpoint, reply, signal });
 */
export function websocketTransport(
  WebSocketImpl: typeof WebSocket = globalThis.WebSocket,
): Transport {
  return {
    kind: TransportKind.WEBSOCKET,
    supported: () => typeof WebSocketImpl === 'function',
    connect: ({ endpoint, reply, signal }: TransportAttempt) =>
      new Promise((resolve, reject) => {
        const socket = new WebSocketImpl(endpoint.url);
        let settled = false;
        socket.onerror = () => undefined;
        const fail = (error: PlaygapClientError) => {
          if (settled) return;
          settled = true;
          socket.onopen = socket.onmessage = socket.onclose = null;
          socket.close();
          reject(error);
        };
        signal.addEventListener('abort', () => fail(signal.reason), { once: true });
        socket.onopen = () => socket.send(JSON.stringify({ type: 'auth', token: reply.token }));
        socket.onmessage = (event) => {
          const welcome = asWelcome(event.data);
          if (!welcome) {
            fail(
              new PlaygapClientError(
                ErrorCode.TRANSPORT_FAILED,
                'The game server did not answer the token with a welcome.',
                { transport: 'websocket' },
              ),
            );
            return;
          }
          settled = true;
          resolve(new WebSocketChannel(socket, welcome));
        };
        socket.onclose = (event) => {
          if (event.code === CloseCode.TOKEN_REFUSED) fail(tokenRefused('websocket', event.reason));
          else if (event.code === CloseCode.SERVER_STOPPING)
            // Refused for stopping: play() answers SERVER_DRAINING by asking for another server.
            fail(tokenRefused('websocket', event.reason || STOPPING_REASON));
          else
            fail(
              new PlaygapClientError(
                ErrorCode.TRANSPORT_FAILED,
                `The WebSocket to the game server closed (${event.code}) before the welcome.`,
                { transport: 'websocket' },
              ),
            );
        };
      }),
  };
}
