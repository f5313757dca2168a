/**
 * Deployments: `POST /v2/deployments`, `POST /v1/deploy`, `GET /v1/status/{id}`,
 * `GET /v1/deployments`, `DELETE /v1/stop/{id}`, tags and container logs.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppRecord, VersionRecord } from '../catalog.js';
import { type Deployment, Status } from '../deployments.js';
import { edgegapTime } from '../ids.js';
import { locationView, type PlacingUser, placeDeployment } from '../locations.js';
import { isObject, type LocalState, sendError } from '../state.js';

type IdParams = { id: string };
type Env = { key: string; value: string; is_hidden?: boolean };

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by a matching fault rule: deployments this request creates fail or never get ready. */
    deploymentFault?: 'error' | 'never-ready';
  }
}

function envList(raw: unknown): Env[] | undefined {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) return undefined;
  const ok = raw.every(
    (e) => isObject(e) && typeof e.key === 'string' && typeof e.value === 'string',
  );
  return ok ? (raw as Env[]) : undefined;
}

function stringList(raw: unknown): string[] | undefined {
  if (raw === undefined) return [];
  return Array.isArray(raw) && raw.every((t) => typeof t === 'string') ? raw : undefined;
}

export function deploymentRoutes(app: FastifyInstance, state: LocalState): void {
  const { catalog, fleet } = state;

  function resolveVersion(
    reply: FastifyReply,
    appName: unknown,
    versionName: unknown,
  ): { app: AppRecord; version: VersionRecord } | undefined {
    const found = typeof appName === 'string' ? catalog.apps.get(appName) : undefined;
    if (!found) {
      sendError(reply, 404, `App ${String(appName)} not found`);
      return undefined;
    }
    const version =
      versionName === undefined
        ? catalog.latestVersion(found)
        : typeof versionName === 'string'
          ? found.versions.get(versionName)
          : undefined;
    if (!version) {
      sendError(reply, 404, `Version ${String(versionName)} of app ${found.name} not found`);
      return undefined;
    }
    if (!found.is_active || version.is_active === false) {
      sendError(reply, 400, `App ${found.name} version ${version.name} is not active`);
      return undefined;
    }
    return { app: found, version };
  }

  function lookup(req: FastifyRequest<{ Params: IdParams }>, reply: FastifyReply) {
    const d = fleet.get(req.params.id);
    // The live API answers 400 for an unknown id on status, where the spec says 404.
    if (!d) sendError(reply, 404, `Deployment ${req.params.id} not found`);
    return d;
  }

  app.post('/v2/deployments', async (req, reply) => {
    const body = req.body;
    if (!isObject(body)) return reply.code(400).send({ message: 'body must be an object' });
    const invalid = (message: string) => reply.code(400).send({ message, details: {} });
    if (typeof body.application !== 'string') return invalid('application is required');
    if (typeof body.version !== 'string') return invalid('version is required');
    const users = body.users;
    if (!Array.isArray(users) || users.length === 0)
      return invalid('users needs at least one user');
    for (const u of users) {
      const okIp =
        isObject(u) &&
        u.user_type === 'ip_address' &&
        isObject(u.user_data) &&
        typeof u.user_data.ip_address === 'string';
      const okGeo =
        isObject(u) &&
        u.user_type === 'geo_coordinates' &&
        isObject(u.user_data) &&
        typeof u.user_data.latitude === 'number' &&
        typeof u.user_data.longitude === 'number';
      if (!okIp && !okGeo) return invalid('each user needs user_type and matching user_data');
    }
    const envs = envList(body.environment_variables);
    if (!envs) return invalid('environment_variables must be a list of {key, value}');
    const tags = stringList(body.tags);
    if (!tags) return invalid('tags must be a list of strings');
    const webhooks: Record<string, string> = {};
    for (const kind of ['ready', 'error', 'terminated'] as const) {
      const hook = body[`webhook_on_${kind}`];
      if (hook === undefined || hook === null) continue;
      if (!isObject(hook) || typeof hook.url !== 'string') {
        return invalid(`webhook_on_${kind} must be {url}`);
      }
      webhooks[kind] = hook.url;
    }
    const target = resolveVersion(reply, body.application, body.version);
    if (!target) return reply;
    const location = placeDeployment(state.config.locations, users as PlacingUser[]);
    const d = fleet.create({
      appName: target.app.name,
      version: target.version,
      envs,
      tags,
      webhooks,
      ...(location ? { location } : {}),
      ...(req.deploymentFault ? { fault: req.deploymentFault } : {}),
    });
    return reply.code(202).send({ request_id: d.requestId });
  });

  app.post('/v1/deploy', async (req, reply) => {
    const body = req.body;
    if (!isObject(body) || typeof body.app_name !== 'string') {
      return sendError(reply, 400, 'app_name is required');
    }
    const ips = stringList(body.ip_list);
    const envs = envList(body.env_vars);
    const tags = stringList(body.tags);
    if (!ips || !envs || !tags) return sendError(reply, 400, 'ip_list, env_vars or tags malformed');
    if (body.webhook_url !== undefined && typeof body.webhook_url !== 'string') {
      return sendError(reply, 400, 'webhook_url must be a string');
    }
    const target = resolveVersion(reply, body.app_name, body.version_name);
    if (!target) return reply;
    const hook = body.webhook_url as string | undefined;
    const location = placeDeployment(
      state.config.locations,
      ips.map((ip) => ({ user_type: 'ip_address', user_data: { ip_address: ip } })),
    );
    const d = fleet.create({
      appName: target.app.name,
      version: target.version,
      envs,
      tags,
      ...(location ? { location } : {}),
      ...(hook ? { webhooks: { ready: hook, error: hook } } : {}),
      ...(req.deploymentFault ? { fault: req.deploymentFault } : {}),
    });
    const where = locationView(d.location);
    return {
      request_id: d.requestId,
      request_dns: fleet.fqdn(),
      request_app: target.app.name,
      request_version: target.version.name,
      request_user_count: Math.max(1, ips.length),
      city: where.city,
      country: where.country,
      continent: where.continent,
      administrative_division: where.administrative_division,
      tags,
      filters: [],
    };
  });

  app.get<{ Params: IdParams }>('/v1/status/:id', async (req, reply) => {
    const d = lookup(req, reply);
    return d ? fleet.statusView(d) : reply;
  });

  app.get<{ Querystring: { page?: string; limit?: string; query?: string } }>(
    '/v1/deployments',
    async (req, reply) => {
      const page = Number(req.query.page ?? 1);
      const limit = Number(req.query.limit ?? 100);
      if (!Number.isInteger(page) || page < 1 || !Number.isInteger(limit) || limit < 1) {
        return sendError(reply, 400, 'page and limit must be positive integers');
      }
      let filters: { field: string; operator: string; value: unknown }[] = [];
      if (req.query.query !== undefined) {
        try {
          const parsed = JSON.parse(req.query.query) as { filters?: unknown };
          if (!Array.isArray(parsed.filters)) throw new Error('filters missing');
          filters = parsed.filters as typeof filters;
        } catch {
          return sendError(reply, 400, 'query must be JSON {"filters":[{field,operator,value}]}');
        }
        for (const f of filters) {
          if (
            !isObject(f) ||
            typeof f.field !== 'string' ||
            !['eq', 'neq', 'in'].includes(f.operator as string)
          ) {
            return sendError(reply, 400, 'each filter needs field and operator eq, neq or in');
          }
        }
      }
      const matching = fleet.active().filter((d) => filters.every((f) => matches(d, f)));
      const pages = Math.max(1, Math.ceil(matching.length / limit));
      const data = matching.slice((page - 1) * limit, page * limit).map((d) => ({
        request_id: d.requestId,
        fqdn: fleet.fqdn(),
        ready: d.status === Status.READY,
        start_time: edgegapTime(d.startMs),
        public_ip: state.config.publicIp,
        ports: d.ports,
        tags: [...d.tags.keys()],
      }));
      return {
        data,
        total_count: matching.length,
        pagination: {
          number: page,
          next_page_number: page < pages ? page + 1 : null,
          previous_page_number: page > 1 ? page - 1 : null,
          paginator: { num_pages: pages },
          has_next: page < pages,
          has_previous: page > 1,
        },
      };
    },
  );

  app.delete<{ Params: IdParams }>('/v1/stop/:id', async (req, reply) => {
    const d = lookup(req, reply);
    if (!d) return reply;
    if (d.stopRequested || d.status === Status.TERMINATED) {
      return sendError(reply, 410, `Deployment ${d.requestId} is already terminated`);
    }
    const settled = d.status === Status.READY || d.status === Status.ERROR;
    const summary = fleet.statusView(d);
    void fleet.terminate(d);
    if (!settled) {
      return reply
        .code(202)
        .send({ message: `${d.requestId} - Delete request will be processed soon` });
    }
    return {
      message: `${d.requestId} - Delete request will be processed soon`,
      deployment_summary: summary,
    };
  });
}

function matches(d: Deployment, f: { field: string; operator: string; value: unknown }): boolean {
  const actual: unknown[] = (() => {
    switch (f.field) {
      case 'status':
        return [d.status, d.status.replace(/^Status\./, '')];
      case 'application':
      case 'app_name':
        return [d.appName];
      case 'version':
      case 'app_version':
        return [d.version.name];
      case 'tags':
        return [...d.tags.keys()];
      case 'request_id':
        return [d.requestId];
      default:
        return [];
    }
  })();
  const wanted = f.operator === 'in' && Array.isArray(f.value) ? f.value : [f.value];
  const hit = actual.some((a) => wanted.includes(a));
  return f.operator === 'neq' ? !hit : hit;
}
