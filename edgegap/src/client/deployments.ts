/**
 * Deployments: v2 deploy, v1 deploy, status, list with filters, stop, tags and container logs.
 * Deploys are POSTs and never retried (a retry could start a second server); the rest are.
 */
import { EdgegapResponseError } from '../errors.js';
import { type HttpTransport, shaped } from './http.js';
import {
  asObject,
  normalizeStatus,
  normalizeSummary,
  optNumber,
  optString,
  reqString,
} from './normalize.js';
import type {
  CallOptions,
  DeployEnv,
  DeploymentFilter,
  DeploymentStatus,
  DeploymentSummary,
  DeploymentTag,
  DeployRequest,
  DeployV1Request,
  DeployV1Result,
} from './types.js';

const seg = encodeURIComponent;

const envBody = (envs: DeployEnv[] | undefined) =>
  envs?.map((e) => ({ key: e.key, value: e.value, is_hidden: e.isHidden ?? false }));

export async function deploy(
  http: HttpTransport,
  body: DeployRequest,
  call?: CallOptions,
): Promise<{ requestId: string }> {
  const users = body.users.map((u) =>
    'ipAddress' in u
      ? { user_type: 'ip_address', user_data: { ip_address: u.ipAddress } }
      : {
          user_type: 'geo_coordinates',
          user_data: { latitude: u.latitude, longitude: u.longitude },
        },
  );
  const wire: Record<string, unknown> = {
    application: body.application,
    version: body.version,
    users,
  };
  if (body.environmentVariables) wire.environment_variables = envBody(body.environmentVariables);
  if (body.tags) wire.tags = body.tags;
  if (body.webhooks?.onReady) wire.webhook_on_ready = { url: body.webhooks.onReady };
  if (body.webhooks?.onError) wire.webhook_on_error = { url: body.webhooks.onError };
  if (body.webhooks?.onTerminated) wire.webhook_on_terminated = { url: body.webhooks.onTerminated };
  const path = '/v2/deployments';
  const result = await http.request(
    { method: 'POST', path, body: wire, idempotent: false, limit: 'deploy' },
    call,
  );
  return shaped('POST', path, result.body, (b) => ({
    requestId: reqString(asObject(b, 'body'), 'request_id'),
  }));
}

export async function deployV1(
  http: HttpTransport,
  body: DeployV1Request,
  call?: CallOptions,
): Promise<DeployV1Result> {
  const wire: Record<string, unknown> = { app_name: body.appName };
  if (body.versionName !== undefined) wire.version_name = body.versionName;
  if (body.ipList) wire.ip_list = body.ipList;
  if (body.envVars) wire.env_vars = envBody(body.envVars);
  if (body.tags) wire.tags = body.tags;
  if (body.webhookUrl !== undefined) wire.webhook_url = body.webhookUrl;
  const path = '/v1/deploy';
  const result = await http.request(
    { method: 'POST', path, body: wire, idempotent: false, limit: 'deploy' },
    call,
  );
  return shaped('POST', path, result.body, (b) => {
    const o = asObject(b, 'body');
    const out: DeployV1Result = { requestId: reqString(o, 'request_id'), raw: b };
    const dns = optString(o.request_dns);
    if (dns !== undefined) out.requestDns = dns;
    const app = optString(o.request_app);
    if (app !== undefined) out.requestApp = app;
    const version = optString(o.request_version);
    if (version !== undefined) out.requestVersion = version;
    return out;
  });
}

export async function getStatus(
  http: HttpTransport,
  requestId: string,
  call?: CallOptions,
): Promise<DeploymentStatus> {
  const path = `/v1/status/${seg(requestId)}`;
  const result = await http.request(
    { method: 'GET', path, idempotent: true, limit: 'status' },
    call,
  );
  return shaped('GET', path, result.body, normalizeStatus);
}

export async function listDeployments(
  http: HttpTransport,
  query: { filters?: DeploymentFilter[]; page?: number; limit?: number } = {},
  call?: CallOptions,
): Promise<{ items: DeploymentSummary[]; totalCount: number }> {
  const path = '/v1/deployments';
  const result = await http.request(
    {
      method: 'GET',
      path,
      idempotent: true,
      limit: 'list',
      query: {
        page: query.page,
        limit: query.limit,
        query: query.filters ? JSON.stringify({ filters: query.filters }) : undefined,
      },
    },
    call,
  );
  return shaped('GET', path, result.body, (b) => {
    const o = asObject(b, 'body');
    const data = Array.isArray(o.data) ? o.data : [];
    const items = data.map(normalizeSummary);
    return { items, totalCount: optNumber(o.total_count) ?? items.length };
  });
}

export async function stopDeployment(
  http: HttpTransport,
  requestId: string,
  call?: CallOptions,
): Promise<{ stopped: 'now' | 'when-ready' | 'already-gone' }> {
  const path = `/v1/stop/${seg(requestId)}`;
  const result = await http.request(
    { method: 'DELETE', path, idempotent: true, allowStatuses: [410] },
    call,
  );
  if (result.status === 410) return { stopped: 'already-gone' };
  if (result.status === 202) return { stopped: 'when-ready' };
  return { stopped: 'now' };
}

function normalizeTag(b: unknown): DeploymentTag {
  const o = asObject(b, 'tag');
  const tag: DeploymentTag = { name: reqString(o, 'name') };
  const created = optString(o.create_time);
  if (created !== undefined) tag.createTime = created;
  const updated = optString(o.last_updated);
  if (updated !== undefined) tag.lastUpdated = updated;
  return tag;
}

export async function getTags(
  http: HttpTransport,
  requestId: string,
  call?: CallOptions,
): Promise<DeploymentTag[]> {
  const path = `/v1/deployments/${seg(requestId)}/tags`;
  const result = await http.request({ method: 'GET', path, idempotent: true }, call);
  return shaped('GET', path, result.body, (b) => {
    const tags = asObject(b, 'body').tags;
    if (!Array.isArray(tags)) throw new EdgegapResponseError('GET', path, 'tags is not a list');
    return tags.map(normalizeTag);
  });
}

export async function addTags(
  http: HttpTransport,
  requestId: string,
  tags: string[],
  call?: CallOptions,
): Promise<DeploymentTag[]> {
  const path = `/v1/deployments/${seg(requestId)}/tags`;
  const added: DeploymentTag[] = [];
  for (const name of tags) {
    const result = await http.request(
      { method: 'POST', path, body: { name }, idempotent: false },
      call,
    );
    added.push(shaped('POST', path, result.body, normalizeTag));
  }
  return added;
}

export async function deleteTag(
  http: HttpTransport,
  requestId: string,
  tag: string,
  call?: CallOptions,
): Promise<void> {
  const path = `/v1/deployments/${seg(requestId)}/tags/${seg(tag)}`;
  await http.request({ method: 'DELETE', path, idempotent: true }, call);
}

export async function getLogs(
  http: HttpTransport,
  requestId: string,
  call?: CallOptions,
): Promise<{ logs: string; crashLogs?: string }> {
  const path = `/v1/deployment/${seg(requestId)}/container-logs`;
  const result = await http.request({ method: 'GET', path, idempotent: true }, call);
  return shaped('GET', path, result.body, (b) => {
    const o = asObject(b, 'body');
    const out: { logs: string; crashLogs?: string } = { logs: optString(o.logs) ?? '' };
    const crash = optString(o.crash_logs);
    if (crash) out.crashLogs = crash;
    return out;
  });
}
