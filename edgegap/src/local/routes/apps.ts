/** `/v1/app...`: create, read, patch and delete apps and versions. */
import type { FastifyInstance } from 'fastify';
import { EdgegapConfigError } from '../../errors.js';
import { appView, versionView } from '../catalog.js';
import { validateVersion } from '../config.js';
import { isObject, type LocalState, sendError } from '../state.js';

type AppParams = { app: string };
type VersionParams = { app: string; version: string };

export function appRoutes(app: FastifyInstance, state: LocalState): void {
  const { catalog } = state;

  app.post('/v1/app', async (req, reply) => {
    const body = req.body;
    if (!isObject(body) || typeof body.name !== 'string' || body.name.length < 3) {
      return sendError(reply, 400, 'name is required (3 to 64 characters)');
    }
    if (catalog.apps.has(body.name))
      return sendError(reply, 409, `App ${body.name} already exists`);
    return appView(catalog.createApp(body as { name: string }));
  });

  app.get('/v1/apps', async () => {
    const list = [...catalog.apps.values()].map(appView);
    return { applications: list, total_count: list.length };
  });

  app.get<{ Params: AppParams }>('/v1/app/:app', async (req, reply) => {
    const found = catalog.apps.get(req.params.app);
    return found ? appView(found) : sendError(reply, 404, `App ${req.params.app} not found`);
  });

  app.patch<{ Params: AppParams }>('/v1/app/:app', async (req, reply) => {
    const found = catalog.apps.get(req.params.app);
    if (!found) return sendError(reply, 404, `App ${req.params.app} not found`);
    if (!isObject(req.body)) return sendError(reply, 400, 'body must be an object');
    const { is_active, image } = req.body;
    if (typeof is_active === 'boolean') found.is_active = is_active;
    if (typeof image === 'string') found.image = image;
    return appView(found);
  });

  app.delete<{ Params: AppParams }>('/v1/app/:app', async (req, reply) => {
    if (!catalog.apps.delete(req.params.app)) {
      return sendError(reply, 404, `App ${req.params.app} not found`);
    }
    return { message: `App ${req.params.app} deleted` };
  });

  app.get<{ Params: AppParams }>('/v1/app/:app/versions', async (req, reply) => {
    const found = catalog.apps.get(req.params.app);
    if (!found) return sendError(reply, 404, `App ${req.params.app} not found`);
    const versions = [...found.versions.values()].map(versionView);
    return { versions, total_count: versions.length };
  });

  app.post<{ Params: AppParams }>('/v1/app/:app/version', async (req, reply) => {
    const found = catalog.apps.get(req.params.app);
    if (!found) return sendError(reply, 404, `App ${req.params.app} not found`);
    let version: Record<string, unknown> & { name: string };
    try {
      version = validateVersion('version', req.body, process.cwd(), false) as never;
    } catch (error) {
      if (error instanceof EdgegapConfigError) return sendError(reply, 400, error.message);
      throw error;
    }
    if (found.versions.has(version.name)) {
      return sendError(reply, 409, `Version ${version.name} already exists`);
    }
    return { success: true, version: versionView(catalog.createVersion(found, version)) };
  });

  app.get<{ Params: VersionParams }>('/v1/app/:app/version/:version', async (req, reply) => {
    const version = catalog.apps.get(req.params.app)?.versions.get(req.params.version);
    if (!version) return sendError(reply, 404, `Version ${req.params.version} not found`);
    return versionView(version);
  });

  app.patch<{ Params: VersionParams }>('/v1/app/:app/version/:version', async (req, reply) => {
    const found = catalog.apps.get(req.params.app);
    const version = found?.versions.get(req.params.version);
    if (!found || !version) return sendError(reply, 404, `Version ${req.params.version} not found`);
    if (!isObject(req.body)) return sendError(reply, 400, 'body must be an object');
    const merged = { ...version, ...req.body };
    try {
      validateVersion('version', merged, process.cwd(), false);
    } catch (error) {
      if (error instanceof EdgegapConfigError) return sendError(reply, 400, error.message);
      throw error;
    }
    const { create_time: _c, seq: _s, ...changes } = req.body;
    Object.assign(version, changes, { last_updated: new Date(state.now()).toISOString() });
    if (version.name !== req.params.version) {
      found.versions.delete(req.params.version);
      found.versions.set(version.name, version);
    }
    return { success: true, version: versionView(version) };
  });

  app.delete<{ Params: VersionParams }>('/v1/app/:app/version/:version', async (req, reply) => {
    const found = catalog.apps.get(req.params.app);
    if (!found?.versions.delete(req.params.version)) {
      return sendError(reply, 404, `Version ${req.params.version} not found`);
    }
    return { success: true, message: `Version ${req.params.version} deleted` };
  });
}
