/**
 * The front's NATS client for the placement service: one request on `playgap.<app>.play`,
 * progress messages streamed on a private inbox, and NATS failures turned into coded errors
 * (no responder → MATCHMAKER_UNAVAILABLE, no answer in time → PLACEMENT_TIMEOUT) instead of a
 * socket that hangs.
 */
import { randomUUID } from 'node:crypto';
import {
  createInbox,
  type NatsConnection,
  RequestError,
  TimeoutError,
} from '@nats-io/transport-node';
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

/** Sends one placement and streams its progress. */
export type RequestPlacement = (
  request: PlayRequest & { clientIp: string },
  onProgress: (message: ProgressMessage) => void,
) => Promise<PlacementAnswer>;

const encoder = new TextEncoder();

function error(code: ErrorCode, message: string): ErrorMessage {
  return { type: 'error', code, message };
}

/**
 * @example
 * const requestPlacement = natsPlacementClient(nc, { timeoutMs: 95_000 });
 * const answer = await requestPlacement({ game: 'arena', version: '1.0.0', clientIp }, show);
 */
export function natsPlacementClient(
  nc: NatsConnection,
  options: { timeoutMs: number },
): RequestPlacement {
  return async (request, onProgress) => {
    let subject: string;
    try {
      subject = subjects(request.game).play;
    } catch {
      return error(ErrorCode.UNKNOWN_GAME, 'Unknown game.');
    }
    if (nc.isClosed()) return error(ErrorCode.NATS_UNAVAILABLE, 'The matchmaker is offline.');
    const progressSubject = createInbox();
    const sub = nc.subscribe(progressSubject, {
      callback: (err, msg) => {
        if (err) return;
        try {
          const body = msg.json<FrontMessage>();
          if (body.type === 'progress') onProgress(body);
        } catch {}
      },
    });
    const placement: PlacementRequest = {
      ...request,
      progressSubject,
      requestId: randomUUID().replaceAll('-', ''),
    };
    try {
      const reply = await nc.request(subject, encoder.encode(JSON.stringify(placement)), {
        timeout: options.timeoutMs,
      });
      const body = reply.json<FrontMessage>();
      if (body.type === 'ready' || body.type === 'error') return body;
      return error(ErrorCode.INTERNAL, 'The matchmaker sent an unexpected answer.');
    } catch (err) {
      if (err instanceof RequestError && err.isNoResponders()) {
        return error(
          ErrorCode.MATCHMAKER_UNAVAILABLE,
          'No matchmaker is serving this game right now; try again shortly.',
        );
      }
      if (err instanceof TimeoutError || (err as Error).name === 'TimeoutError') {
        return error(ErrorCode.PLACEMENT_TIMEOUT, 'The matchmaker did not answer in time.');
      }
      return error(ErrorCode.NATS_UNAVAILABLE, 'The matchmaker cannot be reached right now.');
    } finally {
      sub.unsubscribe();
    }
  };
}
