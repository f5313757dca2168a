/**
 * The operator dashboard on the matchmaker front: `GET /dashboard` (the page), `GET
 * /dashboard/state` (one snapshot as JSON) and `GET /dashboard/events` (server-sent events: a
 * snapshot on every change, at most every `minIntervalMs`, and at least every second so
 * durations and charts move). With a token, every route wants it: `?token=` once (the page
 * then keeps it in an HttpOnly cookie and drops it from the address bar), the cookie, or
 * `Authorization: Bearer`. Without one (`npm start`, loopback only) the routes are open.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DASHBOARD_PAGE } from './dashboard-page.js';
import type { DashboardState } from './dashboard-state.js';

export interface DashboardRouteOptions {
  state: DashboardState;
  /** Wanted on every dashboard request when set. Never logged. */
  token?: string;
  /** Fewest milliseconds between two pushed snapshots. Default 250. */
  minIntervalMs?: number;
  /** A snapshot is pushed at least this often. Default 1 000. */
  refreshMs?: number;
}

const COOKIE = 'playgap_dashboard';

/**
 * @example
 * registerDashboard(app, { state, token: process.env.PLAYGAP_DASHBOARD_TOKEN });
 */
export function registerDashboard(app: FastifyInstance, options: DashboardRouteOptions): void {
  const { state } = options;
  const minIntervalMs = options.minIntervalMs ?? 250;
  const refreshMs = options.refreshMs ?? 1_000;
  const wanted = options.token ? digest(options.token) : undefined;
  /** Open event streams, ended when the front closes (they would hold its close forever). */
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });

  const allowed = (request: FastifyRequest): boolean => {
    if (!wanted) return true;
    const query = (request.query as Record<string, unknown> | undefined)?.token;
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const cookie = readCookie(request.headers.cookie, COOKIE);
    return [query, bearer, cookie].some(
      (given) => typeof given === 'string' && timingSafeEqual(digest(given), wanted),
    );
  };
  const refuse = (reply: FastifyReply) =>
    reply.code(401).type('application/json').send({
      code: 'DASHBOARD_TOKEN_REQUIRED',
      message:
        'This dashboard wants its token: open /dashboard?token=<PLAYGAP_DASHBOARD_TOKEN> once.',
    });

  app.get('/dashboard', async (request, reply) => {
    if (!allowed(request)) return refuse(reply);
    const query = request.query as Record<string, unknown> | undefined;
    if (wanted && typeof query?.token === 'string') {
      // Keep the token out of the address bar and history: a cookie for the dashboard only.
      return reply
        .header(
          'set-cookie',
          `${COOKIE}=${encodeURIComponent(query.token)}; Path=/dashboard; HttpOnly; SameSite=Strict`,
        )
        .redirect('/dashboard', 303);
    }
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .send(DASHBOARD_PAGE);
  });

  app.get('/dashboard/state', async (request, reply) => {
    if (!allowed(request)) return refuse(reply);
    return reply.header('cache-control', 'no-store').send(state.snapshot());
  });

  app.get('/dashboard/events', (request, reply) => {
    if (!allowed(request)) {
      void refuse(reply);
      return;
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    let lastSent = 0;
    let pending: NodeJS.Timeout | undefined;
    const send = () => {
      pending = undefined;
      lastSent = Date.now();
      res.write(`data: ${JSON.stringify(state.snapshot())}\n\n`);
    };
    const soon = () => {
      if (pending) return;
      pending = setTimeout(send, Math.max(0, lastSent + minIntervalMs - Date.now()));
    };
    const off = state.onChange(soon);
    const tick = setInterval(soon, refreshMs);
    send();
    const stop = () => {
      streams.delete(end);
      off();
      clearInterval(tick);
      clearTimeout(pending);
    };
    const end = () => {
      stop();
      res.end();
    };
    streams.add(end);
    request.raw.on('close', stop);
    res.on('error', stop);
  });
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) {
      try {
        return decodeURIComponent(rest.join('='));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
