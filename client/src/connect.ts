/**
 * The transport half of the flow: try the transports both sides have, best first, each under
 * its own deadline, and return the first channel that authenticates.
 */
import { ErrorCode, type PlayReply, type TransportKind } from '@playgap/protocol';
import type { Channel } from './channel.js';
import { PlaygapClientError } from './errors.js';
import { runStep } from './step.js';
import type { Transport } from './transports/transport.js';

export interface ConnectOptions {
  reply: PlayReply;
  /** Available implementations, in the order to try. */
  transports: Transport[];
  /** Max ms per transport attempt (open + token check). */
  attemptTimeoutMs: number;
  signal?: AbortSignal | undefined;
  onAttempt?: (kind: TransportKind) => void;
  /** Collects the failures of transports that were tried and fell through. */
  failures?: PlaygapClientError[];
  /** The transports the page allows (for the message when none of them is offered). */
  allowed?: readonly TransportKind[];
}

/**
 * The transports worth trying, in order: preferred by the client, offered by the server,
 * supported by this browser.
 *
 * @example
 * transportOrder(['webrtc', 'websocket'], reply, available).map((t) => t.kind);
 */
export function transportOrder(
  preference: readonly TransportKind[],
  reply: PlayReply,
  available: readonly Transport[],
): Transport[] {
  const offered = new Set(reply.transports.map((endpoint) => endpoint.kind));
  return preference
    .filter((kind) => offered.has(kind))
    .map((kind) => available.find((transport) => transport.kind === kind))
    .filter((transport): transport is Transport => transport?.supported() === true);
}

function asClientError(error: unknown, kind: TransportKind): PlaygapClientError {
  if (error instanceof PlaygapClientError) return error;
  return new PlaygapClientError(ErrorCode.TRANSPORT_FAILED, `${kind} failed.`, {
    transport: kind,
    cause: error,
  });
}

/**
 * Connect with fallback. A refused token or a cancel stops the run (another transport would be
 * refused too); a transport failure or timeout moves on to the next one.
 *
 * @example
 * const channel = await connectWithFallback({ reply, transports, attemptTimeoutMs: 10_000 });
 */
export async function connectWithFallback(options: ConnectOptions): Promise<Channel> {
  const failures = options.failures ?? [];
  for (const transport of options.transports) {
    const endpoint = options.reply.transports.find((e) => e.kind === transport.kind);
    if (!endpoint) continue;
    options.onAttempt?.(transport.kind);
    try {
      const channel = await runStep(
        {
          what: `connecting over ${transport.kind}`,
          timeoutMs: options.attemptTimeoutMs,
          signal: options.signal,
          transport: transport.kind,
        },
        (signal) => transport.connect({ endpoint, reply: options.reply, signal }),
      );
      return channel;
    } catch (error) {
      const failure = asClientError(error, transport.kind);
      if (failure.code === ErrorCode.CANCELLED || failure.code === ErrorCode.TOKEN_REFUSED) {
        throw failure;
      }
      failures.push(failure);
    }
  }
  const last = failures.at(-1);
  const tried = failures.map((f) => f.transport).join(', ');
  throw new PlaygapClientError(
    last?.code === ErrorCode.CONNECT_TIMEOUT
      ? ErrorCode.CONNECT_TIMEOUT
      : ErrorCode.TRANSPORT_FAILED,
    tried
      ? `Could not reach the game server (tried ${tried}): ${last?.message}`
      : noneOffered(options),
    { cause: last },
  );
}

/** Why nothing was tried: name what the page asked for and what the server offers. */
function noneOffered(options: ConnectOptions): string {
  const offered = options.reply.transports.map((e) => e.kind).join(', ') || 'nothing';
  const asked = options.allowed?.join(', ');
  return asked
    ? `This page allows ${asked}, but the game server offers ${offered} (WebTransport needs HTTP/3 on the server); allow one of those.`
    : `The game server offers ${offered}, none of which this browser supports.`;
}
