// edgegap-local's answers checked against Edgegap's own OpenAPI files (read from
// ../shared/reference/edgegap when present; never copied into the repo): for every endpoint
// it implements, the response body must validate against the documented schema.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@playgap/testkit';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { EdgegapLocal } from '../src/index.js';
import { nodeVersion, startLocal } from './helpers.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const referenceDir = resolve(repoRoot, '../shared/reference/edgegap');
const present = existsSync(resolve(referenceDir, 'edgegap-v1-openapi.yaml'));
if (!present) console.log(`openapi-shapes: skipped, ${referenceDir} is absent`);

type Doc = {
  paths: Record<string, Record<string, { responses: Record<string, Record<string, unknown>> }>>;
  components?: { schemas: Record<string, unknown> };
  definitions?: Record<string, unknown>;
};

function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] =
      k === '$ref' && typeof v === 'string'
        ? v.replace('#/components/schemas/', '#/$defs/').replace('#/definitions/', '#/$defs/')
        : rewriteRefs(v);
  }
  return out;
}

const validators = new WeakMap<Doc, Map<string, ValidateFunction>>();
const ajv = new Ajv({ strict: false, allErrors: true });

/** A validator for one documented response of one operation (compiled once per doc). */
function responseValidator(
  doc: Doc,
  path: string,
  method: string,
  status: string,
): ValidateFunction {
  const key = `${method} ${path} ${status}`;
  const forDoc = validators.get(doc) ?? new Map<string, ValidateFunction>();
  validators.set(doc, forDoc);
  const cached = forDoc.get(key);
  if (cached) return cached;
  const response = doc.paths[path]?.[method]?.responses[status];
  if (!response) throw new Error(`${method} ${path} ${status} is not documented`);
  const content = response.content as Record<string, { schema: unknown }> | undefined;
  const schema = content ? content['application/json']?.schema : response.schema;
  const defs = doc.components?.schemas ?? doc.definitions ?? {};
  const validate = ajv.compile(rewriteRefs({ ...(schema as object), $defs: defs }) as object);
  forDoc.set(key, validate);
  return validate;
}

