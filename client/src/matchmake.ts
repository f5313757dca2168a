/**
 * The matchmaker half of the flow: open the front's WebSocket, send the PlayRequest, pass
 * progress on, and settle with the PlayReply or the front's coded error.
 */
import {
  ErrorCode,
  type PlayReply,
  type PlayRequest,
  type ProgressMessage,
} from '@playgap/protocol';
import { PlaygapClientError } from './errors.js';
import { parseFrontMessage } from './front-message.js';
import { cancelledError } from './step.js';

export interface MatchmakeOptions {
  url: string;
  request: PlayRequest;
  /** Max ms for the socket to open. */
  openTimeoutMs: number;
  /** Max ms from open to the reply (includes starting a server). */
  replyTimeoutMs: number;
  signal?: AbortSignal | undefined;
  onProgress?: (progress: ProgressMessage) => void;
  WebSocketImpl?: typeof WebSocket;
}

/**
 * Ask the matchmaker front for a seat.
 *
 * @example
 * const reply = await matchmake({ url: 'ws://127.0.0.1:8080/matchmaker/ws',
 *   request: { game: 'arena', version: '1.0.0' }, openTimeoutMs: 10_000, replyTimeoutMs: 120_000 });
 */
export function matchmake(options: MatchmakeOptions): Promise<PlayReply> {
  const { url, request, signal } = options;
  const WebSocketImpl = options.WebSocketImpl ?? globalThis.WebSocket;
  if (signal?.aborted) return Promise.reject(cancelledError('finding a server'));
  return new Promise((resolve, reject) => {
    let opened = false;
    let settled = false;
    let socket: WebSocket;
    try {
      socket = new WebSocketImpl(url);
    } catch (cause) {
      reject(
        new PlaygapClientError(
          ErrorCode.MATCHMAKER_UNREACHABLE,
          `The matchmaker URL ${url} is not valid.`,
          { cause },
        ),
      );
      return;
    }
    const settle = (error: PlaygapClientError | undefined, reply?: PlayReply) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.onopen = socket.onmessage = socket.onclose = null;
      if (socket.readyState <= 1) socket.close();
      if (error) reject(error);
      else resolve(reply as PlayReply);
    };
    // A no-op error listener: the close event carries what matters (and Node's `ws` throws on
    // an unheard error).
    socket.onerror = () => undefined;
    const onAbort = () => settle(cancelledError('finding a server'));
    signal?.addEventListener('abort', onAbort, { once: true });
    let timer = setTimeout(
      () =>
        settle(
          new PlaygapClientError(
            ErrorCode.MATCHMAKER_UNREACHABLE,
            `The matchmaker did not answer within ${Math.round(options.openTimeoutMs / 1000)} s.`,
          ),
        ),
      options.openTimeoutMs,
    );
    socket.onopen = () => {
      opened = true;
      clearTimeout(timer);
      timer = setTimeout(
        () =>
          settle(
            new PlaygapClientError(
              ErrorCode.CONNECT_TIMEOUT,
              `No server was found within ${Math.round(options.replyTimeoutMs / 1000)} s.`,
            ),
          ),
        options.replyTimeoutMs,
      );
      socket.send(JSON.stringify(request));
    };
    socket.onmessage = (event) => {
      let message: ReturnType<typeof parseFrontMessage>;
      try {
        message = parseFrontMessage(event.data);
      } catch (error) {
        settle(error as PlaygapClientError);
        return;
      }
      if (message.type === 'progress') options.onProgress?.(message);
      else if (message.type === 'ready') settle(undefined, message);
      else if (message.type === 'error')
        settle(new PlaygapClientError(message.code, message.message));
      // Party messages belong on a party's socket (party.ts), not here.
    };
    socket.onclose = (event) => {
      settle(
        new PlaygapClientError(
          ErrorCode.MATCHMAKER_UNREACHABLE,
          opened
            ? `The matchmaker closed the connection (${event.code}) without an answer.`
            : `The matchmaker at ${url} could not be reached.`,
        ),
      );
    };
  });
}
