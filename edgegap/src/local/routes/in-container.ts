/**
 * Calls from inside a deployment, authenticated by the injected tokens sent raw in
 * Authorization: the context (`ARBITRIUM_CONTEXT_URL`) and self-stop (`ARBITRIUM_DELETE_URL`).
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Status } from '../deployments.js';
import { edgegapTime } from '../ids.js';
import { locationView } from '../locations.js';
import { type LocalState, sendError } from '../state.js';

type Params = { id: string; secret: string };

function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function inContainerRoutes(app: FastifyInstance, state: LocalState): void {
  const { fleet, sessions } = state;

  app.get<{ Params: Params }>('/v1/context/:id/:secret', async (req, reply) => {
    const d = fleet.get(req.params.id);
    if (
      !d ||
      req.params.secret !== String(d.contextNumber) ||
      !sameSecret(req.headers.authorization, d.contextToken)
    ) {
      return sendError(reply, 401, 'Unauthorized');
    }
    return {
      request_id: d.requestId,
      public_ip: state.config.publicIp,
      status: d.status,
      ready: d.status === Status.READY,
      whitelisting_active: false,
      fqdn: fleet.fqdn(),
      ports: d.ports,
      location: locationView(d.location),
      tags: [...d.tags.keys()],
      sockets: d.sockets ?? 1,
      sockets_usage: sessions.usage(d),
      is_joinable_by_session: d.status === Status.READY && !d.stopRequested,
    };
  });

  const contextDeployment = (params: Params, authorization: unknown) => {
    const d = fleet.get(params.id);
    const ok =
      d !== undefined &&
      params.secret === String(d.contextNumber) &&
      sameSecret(authorization, d.contextToken);
    return ok ? d : undefined;
  };

  app.post<{ Params: Params }>('/v1/context/:id/:secret/tags', async (req, reply) => {
    const d = contextDeployment(req.params, req.headers.authorization);
    if (!d) return sendError(reply, 401, 'Unauthorized');
    const body = req.body as { name?: unknown } | undefined;
    if (typeof body?.name !== 'string' || body.name === '') {
      return sendError(reply, 400, 'name is required');
    }
    if (d.tags.has(body.name)) return sendError(reply, 409, `Tag ${body.name} already exists`);
    const time = edgegapTime(state.now());
    d.tags.set(body.name, { create_time: time, last_updated: time });
    return { name: body.name, create_time: time, last_updated: time };
  });

  app.delete<{ Params: Params & { tag: string } }>(
    '/v1/context/:id/:secret/tags/:tag',
    async (req, reply) => {
      const d = contextDeployment(req.params, req.headers.authorization);
      if (!d) return sendError(reply, 401, 'Unauthorized');
      if (!d.tags.delete(req.params.tag)) {
        return sendError(reply, 404, `Tag ${req.params.tag} not found`);
      }
      return { message: `Tag ${req.params.tag} deleted` };
    },
  );

  app.delete<{ Params: Params }>('/v1/self/stop/:id/:secret', async (req, reply) => {
    const d = fleet.get(req.params.id);
    if (
      !d ||
      req.params.secret !== String(d.deleteKey) ||
      !sameSecret(req.headers.authorization, d.deleteToken)
    ) {
      return sendError(reply, 401, 'Unauthorized');
    }
    if (d.stopRequested || d.status === Status.TERMINATED) {
      return sendError(reply, 410, `Deployment ${d.requestId} is already terminated`);
    }
    void fleet.terminate(d);
    return { message: `${d.requestId} - Delete request will be processed soon` };
  });
}
