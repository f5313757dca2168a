/**
 * The browser front (fastify; nothing listens here — main.ts does that, tests use inject):
 * WebSocket `GET /matchmaker/ws` (play-socket.ts: one play request in, progress and one final
 * message out, then a normal close; `?keep=1` takes one request after another), `POST /matchmaker/wannaplay` (final JSON only),
 * `GET /matchmaker/regions` (what the browser pings before it asks), `/healthz`, `/metrics`,
 * and optionally the built client at `/`.
 */
import cors from '@fastify/cors';
import fastifyStatic from '@fastify/static';
import {
  ErrorCode,
  type ErrorMessage,
  type FrontMessage,
  MAX_PLAY_REQUEST_BYTES,
  parsePlayRequest,
} from '@playgap/protocol';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { type DashboardRouteOptions, registerDashboard } from '../dashboard/dashboard-routes.js';
import type { DashboardState } from '../dashboard/dashboard-state.js';
import { toWireError } from '../errors.js';
import type { Logger } from '../log.js';
import type { RegionDirectory } from '../regions/region-directory.js';
import { clientIp } from './client-ip.js';
import type { MatchmakerMetrics } from './metrics.js';
import { originMatcher } from './origins.js';
import type { PartyClient } from './party-client.js';
import { openPartySession } from './party-socket.js';
import type { PlacementAnswer, RequestPlacement } from './play-client.js';
import { PLAY_SOCKET_PATH, servePlaySockets } from './play-socket.js';
import { checkRegions, regionRoutes } from './regions.js';
import { RequestLimits } from './request-limits.js';

/** One dependency the front reports on in /healthz. */
export type HealthCheck = () => Promise<boolean> | boolean;

export interface FrontOptions {
  requestPlacement: RequestPlacement;
  /** Parties by code on the play socket (docs/matchmaking.md); absent: party messages refused. */
  parties?: PartyClient;
  metrics: MatchmakerMetrics;
  allowedOrigins?: readonly string[];
  trustedProxies?: readonly string[];
  staticDir?: string;
  /** Default 10 000 ms. */
  firstMessageTimeoutMs?: number;
  /** A play socket's "queued" progress waits this long for an answer first. Default 50 ms. */
  queuedNoticeAfterMs?: number;
  rateLimitPerWindow?: number;
  rateLimitWindowMs?: number;
  maxConcurrentPerIp?: number;
  health?: Record<string, HealthCheck>;
  now?: () => number;
  /** Where fastify's own errors go (requests are not logged one by one); default none. */
  logger?: Logger;
  /** The regions browsers ping (`GET /matchmaker/regions`; unknown ids refused); none: `[]`. */
  regions?: RegionDirectory;
  /** Serve the operator dashboard (/dashboard) from this state; off when absent. */
  dashboard?: Omit<DashboardRouteOptions, 'state'> & { state: DashboardState };
}

function errorMessage(code: ErrorCode, message: string): ErrorMessage {
  return { type: 'error', code, message };
}

function httpStatus(code: string): number {
  switch (code) {
    case ErrorCode.BAD_REQUEST:
    case ErrorCode.LATENCIES_INVALID:
    case ErrorCode.UNKNOWN_REGION:
      return 400;
    case ErrorCode.ORIGIN_NOT_ALLOWED:
      return 403;
    case ErrorCode.UNKNOWN_GAME:
    case ErrorCode.UNKNOWN_VERSION:
      return 404;
    case ErrorCode.PAYLOAD_TOO_LARGE:
      return 413;
    case ErrorCode.RATE_LIMITED:
    case ErrorCode.TOO_MANY_CONCURRENT:
      return 429;
    case ErrorCode.MATCHMAKER_UNAVAILABLE:
    case ErrorCode.NATS_UNAVAILABLE:
    case ErrorCode.NO_CAPACITY:
      return 503;
    case ErrorCode.PLACEMENT_TIMEOUT:
    case ErrorCode.REQUEST_TIMEOUT:
      return 504;
    case ErrorCode.EDGEGAP_ERROR:
    case ErrorCode.DEPLOYMENT_FAILED:
    case ErrorCode.SERVER_NEVER_READY:
      return 502;
    default:
      return 500;
  }
}

/**
 * Build the front. Close it with `app.close()`.
 *
 * @example
 * const app = await buildFrontApp({ requestPlacement, metrics: new MatchmakerMetrics() });
 * const res = await app.inject({ method: 'GET', url: '/healthz' });
 */
