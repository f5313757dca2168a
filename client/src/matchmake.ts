/**
 * The matchmaker half of the flow: open the front's WebSocket, send the PlayRequest, pass
 * progress on, and settle with the PlayReply or the front's coded error (one socket, closed by
 * the front after its answer; MatchmakerSocket keeps one for several placements).
 */
import type { PlayReply, PlayRequest, ProgressMessage } from '@playgap/protocol';
import { MatchmakerSocket } from './matchmaker-socket.js';

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
export async function matchmake(options: MatchmakeOptions): Promise<PlayReply> {
  const socket = new MatchmakerSocket({
    url: options.url,
    keep: false,
    openTimeoutMs: options.openTimeoutMs,
    ...(options.WebSocketImpl ? { WebSocketImpl: options.WebSocketImpl } : {}),
  });
  try {
    return await socket.place(options.request, {
      replyTimeoutMs: options.replyTimeoutMs,
      signal: options.signal,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  } finally {
    socket.close();
  }
}
