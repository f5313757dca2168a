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
  type ProgressMessage,
  parsePlayRequest,
  subjects,
} from '@playgap/protocol';
import { PlacementError, toWireError } from './errors.js';
import type { Logger } from './log.js';
import type { Placer } from './placement.js';

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

/**
 * Start serving play requests; stop with `service.stop()`.
 *
 * @example
 * const service = await startPlayService({ nc, app: 'arena', instanceId: 'a1', placer });
 */
export async function startPlayService(options: PlayServiceOptions): Promise<Service> {
  const { nc, app } = options;
  const now = options.now ?? Date.now;
  const heartbeatMs = options.heartbeatMs ?? 5_000;
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
    const started = now();
    let request: PlacementRequest | undefined;
    let outcome = 'ok';
    let heartbeat: NodeJS.Timeout | undefined;
    try {
      request = parsePlacementRequest(msg.json());
      const progressSubject = request.progressSubject;
      let last: { stage: ProgressMessage['stage']; message: string } = {
        stage: 'queued',
        message: 'Looking for a server',
      };
      const progress = (stage: ProgressMessage['stage'], message: string) => {
        last = { stage, message };
        if (!progressSubject) return;
        const body: ProgressMessage = {
          type: 'progress',
          stage,
          elapsedMs: now() - started,
          message,
        };
        try {
          nc.publish(progressSubject, encoder.encode(JSON.stringify(body)));
        } catch {
          // Connection closed: the front will retry elsewhere; nothing to tell.
        }
      };
      // A heartbeat so the front can tell a slow placement from a dead replica.
      heartbeat = setInterval(() => {
        if (nc.isClosed()) clearInterval(heartbeat);
        else progress(last.stage, last.message);
      }, heartbeatMs);
      const reply = await options.placer.place(request, progress);
      respond(msg, reply);
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
    } catch (error) {
      const wire = toWireError(
        error instanceof SyntaxError
          ? new PlacementError(ErrorCode.BAD_REQUEST, 'The placement request is not JSON.')
          : error,
      );
      outcome = wire.code;
      const serverId = error instanceof PlacementError ? error.serverId : undefined;
      options.log?.[wire.code === ErrorCode.INTERNAL ? 'error' : 'warn'](
        {
          event: 'placement_failed',
          requestId: request?.requestId,
          app: request?.game,
          version: request?.version,
          code: wire.code,
          ...(serverId ? { serverId } : {}),
          ms: now() - started,
          // The player saw wire.message; the log keeps what really happened.
          error: wire.code === ErrorCode.INTERNAL ? String(error) : wire.message,
          ...(causeOf(error) ? { cause: causeOf(error) } : {}),
        },
        'placement failed',
      );
      const body: ErrorMessage = { type: 'error', ...wire };
      respond(msg, body);
    } finally {
      clearInterval(heartbeat);
      options.onOutcome?.(outcome, now() - started);
    }
  }
  return service;
}

/** The message of what caused a placement error (an Edgegap answer...), for the log. */
function causeOf(error: unknown): string | undefined {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  return cause instanceof Error ? cause.message : undefined;
}