export async function buildFrontApp(options: FrontOptions): Promise<FastifyInstance> {
  const now = options.now ?? Date.now;
  const app = Fastify({
    ...(options.logger
      ? {
          loggerInstance: options.logger as FastifyBaseLogger,
          // One line per request would drown the placement lines (health probes every second).
          logController: new LogController({ disableRequestLogging: true }),
        }
      : { logger: false }),
    bodyLimit: MAX_PLAY_REQUEST_BYTES,
    trustProxy: false,
  });
  const allowOrigin = originMatcher(options.allowedOrigins ?? []);
  const trusted = options.trustedProxies ?? [];
  const limits = new RequestLimits({
    perWindow: options.rateLimitPerWindow ?? 30,
    windowMs: options.rateLimitWindowMs ?? 10_000,
    maxConcurrent: options.maxConcurrentPerIp ?? 4,
    now,
  });
  const { metrics } = options;
  const firstMessageTimeoutMs = options.firstMessageTimeoutMs ?? 10_000;

  await app.register(cors, {
    origin: (origin, cb) => cb(null, allowOrigin(origin)),
    methods: ['GET', 'POST'],
  });

  const ipOf = (request: FastifyRequest) =>
    clientIp(request.socket.remoteAddress, request.headers['x-forwarded-for'], trusted);

  app.setErrorHandler((error, request, reply) => {
    const err = error as { statusCode?: number; code?: string };
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply
        .code(413)
        .send(errorMessage(ErrorCode.PAYLOAD_TOO_LARGE, 'The play request is too large.'));
    }
    if (err.statusCode && err.statusCode < 500) {
      return reply
        .code(400)
        .send(errorMessage(ErrorCode.BAD_REQUEST, 'The play request is not valid JSON.'));
    }
    request.log.error({ event: 'front_error', err: error, url: request.url }, 'front failed');
    return reply.code(500).send(errorMessage(ErrorCode.INTERNAL, 'Internal error.'));
  });

  /** Admit, place, and account for one request from `ip`. */
  async function place(
    raw: unknown,
    ip: string,
    onProgress: (m: FrontMessage) => void,
    admitted = false,
    signal?: AbortSignal,
  ): Promise<PlacementAnswer> {
    const started = now();
    let answer: PlacementAnswer;
    try {
      const request = parsePlayRequest(raw);
      if (request.latencies) await checkRegions(request.latencies, options.regions);
      const release = admitted ? () => {} : limits.admit(ip);
      try {
        answer = await options.requestPlacement({ ...request, clientIp: ip }, onProgress, signal);
      } finally {
        release();
      }
    } catch (error) {
      answer = { type: 'error', ...toWireError(error) };
    }
    const outcome = answer.type === 'ready' ? 'ok' : answer.code;
    const ms = now() - started;
    metrics.requests.inc({ outcome });
    metrics.placementSeconds.observe({ outcome }, ms / 1000);
    options.dashboard?.state.recordPlacement(
      outcome,
      ms,
      answer.type === 'error' ? answer.message : undefined,
    );
    return answer;
  }

  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/matchmaker/')) return;
    if (!allowOrigin(request.headers.origin)) {
      metrics.requests.inc({ outcome: ErrorCode.ORIGIN_NOT_ALLOWED });
      return reply
        .code(403)
        .send(
          errorMessage(ErrorCode.ORIGIN_NOT_ALLOWED, 'This origin may not use the matchmaker.'),
        );
    }
  });

  const closePlaySockets = servePlaySockets({
    server: app.server,
    limits,
    allowOrigin,
    ipOf: (request) =>
      clientIp(request.socket.remoteAddress, request.headers['x-forwarded-for'], trusted),
    place: (raw, ip, onProgress, signal) => place(raw, ip, onProgress, true, signal),
    count: (outcome) => metrics.requests.inc({ outcome }),
    ...(options.parties
      ? {
          openParty: (opening, ip, send) =>
            openPartySession(options.parties as PartyClient, opening, ip, send),
        }
      : {}),
    now,
    firstMessageTimeoutMs,
    queuedNoticeAfterMs: options.queuedNoticeAfterMs ?? 50,
  });
  app.addHook('preClose', async () => closePlaySockets());

  // The path without an upgrade: say how to use it.
  app.get(PLAY_SOCKET_PATH, async (_request, reply) =>
    reply
      .code(426)
      .header('upgrade', 'websocket')
      .send(errorMessage(ErrorCode.BAD_REQUEST, `Open ${PLAY_SOCKET_PATH} as a WebSocket.`)),
  );

  app.post('/matchmaker/wannaplay', async (request, reply) => {
    if (request.body === undefined || request.body === null) {
      return reply
        .code(400)
        .send(
          errorMessage(ErrorCode.BAD_REQUEST, 'Send {"game": "<app>", "version": "<version>"}.'),
        );
    }
    const answer = await place(request.body, ipOf(request), () => {});
    return reply.code(answer.type === 'ready' ? 200 : httpStatus(answer.code)).send(answer);
  });

  regionRoutes(app, options.regions);

  app.get('/healthz', async (_request, reply) => {
    const checks: Record<string, boolean> = {};
    for (const [name, check] of Object.entries(options.health ?? {})) {
      try {
        checks[name] = await check();
      } catch {
        checks[name] = false;
      }
    }
    const ok = Object.values(checks).every(Boolean);
    return reply.code(ok ? 200 : 503).send({ ok, checks });
  });

  app.get('/metrics', async (_request, reply) => {
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  if (options.dashboard) registerDashboard(app, options.dashboard);
  if (options.staticDir) {
    await app.register(fastifyStatic, { root: options.staticDir, prefix: '/' });
  }
  return app;
}
