/**
 * Builds edgegap-local's fastify app (nothing listens here): Edgegap's API routes, API-key
 * auth, fault injection, call recording, and an onClose hook that stops every deployment.
 */
import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { EdgegapConfigError } from '../errors.js';
import { Catalog } from './catalog.js';
import { sleepOn } from './clock.js';
import { type EdgegapLocalOptions, type LocalConfig, resolveLocalConfig } from './config.js';
import { Fleet } from './deployments.js';
import { FaultSpecError, FaultTable } from './faults.js';
import { beaconList, startPingBeacons } from './ping-beacons.js';
import { PortPool } from './ports.js';
import { adminRoutes } from './routes/admin.js';
import { appRoutes } from './routes/apps.js';
import { deploymentRoutes } from './routes/deployments.js';
import { inContainerRoutes } from './routes/in-container.js';
import { sessionRoutes } from './routes/sessions.js';
import { tagAndLogRoutes } from './routes/tags-logs.js';
import { SessionBook } from './sessions.js';
import type { LocalState } from './state.js';

const MAX_RECORDED_CALLS = 10_000;

declare module 'fastify' {
  interface FastifyRequest {
    arrivedAt?: number;
  }
}

function keyMatches(header: unknown, apiKey: string): boolean {
  if (typeof header !== 'string') return false;
  const given = Buffer.from(header);
  const expected = Buffer.from(`token ${apiKey}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Build edgegap-local's app from options (config file read, apps registered) without
 * listening; use `app.inject` in tests, or {@link startEdgegapLocal} to listen.
 *
 * @example
 * const app = await buildEdgegapLocalApp({ apps: [myApp] });
 * const res = await app.inject({ method: 'GET', url: '/v1/app/my-game', headers: { authorization: 'token local-dev-key' } });
 */
export async function buildEdgegapLocalApp(
  options: EdgegapLocalOptions = {},
): Promise<FastifyInstance> {
  const config: LocalConfig = await resolveLocalConfig(options);
  const app = Fastify({ logger: config.logger });
  // Like Edgegap, accept a JSON content type with an empty body (DELETE from many clients).
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      // Drop "__proto__" keys: bodies are merged into stored records.
      done(
        null,
        JSON.parse(text, (key, value) => (key === '__proto__' ? undefined : value)),
      );
    } catch {
      const error = new Error('Body is not valid JSON') as Error & { statusCode: number };
      error.statusCode = 400;
      done(error, undefined);
    }
  });
  // One clock for everything the API reports or schedules (options.clock, default real time).
  const { clock } = config;
  const now = () => clock.now();
  const urlHost = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  const baseUrl = () => {
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    return `http://${urlHost}:${port}`;
  };
  const catalog = new Catalog(now);
  for (const appConfig of config.apps) {
    const record = catalog.apps.get(appConfig.name) ?? catalog.createApp({ name: appConfig.name });
    for (const version of appConfig.versions) {
      catalog.createVersion(record, version as never);
    }
  }
  const fleet = new Fleet(config, new PortPool(urlHost), baseUrl);
  const faults = new FaultTable();
  for (const fault of config.faults) {
    try {
      faults.add(fault);
    } catch (error) {
      if (error instanceof FaultSpecError) {
        throw new EdgegapConfigError(`edgegap-local: faults: ${error.message}`);
      }
      throw error;
    }
  }
  const pings = await startPingBeacons(config.locations, config.host, clock);
  // From here on the ping endpoints listen: closing the app (onClose below) closes them.
  const state: LocalState = {
    config,
    catalog,
    fleet,
    sessions: new SessionBook(fleet, clock),
    faults,
    calls: [],
    now,
  };

  app.addHook('onRequest', async (req, reply) => {
    req.arrivedAt = now();
    const admin = req.url.startsWith('/_local/');
    if (!admin) {
      const fault = faults.take(req.method, req.url);
      if (fault?.latencyMs) await sleepOn(clock, fault.latencyMs);
      if (fault?.deployment) req.deploymentFault = fault.deployment;
      if (fault?.status !== undefined) {
        return reply.code(fault.status).send(fault.body ?? { message: 'Injected fault' });
      }
    }
    const inContainer = req.url.startsWith('/v1/context/') || req.url.startsWith('/v1/self/stop/');
    if (!inContainer && !keyMatches(req.headers.authorization, config.apiKey)) {
      return reply.code(401).send({ message: 'Unauthorized' });
    }
  });

  app.addHook('onResponse', async (req, reply) => {
    if (req.url.startsWith('/_local/')) return;
    const q = req.url.indexOf('?');
    state.calls.push({
      method: req.method,
      path: q === -1 ? req.url : req.url.slice(0, q),
      url: req.url,
      status: reply.statusCode,
      at: req.arrivedAt ?? now(),
    });
    if (state.calls.length > MAX_RECORDED_CALLS) state.calls.shift();
  });

  app.addHook('onClose', async () => {
    await pings.close();
    state.sessions.close();
    await fleet.closeAll();
  });

  appRoutes(app, state);
  deploymentRoutes(app, state);
  tagAndLogRoutes(app, state);
  sessionRoutes(app, state);
  inContainerRoutes(app, state);
  adminRoutes(app, state);
  // Edgegap's beacons are pinged over UDP or TCP; these answer HTTP, which browsers can use.
  app.get('/v1/locations/beacons', async () => beaconList(pings.beacons, fleet.fqdn()));
  return app;
}
