/**
 * Applications and versions (`/v1/app...`): the CLI and CI create and patch versions. Bodies
 * are Edgegap's own snake_case objects, passed through; answers are returned as parsed.
 */
import { type HttpTransport, shaped } from './http.js';
import { asObject } from './normalize.js';
import type { CallOptions, EdgegapBody } from './types.js';

const seg = encodeURIComponent;

async function json(
  http: HttpTransport,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body: unknown,
  call?: CallOptions,
): Promise<EdgegapBody> {
  const idempotent = method !== 'POST';
  const result = await http.request({ method, path, body, idempotent }, call);
  if (result.body === undefined) return {};
  return shaped(method, path, result.body, (b) => asObject(b, 'body'));
}

export const getApp = (http: HttpTransport, name: string, call?: CallOptions) =>
  json(http, 'GET', `/v1/app/${seg(name)}`, undefined, call);
export const createApp = (http: HttpTransport, body: EdgegapBody, call?: CallOptions) =>
  json(http, 'POST', '/v1/app', body, call);
export const patchApp = (
  http: HttpTransport,
  name: string,
  body: EdgegapBody,
  call?: CallOptions,
) => json(http, 'PATCH', `/v1/app/${seg(name)}`, body, call);

export const getVersion = (http: HttpTransport, app: string, version: string, call?: CallOptions) =>
  json(http, 'GET', `/v1/app/${seg(app)}/version/${seg(version)}`, undefined, call);
export const createVersion = (
  http: HttpTransport,
  app: string,
  body: EdgegapBody,
  call?: CallOptions,
) => json(http, 'POST', `/v1/app/${seg(app)}/version`, body, call);
export const patchVersion = (
  http: HttpTransport,
  app: string,
  version: string,
  body: EdgegapBody,
  call?: CallOptions,
) => json(http, 'PATCH', `/v1/app/${seg(app)}/version/${seg(version)}`, body, call);
export const deleteVersion = (
  http: HttpTransport,
  app: string,
  version: string,
  call?: CallOptions,
) => json(http, 'DELETE', `/v1/app/${seg(app)}/version/${seg(version)}`, undefined, call);
