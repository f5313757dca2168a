/**
 * Calls from inside a deployment, authenticated by the injected tokens sent raw in
 * Authorization: the context (`ARBITRIUM_CONTEXT_URL`) and self-stop (`ARBITRIUM_DELETE_URL`).
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { LOCAL_LOCATION, Status } from '../deployments.js';
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
      location: LOCAL_LOCATION,
      tags: [...d.tags.keys()],
      sockets: d.sockets ?? 1,
      sockets_usage: sessions.usage(d),
      is_joinable_by_session: d.status === Status.READY && !d.stopRequested,
    };
  });

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