describe.runIf(present)('edgegap-local answers match Edgegap OpenAPI shapes', () => {
  let local: EdgegapLocal;
  let v1: Doc;
  let v2: Doc;
  let legacy: Doc;
  const auth = () => ({
    authorization: `token ${local.apiKey}`,
    'content-type': 'application/json',
  });
  const call = async (method: string, path: string, body?: unknown, headers = auth()) => {
    const res = await fetch(local.url + path, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const check = (
    doc: Doc,
    path: string,
    method: string,
    answer: { status: number; body: unknown },
  ) => {
    const validate = responseValidator(doc, path, method, String(answer.status));
    const ok = validate(answer.body);
    expect(ok, `${method} ${path} ${answer.status}: ${JSON.stringify(validate.errors)}`).toBe(true);
  };

  beforeAll(async () => {
    const read = (name: string) => parse(readFileSync(resolve(referenceDir, name), 'utf8')) as Doc;
    v1 = read('edgegap-v1-openapi.yaml');
    v2 = read('edgegap-v2-openapi.yaml');
    legacy = read('edgegap-2024-sessions-context.yaml');
    local = await startLocal({
      apps: [
        {
          name: 'game',
          versions: [
            {
              ...nodeVersion('v1', 'tcp-server.mjs'),
              session_config: { kind: 'Seat', sockets: 4, autodeploy: true },
            },
          ],
        },
      ],
      locations: 'demo',
    });
  });
  afterAll(() => local?.close());

  it('ping beacons of the configured locations', async () => {
    const beacons = await call('GET', '/v1/locations/beacons');
    expect(beacons.body.count).toBe(3);
    check(v1, '/v1/locations/beacons', 'get', beacons);
  });

  it('apps and versions', async () => {
    check(
      v1,
      '/v1/app',
      'post',
      await call('POST', '/v1/app', { name: 'shape-app', is_active: true, image: '' }),
    );
    check(
      v1,
      '/v1/app',
      'post',
      await call('POST', '/v1/app', { name: 'shape-app', is_active: true, image: '' }),
    );
    check(v1, '/v1/app/{app_name}', 'get', await call('GET', '/v1/app/shape-app'));
    check(v1, '/v1/app/{app_name}', 'get', await call('GET', '/v1/app/missing-app'));
    check(
      v1,
      '/v1/app/{app_name}',
      'patch',
      await call('PATCH', '/v1/app/shape-app', { is_active: true }),
    );
    const version = {
      name: 'v1',
      docker_repository: 'r',
      docker_image: 'i',
      docker_tag: 't',
      req_cpu: 256,
      req_memory: 512,
    };
    check(
      v1,
      '/v1/app/{app_name}/version',
      'post',
      await call('POST', '/v1/app/shape-app/version', version),
    );
    check(
      v1,
      '/v1/app/{app_name}/version',
      'post',
      await call('POST', '/v1/app/shape-app/version', version),
    );
    const vpath = '/v1/app/{app_name}/version/{version_name}';
    check(v1, vpath, 'get', await call('GET', '/v1/app/shape-app/version/v1'));
    check(
      v1,
      vpath,
      'patch',
      await call('PATCH', '/v1/app/shape-app/version/v1', { docker_tag: 'u' }),
    );
    check(v1, vpath, 'delete', await call('DELETE', '/v1/app/shape-app/version/v1'));
    check(v1, vpath, 'get', await call('GET', '/v1/app/shape-app/version/v1'));
  });

  it('deployments, status, list, tags, logs and stop', async () => {
    const users = [{ user_type: 'ip_address', user_data: { ip_address: '1.2.3.4' } }];
    check(
      v2,
      '/deployments',
      'post',
      await call('POST', '/v2/deployments', { application: 'game', version: 'v1', users: [] }),
    );
    check(
      v2,
      '/deployments',
      'post',
      await call(
        'POST',
        '/v2/deployments',
        {},
        { authorization: 'token wrong', 'content-type': 'application/json' },
      ),
    );
    const created = await call('POST', '/v2/deployments', {
      application: 'game',
      version: 'v1',
      users,
      tags: ['a'],
    });
    check(v2, '/deployments', 'post', created);
    const id = created.body.request_id as string;
    check(v1, '/v1/status/{deployment_id}', 'get', await call('GET', `/v1/status/${id}`));
    await waitFor(async () => (await call('GET', `/v1/status/${id}`)).body.running, {
      what: 'READY',
      timeoutMs: 20_000,
      retryErrors: true,
    });
    check(v1, '/v1/status/{deployment_id}', 'get', await call('GET', `/v1/status/${id}`));
    check(v1, '/v1/deployments', 'get', await call('GET', '/v1/deployments?page=1&limit=10'));
    const tags = '/v1/deployments/{deployment_id}/tags';
    check(v1, tags, 'post', await call('POST', `/v1/deployments/${id}/tags`, { name: 'b' }));
    check(v1, tags, 'post', await call('POST', `/v1/deployments/${id}/tags`, { name: 'b' }));
    check(v1, tags, 'get', await call('GET', `/v1/deployments/${id}/tags`));
    check(
      v1,
      '/v1/deployments/{deployment_id}/tags/{tag_name}',
      'patch',
      await call('PATCH', `/v1/deployments/${id}/tags/b`, { name: 'c' }),
    );
    check(
      v1,
      '/v1/deployment/{deployment_id}/container-logs',
      'get',
      await call('GET', `/v1/deployment/${id}/container-logs`),
    );
    check(
      v1,
      '/v1/deploy',
      'post',
      await call('POST', '/v1/deploy', { app_name: 'game', ip_list: ['1.2.3.4'] }),
    );
    check(v1, '/v1/deploy', 'post', await call('POST', '/v1/deploy', { app_name: 'nope' }));
    const starting = await call('POST', '/v2/deployments', {
      application: 'game',
      version: 'v1',
      users,
    });
    check(
      v1,
      '/v1/stop/{deployment_id}',
      'delete',
      await call('DELETE', `/v1/stop/${starting.body.request_id}`),
    );
    check(v1, '/v1/stop/{deployment_id}', 'delete', await call('DELETE', `/v1/stop/${id}`));
    check(v1, '/v1/stop/{deployment_id}', 'delete', await call('DELETE', `/v1/stop/${id}`));
  });

  it('sessions, context and self-stop', async () => {
    const created = await call('POST', '/v1/session', { app_name: 'game', ip_list: ['1.1.1.1'] });
    check(legacy, '/v1/session', 'post', created);
    const sid = created.body.session_id as string;
    check(legacy, '/v1/session/{session_id}', 'get', await call('GET', `/v1/session/${sid}`));
    const ready = await waitFor(
      async () => {
        const s = await call('GET', `/v1/session/${sid}`);
        return s.body.ready ? s : undefined;
      },
      { what: 'session ready', timeoutMs: 20_000, retryErrors: true },
    );
    check(legacy, '/v1/session/{session_id}', 'get', ready);
    const users = '/v1/session/{session_id}/users';
    check(
      legacy,
      users,
      'put',
      await call('PUT', `/v1/session/${sid}/users`, { ip_list: ['2.2.2.2'] }),
    );
    check(
      legacy,
      users,
      'delete',
      await call('DELETE', `/v1/session/${sid}/users`, { ip_list: ['2.2.2.2'] }),
    );
    check(legacy, users, 'get', await call('GET', `/v1/session/${sid}/users`));
    const requestId = (ready.body.deployment as { request_id: string }).request_id;
    const res = await fetch(`${local.url}/_local/deployments`, { headers: auth() });
    expect(
      ((await res.json()) as { requestId: string }[]).some((d) => d.requestId === requestId),
    ).toBe(true);
    check(legacy, '/v1/session/{session_id}', 'delete', await call('DELETE', `/v1/session/${sid}`));
    check(legacy, '/v1/session/{session_id}', 'delete', await call('DELETE', `/v1/session/${sid}`));
    const ctx = '/v1/context/{request_id}/{security_number}';
    check(
      legacy,
      ctx,
      'get',
      await call('GET', `/v1/context/${requestId}/1`, undefined, { authorization: 'bad' } as never),
    );
    const stop = '/v1/self/stop/{deployment_id}/{stop_key}';
    check(
      v1,
      stop,
      'delete',
      await call('DELETE', `/v1/self/stop/${requestId}/1`, undefined, {
        authorization: 'bad',
      } as never),
    );
  });
});
