/** `/v1/session...`: create, read and delete seat sessions; add and remove their users. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { SessionRequestError } from '../sessions.js';
import { isObject, type LocalState, sendError } from '../state.js';

type IdParams = { id: string };

function ipList(body: unknown): string[] | undefined {
  if (!isObject(body)) return undefined;
  const ips = body.ip_list ?? [];
  return Array.isArray(ips) && ips.every((ip) => typeof ip === 'string') ? ips : undefined;
}

export function sessionRoutes(app: FastifyInstance, state: LocalState): void {
  const { catalog, sessions } = state;

  const guard = async (reply: FastifyReply, fn: () => unknown) => {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof SessionRequestError)
        return sendError(reply, error.status, error.message);
      throw error;
    }
  };

  app.post('/v1/session', async (req, reply) => {
    const body = req.body;
    if (!isObject(body) || typeof body.app_name !== 'string') {
      return sendError(reply, 400, 'app_name is required');
    }
    const ips = ipList(body);
    if (!ips) return sendError(reply, 400, 'ip_list must be a list of strings');
    const found = catalog.apps.get(body.app_name);
    if (!found) return sendError(reply, 404, `App ${body.app_name} not found`);
    const version =
      typeof body.version_name === 'string'
        ? found.versions.get(body.version_name)
        : catalog.latestVersion(found);
    if (!version) return sendError(reply, 404, `Version ${String(body.version_name)} not found`);
    const deploymentId =
      typeof body.deployment_request_id === 'string' ? body.deployment_request_id : undefined;
    return guard(reply, () => {
      const s = sessions.create(found, version, ips, deploymentId);
      const answer: Record<string, unknown> = {
        session_id: s.sessionId,
        custom_id: '',
        app: found.name,
        version: version.name,
      };
      if (s.deploymentId) answer.deployment_request_id = s.deploymentId;
      return answer;
    });
  });

  app.get<{ Params: IdParams }>('/v1/session/:id', async (req, reply) =>
    guard(reply, () => sessions.view(sessions.get(req.params.id))),
  );

  app.delete<{ Params: IdParams }>('/v1/session/:id', async (req, reply) =>
    guard(reply, () => {
      const s = sessions.delete(req.params.id);
      return { message: 'Session deleted', session_id: s.sessionId, custom_id: '' };
    }),
  );

  app.get<{ Params: IdParams }>('/v1/session/:id/users', async (req, reply) =>
    guard(reply, () => ({
      session_users: sessions.get(req.params.id).ips.map((ip) => ({ ip })),
    })),
  );

  for (const method of ['PUT', 'DELETE'] as const) {
    app.route<{ Params: IdParams }>({
      method,
      url: '/v1/session/:id/users',
      handler: async (req, reply) => {
        const ips = ipList(req.body);
        if (!ips || !isObject(req.body) || !Array.isArray(req.body.ip_list)) {
          return sendError(reply, 400, 'ip_list (a list of strings) is required');
        }
        return guard(reply, () => {
          const s =
            method === 'PUT'
              ? sessions.addUsers(req.params.id, ips)
              : sessions.removeUsers(req.params.id, ips);
          return { session_users: s.ips.map((ip) => ({ ip })) };
        });
      },
    });
  }
}
