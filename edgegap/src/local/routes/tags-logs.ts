/** Deployment tags (`/v1/deployments/{id}/tags...`) and container logs. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Status } from '../deployments.js';
import { edgegapTime } from '../ids.js';
import { isObject, type LocalState, sendError } from '../state.js';

type IdParams = { id: string };

export function tagAndLogRoutes(app: FastifyInstance, state: LocalState): void {
  const { fleet } = state;

  function lookup(req: FastifyRequest<{ Params: IdParams }>, reply: FastifyReply) {
    const d = fleet.get(req.params.id);
    if (!d) sendError(reply, 404, `Deployment ${req.params.id} not found`);
    return d;
  }

  app.get<{ Params: IdParams }>('/v1/deployments/:id/tags', async (req, reply) => {
    const d = lookup(req, reply);
    if (!d) return reply;
    const tags = [...d.tags].map(([name, t]) => ({ name, ...t }));
    return {
      tags,
      total_count: tags.length,
      pagination: {
        number: 1,
        next_page_number: null,
        previous_page_number: null,
        paginator: { num_pages: 1 },
        has_next: false,
        has_previous: false,
      },
    };
  });

  app.post<{ Params: IdParams }>('/v1/deployments/:id/tags', async (req, reply) => {
    const d = lookup(req, reply);
    if (!d) return reply;
    const body = req.body;
    if (!isObject(body) || typeof body.name !== 'string' || body.name === '') {
      return sendError(reply, 400, 'name is required');
    }
    if (d.tags.has(body.name)) return sendError(reply, 409, `Tag ${body.name} already exists`);
    const time = edgegapTime(state.now());
    d.tags.set(body.name, { create_time: time, last_updated: time });
    return { name: body.name, create_time: time, last_updated: time };
  });

  app.patch<{ Params: IdParams & { tag: string } }>(
    '/v1/deployments/:id/tags/:tag',
    async (req, reply) => {
      const d = lookup(req, reply);
      if (!d) return reply;
      const old = d.tags.get(req.params.tag);
      if (!old) return sendError(reply, 404, `Tag ${req.params.tag} not found`);
      const body = req.body;
      if (!isObject(body) || typeof body.name !== 'string')
        return sendError(reply, 400, 'name is required');
      d.tags.delete(req.params.tag);
      const time = edgegapTime(state.now());
      d.tags.set(body.name, { create_time: old.create_time, last_updated: time });
      return { name: body.name, create_time: old.create_time, last_updated: time };
    },
  );

  app.delete<{ Params: IdParams & { tag: string } }>(
    '/v1/deployments/:id/tags/:tag',
    async (req, reply) => {
      const d = lookup(req, reply);
      if (!d) return reply;
      if (!d.tags.delete(req.params.tag))
        return sendError(reply, 404, `Tag ${req.params.tag} not found`);
      return { message: `Tag ${req.params.tag} deleted` };
    },
  );

  app.get<{ Params: IdParams }>('/v1/deployment/:id/container-logs', async (req, reply) => {
    const d = lookup(req, reply);
    if (!d) return reply;
    const crashed = d.status === Status.ERROR && d.exitCode !== undefined;
    return {
      logs: d.logs,
      crash_logs: crashed ? d.logs : null,
      crash_data: crashed
        ? { exit_code: d.exitCode, message: d.errorDetail, restart_count: 0 }
        : undefined,
      encoding: 'plain',
      logs_link: null,
    };
  });
}
