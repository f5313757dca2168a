/**
 * The NATS side: a services-framework endpoint on `playgap.<app>.play` in the shared queue
 * group, so replicas split the load and show up in `nats micro ls`. Each request streams
 * ProgressMessages to its `progressSubject` and gets one final PlayReply or ErrorMessage.
 */
import { type Service, type ServiceMsg, Svcm } from '@nats-io/services';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  ErrorCode,
  type ErrorMessage,
  MATCHMAKER_QUEUE,
  type PlacementRequest,
  type PlayReply,
  type ProgressMessage,
  parsePlayRequest,
  subjects,
} from '@playgap/protocol';
import { PlacementError, toWireError } from './errors.js';
import type { Logger } from './log.js';
import type { Placer } from './placement.js';
import type { MatchmakingConfig } from './queues/matchmaking-config.js';
import { queuedModeOf, type TicketDesk } from './queues/ticket-desk.js';

/** Queued modes: requests for a mode of kind `queue` become tickets at this desk. */
export interface QueueRouting {
  desk: TicketDesk;
  config: () => MatchmakingConfig;
}

export interface PlayServiceOptions {
  nc: NatsConnection;
  app: string;
  instanceId: string;
  placer: Placer;
  now?: () => number;
  /** Progress is repeated this often while a placement runs (front silence detection). */
  heartbeatMs?: number;
  /** Called once per finished request with its outcome code ('ok' or an error code). */
  onOutcome?: (outcome: string, elapsedMs: number) => void;
  /** One `placed` or `placement_failed` line per request (never the token or the player IP). */
  log?: Logger;
  /** Matchmaking queues; without it every request takes the free-seat path. */
  queues?: QueueRouting;
}

const encoder = new TextEncoder();
const SUBJECT_TOKEN = /^[A-Za-z0-9_.$-]{1,200}$/;
const IP = /^[0-9A-Fa-f:.]{2,45}$/;

/**
 * Validate what the front sends (the play request plus what only the front knows).
 *
 * @example
 * parsePlacementRequest({ game: 'arena', version: '1.0.0', clientIp: '203.0.113.7', requestId: 'r1' });
 */
export function parsePlacementRequest(data: unknown): PlacementRequest {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new PlacementError(ErrorCode.BAD_REQUEST, 'The placement request must be an object.');
  }
  const { clientIp, progressSubject, requestId, ...play } = data as Record<string, unknown>;
  const request = parsePlayRequest(play) as PlacementRequest;
  if (typeof clientIp !== 'string' || !IP.test(clientIp)) {
    throw new PlacementError(ErrorCode.BAD_REQUEST, '"clientIp" must be an IP address.');
  }
  if (typeof requestId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(requestId)) {
    throw new PlacementError(ErrorCode.BAD_REQUEST, '"requestId" must be a short id.');
  }
  if (progressSubject !== undefined) {
    if (typeof progressSubject !== 'string' || !SUBJECT_TOKEN.test(progressSubject)) {
      throw new PlacementError(ErrorCode.BAD_REQUEST, '"progressSubject" must be a subject.');
    }
    request.progressSubject = progressSubject;
  }
  request.clientIp = clientIp;
  request.requestId = requestId;
  return request;
}

/** Runs one validated placement to its final answer (the reply or a coded error). */
export type ServePlacement = (
  request: PlacementRequest,
  onProgress: (message: ProgressMessage) => void,
) => Promise<PlayReply | ErrorMessage>;

/**
 * One placement from a validated request to its final answer, whoever asked: the NATS endpoint
 * below, or the front of the same process (an all-in-one matchmaker skips the NATS hop for its
 * own game). Progress is repeated every `heartbeatMs` so a front can tell a slow placement from
 * a dead replica; one `placed` or `placement_failed` line is logged per request.
 *
 * @example
 * const serve = placementServer({ placer, heartbeatMs: 5_000 });
 * const answer = await serve(request, (progress) => show(progress));
 */
