/**
 * Admin endpoints for tests (same API key): set and clear faults, list the calls received,
 * list every deployment with its pid, status and ports.
 */
import type { FastifyInstance } from 'fastify';
import { FaultSpecError } from '../faults.js';
import { type LocalState, sendError } from '../state.js';

export function adminRoutes(app: FastifyInstance, state: LocalState): void {
  app.post('/_local/faults', async (req, reply) => {
    try {
      return { id: state.faults.add(req.body) };
    } catch (error) {
      if (error instanceof FaultSpecError) return sendError(reply, 400, error.message);
      throw error;
    }
  });

  app.get('/_local/faults', async () => ({ faults: state.faults.list() }));

  app.delete('/_local/faults', async () => {
    state.faults.clear();
    return { cleared: true };
  });

  app.get('/_local/calls', async () => state.calls);

  app.delete('/_local/calls', async () => {
    state.calls.length = 0;
    return { cleared: true };
  });

  app.get('/_local/deployments', async () =>
    [...state.fleet.deployments.values()].map((d) => ({
      requestId: d.requestId,
      app: d.appName,
      version: d.version.name,
      status: d.status,
      pid: d.process?.pid() ?? null,
      groupPid: d.process?.groupPid ?? null,
      exitCode: d.exitCode ?? null,
      stopRequested: d.stopRequested,
      ports: d.ports,
      sockets: d.sockets ?? null,
      socketsUsage: state.sessions.usage(d),
    })),
  );
}
