/**
 * The local HTTP API (127.0.0.1 only, JSON) on top of a Sidecar: fastify app, no listen.
 * Errors are `{code, message}`; schemas reject bad bodies with 400 BAD_REQUEST, big ones with
 * 413 PAYLOAD_TOO_LARGE, unknown routes with 404 NOT_FOUND. See docs/sidecar-api.md.
 */
import { ErrorCode, isErrorCode, TransportKind } from '@playgap/protocol';
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

const transportSchema = {
  type: 'object',
  required: ['kind', 'port'],
  additionalProperties: false,
  properties: {
    kind: { type: 'string', enum: Object.values(TransportKind) },
    port: { type: 'string', minLength: 1, maxLength: 64 },
    dataPort: { type: 'string', minLength: 1, maxLength: 64 },
    path: { type: 'string', maxLength: 256 },
  },
} as const;

const capacitySchema = { type: 'integer', minimum: 1, maximum: 1024 } as const;

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

  app.get('/healthz', async () => sidecar.health());
  app.get('/v1/info', async () => sidecar.info());

  app.post<{
    Body: { transports: Parameters<Sidecar['ready']>[0]['transports']; capacity?: number };
  }>(
    '/v1/ready',
    {
      schema: {
        body: {
          type: 'object',
          required: ['transports'],
          additionalProperties: false,
          properties: {
            transports: { type: 'array', maxItems: 16, items: transportSchema },
            capacity: capacitySchema,
          },
        },
      },
    },
    async (req) => sidecar.ready(req.body),
  );

  app.put<{ Body: { capacity: number } }>(
    '/v1/capacity',
    {
      schema: {
        body: {
          type: 'object',
          required: ['capacity'],
          additionalProperties: false,
          properties: { capacity: capacitySchema },
        },
      },
    },
    async (req) => sidecar.setCapacity(req.body.capacity),
  );

  app.post<{ Body: { token: string } }>(
    '/v1/tokens/verify',
    {
      schema: {
        body: {
          type: 'object',
          required: ['token'],
          additionalProperties: false,
          properties: { token: { type: 'string', minLength: 1, maxLength: 4096 } },
        },
      },
    },
    async (req) => sidecar.verify(req.body.token),
  );

  app.post<{ Body: { clientId: string } }>(
    '/v1/disconnect',
    {
      schema: {
        body: {
          type: 'object',
          required: ['clientId'],
          additionalProperties: false,
          properties: { clientId: { type: 'string', pattern: '^[0-9]{1,20}$' } },
        },
      },
    },
    async (req) => {
      await sidecar.disconnect(req.body.clientId);
      return { ok: true };
    },
  );

  app.post('/v1/heartbeat', async () => {
    sidecar.heartbeat();
    return { ok: true, state: sidecar.currentState };
  });

  app.post('/v1/drain', async () => {
    sidecar.drain();
    return { ok: true, state: sidecar.currentState };
  });

  app.post('/v1/shutdown', async (_req, reply) => {
    reply.code(202);
    setImmediate(() => {
      sidecar.shutdown('requested');
      options.onShutdownRequest?.();
    });
    return { ok: true };
  });

  app.get('/v1/events', (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    const send = (event: string, data: unknown) =>
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
    });
  });

  return app;
}
