/**
 * v1 seat sessions (`/v1/session...`): create, get, delete, add and remove users. Creating is
 * a POST and never retried; a 410 on delete means the session was already gone.
 */
import { type HttpTransport, shaped } from './http.js';
import { asObject, normalizeSession, reqString } from './normalize.js';
import type { CallOptions, CreateSessionRequest, SessionStatus } from './types.js';

const seg = encodeURIComponent;

export async function createSession(
  http: HttpTransport,
  body: CreateSessionRequest,
  call?: CallOptions,
): Promise<{ sessionId: string }> {
  const wire: Record<string, unknown> = { app_name: body.appName };
  if (body.versionName !== undefined) wire.version_name = body.versionName;
  if (body.ipList) wire.ip_list = body.ipList;
  if (body.deploymentRequestId !== undefined) wire.deployment_request_id = body.deploymentRequestId;
  const path = '/v1/session';
  const result = await http.request(
    { method: 'POST', path, body: wire, idempotent: false, limit: 'deploy' },
    call,
  );
  return shaped('POST', path, result.body, (b) => ({
    sessionId: reqString(asObject(b, 'body'), 'session_id'),
  }));
}

export async function getSession(
  http: HttpTransport,
  sessionId: string,
  call?: CallOptions,
): Promise<SessionStatus> {
  const path = `/v1/session/${seg(sessionId)}`;
  const result = await http.request(
    { method: 'GET', path, idempotent: true, limit: 'status' },
    call,
  );
  return shaped('GET', path, result.body, normalizeSession);
}

export async function deleteSession(
  http: HttpTransport,
  sessionId: string,
  call?: CallOptions,
): Promise<{ deleted: boolean }> {
  const path = `/v1/session/${seg(sessionId)}`;
  const result = await http.request(
    { method: 'DELETE', path, idempotent: true, allowStatuses: [410] },
    call,
  );
  return { deleted: result.status !== 410 };
}

async function users(
  http: HttpTransport,
  method: 'PUT' | 'DELETE',
  sessionId: string,
  ips: string[],
  call?: CallOptions,
): Promise<{ ips: string[] }> {
  const path = `/v1/session/${seg(sessionId)}/users`;
  const result = await http.request(
    { method, path, body: { ip_list: ips }, idempotent: true },
    call,
  );
  return shaped(method, path, result.body, (b) => {
    const list = asObject(b ?? {}, 'body').session_users;
    const out = Array.isArray(list)
      ? list.map((u) => (typeof u === 'object' && u ? String((u as { ip?: unknown }).ip) : ''))
      : [];
    return { ips: out.filter((ip) => ip !== '') };
  });
}

export const addSessionUsers = (
  http: HttpTransport,
  sessionId: string,
  ips: string[],
  call?: CallOptions,
) => users(http, 'PUT', sessionId, ips, call);

export const removeSessionUsers = (
  http: HttpTransport,
  sessionId: string,
  ips: string[],
  call?: CallOptions,
) => users(http, 'DELETE', sessionId, ips, call);