export function placementServer(
  options: Pick<
    PlayServiceOptions,
    'placer' | 'now' | 'heartbeatMs' | 'onOutcome' | 'log' | 'queues'
  > & {
    /** The connection is gone: stop repeating progress. */
    closed?: () => boolean;
  },
): ServePlacement {
  const now = options.now ?? Date.now;
  const heartbeatMs = options.heartbeatMs ?? 5_000;
  return async (request, onProgress) => {
    const started = now();
    let outcome = 'ok';
    let heartbeat: NodeJS.Timeout | undefined;
    let last: { stage: ProgressMessage['stage']; message: string } = {
      stage: 'queued',
      message: 'Looking for a server',
    };
    const progress = (stage: ProgressMessage['stage'], message: string) => {
      last = { stage, message };
      onProgress({ type: 'progress', stage, elapsedMs: now() - started, message });
    };
    try {
      heartbeat = setInterval(() => {
        if (options.closed?.()) clearInterval(heartbeat);
        else progress(last.stage, last.message);
      }, heartbeatMs);
      const queued = options.queues ? queuedModeOf(options.queues.config(), request) : undefined;
      let reply: PlayReply;
      if (queued && options.queues) {
        const answer = await options.queues.desk.serve(request, queued, (message) => {
          last = { stage: message.stage, message: message.message };
          onProgress(message);
        });
        if (answer.type === 'error') throw new PlacementError(answer.code, answer.message);
        reply = answer;
      } else {
        reply = await options.placer.place(request, progress);
      }
      options.log?.info(
        {
          event: 'placed',
          requestId: request.requestId,
          app: request.game,
          version: request.version,
          serverId: reply.serverId,
          ms: now() - started,
        },
        'player placed',
      );
      return reply;
    } catch (error) {
      const wire = failure(error, request, now() - started, options.log);
      outcome = wire.code;
      return { type: 'error', ...wire };
    } finally {
      clearInterval(heartbeat);
      options.onOutcome?.(outcome, now() - started);
    }
  };
}

/** The coded error of a failed placement, logged with what really happened. */
function failure(
  error: unknown,
  request: PlacementRequest | undefined,
  ms: number,
  log: Logger | undefined,
): ReturnType<typeof toWireError> {
  const wire = toWireError(
    error instanceof SyntaxError
      ? new PlacementError(ErrorCode.BAD_REQUEST, 'The placement request is not JSON.')
      : error,
  );
  const serverId = error instanceof PlacementError ? error.serverId : undefined;
  log?.[wire.code === ErrorCode.INTERNAL ? 'error' : 'warn'](
    {
      event: 'placement_failed',
      requestId: request?.requestId,
      app: request?.game,
      version: request?.version,
      code: wire.code,
      ...(serverId ? { serverId } : {}),
      ms,
      // The player saw wire.message; the log keeps what really happened.
      error: wire.code === ErrorCode.INTERNAL ? String(error) : wire.message,
      ...(causeOf(error) ? { cause: causeOf(error) } : {}),
    },
    'placement failed',
  );
  return wire;
}

/**
 * Start serving play requests; stop with `service.stop()`. `serve` is the same placement the
 * process's own front may call directly.
 *
 * @example
 * const { service, serve } = await startPlayService({ nc, app: 'arena', instanceId: 'a1', placer });
 */
export async function startPlayService(
  options: PlayServiceOptions,
): Promise<{ service: Service; serve: ServePlacement }> {
  const { nc, app } = options;
  const serve = placementServer({ ...options, closed: () => nc.isClosed() });
  // @nats-io/services bundles its own nats-core copy: same runtime shape, distinct types.
  const svcm = new Svcm(nc as unknown as ConstructorParameters<typeof Svcm>[0]);
  const service = await svcm.add({
    name: 'playgap-matchmaker',
    version: '0.1.0',
    description: `playgap placement for ${app}`,
    metadata: { app, instance: options.instanceId },
    queue: MATCHMAKER_QUEUE,
  });
  service.addEndpoint('play', {
    subject: subjects(app).play,
    queue: MATCHMAKER_QUEUE,
    handler: (error, msg) => {
      if (error) return;
      void handle(msg);
    },
  });

  function respond(msg: ServiceMsg, body: unknown): void {
    try {
      msg.respond(encoder.encode(JSON.stringify(body)));
    } catch {
      // Connection closed mid-request: the front retries on another replica.
    }
  }

  async function handle(msg: ServiceMsg): Promise<void> {
    let request: PlacementRequest;
    try {
      request = parsePlacementRequest(msg.json());
    } catch (error) {
      const wire = failure(error, undefined, 0, options.log);
      options.onOutcome?.(wire.code, 0);
      respond(msg, { type: 'error', ...wire } satisfies ErrorMessage);
      return;
    }
    const progressSubject = request.progressSubject;
    const answer = await serve(request, (body) => {
      if (!progressSubject) return;
      try {
        nc.publish(progressSubject, encoder.encode(JSON.stringify(body)));
      } catch {
        // Connection closed: the front will retry elsewhere; nothing to tell.
      }
    });
    respond(msg, answer);
  }
  return { service, serve };
}

/** The message of what caused a placement error (an Edgegap answer...), for the log. */
function causeOf(error: unknown): string | undefined {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  return cause instanceof Error ? cause.message : undefined;
}
