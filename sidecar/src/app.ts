/**
 * The local HTTP API (127.0.0.1 only, JSON) on top of a Sidecar: fastify app, no listen.
 * Errors are `{code, message}`; schemas reject bad bodies with 400 BAD_REQUEST, big ones with
 * 413 PAYLOAD_TOO_LARGE, unknown routes with 404 NOT_FOUND. See docs/sidecar-api.md.
 */
import { ErrorCode, isErrorCode } from '@playgap/protocol';
import {
  type SidecarApi,
  type SidecarEventData,
  type SidecarOperation,
  sidecarEventsRoute,
  sidecarRoutes,
} from '@playgap/protocol/sidecar-api';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { ServerCertificate } from './certificate.js';
import { DEFAULTS } from './config.js';
import { statusOf } from './errors.js';
import type { ShutdownReason, Sidecar } from './sidecar.js';

export interface AppOptions {
  bodyLimitBytes?: number;
  /** Called after `/v1/shutdown` answered (main stops the game server and exits). */
  onShutdownRequest?: () => void;
}

/**
 * Build the fastify app for `sidecar`.
 *
 * @example
 * const app = buildApp(sidecar); const res = await app.inject({ method: 'GET', url: '/healthz' });
 */
export function buildApp(sidecar: Sidecar, options: AppOptions = {}): FastifyInstance {
  const app = Fastify({
    bodyLimit: options.bodyLimitBytes ?? DEFAULTS.bodyLimitBytes,
    logger: false,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  });

  // Allow bodyless POSTs with a JSON content type (curl -H 'content-type: application/json').
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      const error = new Error('The body is not valid JSON.') as FastifyError;
      error.statusCode = 400;
      error.code = ErrorCode.BAD_REQUEST;
      done(error, undefined);
    }
  });

  app.setErrorHandler((error: FastifyError & { status?: number }, _req, reply) => {
    if (error.validation) {
      return reply
        .code(400)
        .send({ code: ErrorCode.BAD_REQUEST, message: `Invalid request: ${error.message}` });
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(413).send({
        code: ErrorCode.PAYLOAD_TOO_LARGE,
        message: `The body is larger than ${options.bodyLimitBytes ?? DEFAULTS.bodyLimitBytes} bytes.`,
      });
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.code(415).send({
        code: ErrorCode.BAD_REQUEST,
        message: 'Send JSON (content-type: application/json).',
      });
    }
    if (isErrorCode(error.code)) {
      const status = error.status ?? statusOf(error.code);
      return reply.code(status).send({ code: error.code, message: error.message });
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply
        .code(error.statusCode)
        .send({ code: ErrorCode.BAD_REQUEST, message: error.message });
    }
    return reply.code(500).send({ code: ErrorCode.INTERNAL, message: 'Internal sidecar error.' });
  });

  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({
      code: ErrorCode.NOT_FOUND,
      message: `No route ${req.method} ${req.url.slice(0, 100)}.`,
    });
  });

  // The operations of the contract (@playgap/protocol/sidecar-api); typing this object as
  // SidecarApi is the compile-time check that the sidecar answers every one as documented.
  const api: SidecarApi = {
    health: () => sidecar.health(),
    info: () => sidecar.info(),
    ready: (body) => sidecar.ready(body),
    capacity: (body) => sidecar.setCapacity(body.capacity),
    verify: (body) => sidecar.verify(body.token),
    reconnect: (body) => sidecar.reconnect(body.credential),
    disconnect: (body) => sidecar.disconnect(body.clientId, body.final ?? false),
    heartbeat: () => {
      sidecar.heartbeat();
      return { ok: true, state: sidecar.currentState };
    },
    drain: () => {
      sidecar.drain();
      return { ok: true, state: sidecar.currentState };
    },
    match: () => sidecar.matches(),
    requestBackfill: (body) => sidecar.requestBackfill(body),
    backfills: () => sidecar.backfills(),
    withdrawBackfill: (params) => sidecar.withdrawBackfill(params.backfillId),
    shutdown: () => {
      setImmediate(() => {
        sidecar.shutdown('requested');
        options.onShutdownRequest?.();
      });
      return { ok: true };
    },
  };

  for (const [name, route] of Object.entries(sidecarRoutes)) {
    const operation = api[name as SidecarOperation] as (body: unknown) => unknown;
    app.route({
      method: route.method,
      url: route.url,
      // fastify validates the body with the contract's own schema before the handler runs.
      ...('body' in route ? { schema: { body: route.body } } : {}),
      ...('params' in route ? { schema: { params: route.params } } : {}),
      handler: async (req, reply) => {
        reply.code(route.status);
        return operation('params' in route ? req.params : req.body);
      },
    });
  }

  app.get(sidecarEventsRoute.url, (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    // Each event's data has the contract's type (sidecarEventSchemas).
    const send = <E extends keyof SidecarEventData>(event: E, data: SidecarEventData[E]) =>
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const onCertificate = (cert: ServerCertificate) =>
      send('certificate', {
        certFile: cert.certFile,
        keyFile: cert.keyFile,
        certDigest: cert.certDigest,
        certHashBase64: cert.certHashBase64,
        certNotAfter: cert.notAfter,
      });
    const onDrain = () => send('drain', { state: sidecar.currentState });
    const onShutdown = (reason: ShutdownReason) => send('shutdown', { reason });
    const onLeft = (clientId: string) => send('left', { clientId });
    const onBackfill = (data: SidecarEventData['backfill']) => send('backfill', data);
    sidecar.on('left', onLeft);
    sidecar.on('backfill', onBackfill);
    sidecar.on('certificate', onCertificate);
    sidecar.on('drain', onDrain);
    sidecar.on('shutdown', onShutdown);
    res.write(': connected\n\n');
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    keepAlive.unref();
    req.raw.on('close', () => {
      clearInterval(keepAlive);
      sidecar.off('certificate', onCertificate);
      sidecar.off('drain', onDrain);
      sidecar.off('shutdown', onShutdown);
      sidecar.off('left', onLeft);
      sidecar.off('backfill', onBackfill);
    });
  });

  return app;
}
