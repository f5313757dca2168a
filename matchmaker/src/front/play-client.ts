/**
 * The front's NATS client for the placement service: one request on `playgap.<app>.play` whose
 * progress messages and final answer arrive on a private inbox. The service reports progress
 * at least every few seconds; if it falls silent longer than `silenceMs` (the replica serving
 * it died) the request is sent again, once, to the other replicas (an abandoned reservation
 * just expires). NATS failures become coded errors (no responder → MATCHMAKER_UNAVAILABLE, no
 * answer → PLACEMENT_TIMEOUT) instead of a socket that hangs.
 */
import { randomUUID } from 'node:crypto';
import { createInbox, type Msg, type NatsConnection } from '@nats-io/transport-node';
import {
  ErrorCode,
  type ErrorMessage,
  type FrontMessage,
  type PlacementRequest,
  type PlayReply,
  type PlayRequest,
  type ProgressMessage,
  subjects,
} from '@playgap/protocol';

export type PlacementAnswer = PlayReply | ErrorMessage;

/**
 * Sends one placement and streams its progress. Aborting `signal` (the player left) cancels a
 * queued ticket; a placement already under way runs on and its seat expires unused.
 */
export type RequestPlacement = (
  request: PlayRequest & { clientIp: string },
  onProgress: (message: ProgressMessage) => void,
  signal?: AbortSignal,
) => Promise<PlacementAnswer>;

/**
 * Ask the matchmakers to cancel ticket `requestId` of `game` (fire and forget: a ticket
 * already matched stays matched).
 *
 * @example
 * cancelTicket(nc, 'arena', requestId);
 */
export function cancelTicket(nc: NatsConnection, game: string, requestId: string): void {
  try {
    nc.publish(
      subjects(game).ticketCancel,
      encoder.encode(JSON.stringify({ ticketId: requestId })),
    );
  } catch {
    // Closed connection or a bad game name: nothing is queued there.
  }
}

export interface PlacementClientOptions {
  /** Longest whole placement, in ms. */
  timeoutMs: number;
  /** Longest silence from the service before the request is retried. Default 15 000 ms. */
  silenceMs?: number;
  /** Extra attempts after a silent replica. Default 1. */
  retries?: number;
}

const encoder = new TextEncoder();

function error(code: ErrorCode, message: string): ErrorMessage {
  return { type: 'error', code, message };
}

type Attempt = PlacementAnswer | 'silent';

/**
 * @example
 * const requestPlacement = natsPlacementClient(nc, { timeoutMs: 95_000 });
 * const answer = await requestPlacement({ game: 'arena', version: '1.0.0', clientIp }, show);
 */
export function natsPlacementClient(
  nc: NatsConnection,
  options: PlacementClientOptions,
): RequestPlacement {
  const silenceMs = options.silenceMs ?? 15_000;
  const retries = options.retries ?? 1;
  // One wildcard subscription for every placement's inbox (like nats.js' muxed requests).
  const prefix = createInbox();
  const pending = new Map<string, (err: Error | null, msg: Msg) => void>();
  let muxed: { unsubscribe(): void } | undefined;
  let next = 0;
  const subscribe = (callback: (err: Error | null, msg: Msg) => void) => {
    if (!muxed) {
      muxed = nc.subscribe(`${prefix}.*`, {
        callback: (err, msg) => {
          if (err) {
            for (const handler of pending.values()) handler(err, msg);
            return;
          }
          pending.get(msg.subject)?.(null, msg);
        },
      });
    }
    const inbox = `${prefix}.${(next++).toString(36)}`;
    pending.set(inbox, callback);
    return { inbox, unsubscribe: () => pending.delete(inbox) };
  };

  function attempt(
    subject: string,
    placement: PlacementRequest,
    deadline: number,
    onProgress: (message: ProgressMessage) => void,
  ): Promise<Attempt> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (result: Attempt) => {
        clearTimeout(timer);
        sub.unsubscribe();
        resolve(result);
      };
      const arm = () => {
        clearTimeout(timer);
        const left = deadline - Date.now();
        if (left <= 0) {
          finish(error(ErrorCode.PLACEMENT_TIMEOUT, 'The matchmaker did not answer in time.'));
          return;
        }
        timer = setTimeout(
          () => finish(left <= silenceMs ? expired() : 'silent'),
          Math.min(left, silenceMs),
        );
      };
      const expired = () =>
        error(ErrorCode.PLACEMENT_TIMEOUT, 'The matchmaker did not answer in time.');
      const sub = subscribe((err, msg) => {
        if (err) {
          finish(error(ErrorCode.NATS_UNAVAILABLE, 'The matchmaker cannot be reached right now.'));
          return;
        }
        if (msg.headers?.hasError && msg.headers.code === 503) {
          finish(
            error(
              ErrorCode.MATCHMAKER_UNAVAILABLE,
              'No matchmaker is serving this game right now; try again shortly.',
            ),
          );
          return;
        }
        let body: FrontMessage;
        try {
          body = msg.json<FrontMessage>();
        } catch {
          return;
        }
        if (body.type === 'progress') {
          arm();
          onProgress(body);
        } else if (body.type === 'ready' || body.type === 'error') {
          finish(body);
        }
      });
      const { inbox } = sub;
      arm();
      try {
        // Progress and the final answer share the inbox.
        nc.publish(
          subject,
          encoder.encode(JSON.stringify({ ...placement, progressSubject: inbox })),
          {
            reply: inbox,
          },
        );
      } catch {
        finish(error(ErrorCode.NATS_UNAVAILABLE, 'The matchmaker cannot be reached right now.'));
      }
    });
  }

  return async (request, onProgress, signal) => {
    let subject: string;
    try {
      subject = subjects(request.game).play;
    } catch {
      return error(ErrorCode.UNKNOWN_GAME, 'Unknown game.');
    }
    if (nc.isClosed()) return error(ErrorCode.NATS_UNAVAILABLE, 'The matchmaker is offline.');
    const deadline = Date.now() + options.timeoutMs;
    const placement: PlacementRequest = {
      ...request,
      requestId: randomUUID().replaceAll('-', ''),
    };
    const onAbort = () => cancelTicket(nc, request.game, placement.requestId);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (let i = 0; i <= retries; i++) {
        const result = await attempt(subject, placement, deadline, onProgress);
        if (result !== 'silent') return result;
      }
      return error(ErrorCode.PLACEMENT_TIMEOUT, 'The matchmaker stopped answering; try again.');
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  };
}

/**
 * Placements for `app` served in this process (an all-in-one matchmaker), without the NATS
 * round trip to itself; any other game still goes to whichever matchmaker serves it on NATS.
 * The placement is the same: the seat is still taken by a KV compare-and-set shared with every
 * replica, so nothing is sold twice. Only the retry on a silent replica is moot.
 *
 * @example
 * const requestPlacement = localPlacementClient('arena', serve, natsPlacementClient(nc, opts));
 */
export function localPlacementClient(
  app: string,
  serve: (
    request: PlacementRequest,
    onProgress: (message: ProgressMessage) => void,
  ) => Promise<PlacementAnswer>,
  others: RequestPlacement,
  cancel: (requestId: string) => void = () => {},
): RequestPlacement {
  return async (request, onProgress, signal) => {
    if (request.game !== app) return others(request, onProgress, signal);
    const requestId = randomUUID().replaceAll('-', '');
    const onAbort = () => cancel(requestId);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await serve({ ...request, requestId }, onProgress);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  };
}
