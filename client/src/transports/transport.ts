/**
 * What a transport implementation looks like to the fallback loop: given the reply's endpoint
 * and token, open, authenticate and return a channel, or throw a coded error.
 */
import type { PlayReply, TransportEndpoint, TransportKind } from '@playgap/protocol';
import type { Channel } from '../channel.js';

export interface TransportAttempt {
  endpoint: TransportEndpoint;
  reply: PlayReply;
  /** Aborts when the step times out or the player cancels; the attempt must clean up. */
  signal: AbortSignal;
}

/** One way to reach a game server. */
export interface Transport {
  kind: TransportKind;
  /** False when this browser lacks the API (e.g. no `WebTransport`). */
  supported(): boolean;
  connect(attempt: TransportAttempt): Promise<Channel>;
}
