// Contract suite: the EdgegapClient driven against a real edgegap-local over HTTP — every
// call, success and failure paths, retries (idempotent calls only), timeouts, abort, auth.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@playgap/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  EdgegapAbortedError,
  EdgegapApiError,
  EdgegapClient,
  type EdgegapLocal,
  EdgegapNetworkError,
  EdgegapResponseError,
  EdgegapTimeoutError,
} from '../src/index.js';
import { callLocal, nodeVersion, startLocal } from './helpers.js';

let local: EdgegapLocal;
let edgegap: EdgegapClient;

const admin = (method: string, path: string, body?: unknown) =>
  // biome-ignore lint/suspicious/noExplicitAny: admin answers differ per endpoint
  callLocal(local, method, path, body) as Promise<any>;
const calls = async (path: string) =>
  (
    (await admin('GET', '/_local/calls')) as {
      method: string;
      path: string;
      status: number;
      at: number;
    }[]
  ).filter((c) => c.path === path);

const deployDemo = () =>
  edgegap.deploy({ application: 'demo', version: 'v1', users: [{ ipAddress: '1.2.3.4' }] });

async function untilStatus(id: string, status: string) {
  return waitFor(
    async () => {
      const s = await edgegap.getStatus(id);
      return s.status === status ? s : undefined;
    },
    { what: `${id} to reach ${status}`, timeoutMs: 20_000, retryErrors: true },
  );
}

beforeAll(async () => {
  local = await startLocal({
    apiKey: 'contract-key',
    apps: [
      {
        name: 'demo',
        versions: [
          nodeVersion('v1', 'tcp-server.mjs'),
          {
            ...nodeVersion('seat', 'tcp-server.mjs'),
            session_config: { kind: 'Seat', sockets: 2, autodeploy: true, empty_ttl: 0.001 },
          },
        ],
      },
    ],
  });
  edgegap = new EdgegapClient({
    apiUrl: local.url,
    apiKey: `token ${local.apiKey}`,
    retryBaseDelayMs: 5,
    retryMaxDelayMs: 20,
  });
});
afterAll(() => local.close());
afterEach(() => admin('DELETE', '/_local/faults'));

describe('apps and versions', () => {
  it('creates, reads and patches an app, and refuses a duplicate with 409', async () => {
    const created = await edgegap.createApp({ name: 'other-game', is_active: true, image: '' });
    expect(created.name).toBe('other-game');
    expect((await edgegap.getApp('other-game')).is_active).toBe(true);
    expect((await edgegap.patchApp('other-game', { is_active: false })).is_active).toBe(false);
    const dup = await edgegap
      .createApp({ name: 'other-game', is_active: true, image: '' })
      .catch((e) => e);
    expect(dup).toBeInstanceOf(EdgegapApiError);
    expect(dup.status).toBe(409);
  });

  it('creates, reads, patches and deletes a version', async () => {
    await edgegap.createVersion('other-game', {
      name: 'v9',
      docker_image: 'x/y',
      docker_tag: '1',
      ports: [{ port: 7777, protocol: 'UDP', name: 'game' }],
    });
    expect((await edgegap.getVersion('other-game', 'v9')).docker_tag).toBe('1');
    const patched = await edgegap.patchVersion('other-game', 'v9', { docker_tag: '2' });
    expect((patched.version as { docker_tag: string }).docker_tag).toBe('2');
    await edgegap.deleteVersion('other-game', 'v9');
    const gone = await edgegap.getVersion('other-game', 'v9').catch((e) => e);
    expect(gone.status).toBe(404);
  });

  it('refuses a version with a bad port protocol with 400', async () => {
    const error = await edgegap
      .createVersion('other-game', {
        name: 'bad',
        ports: [{ name: 'p', port: 1, protocol: 'SCTP' }],
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(EdgegapApiError);
    expect(error.status).toBe(400);
  });

  it('reports an unknown app as a 404 EdgegapApiError with Edgegap message, not a 409', async () => {
    const error = await edgegap.getApp('nope').catch((e) => e);
    expect(error).toBeInstanceOf(EdgegapApiError);
    expect(error.status).toBe(404);
    expect(error.edgegapMessage).toContain('not found');
    expect(error.code).toBe('EDGEGAP_ERROR');
  });
});

describe('deployments', () => {
  it('deploys with v2, walks to Status.READY with ports, and stops with 200 then 410', async () => {
    const { requestId } = await deployDemo();
    expect(requestId).toMatch(/^[0-9a-f]{12}$/);
    const ready = await untilStatus(requestId, 'Status.READY');
    expect(ready.running).toBe(true);
    expect(ready.publicIp).toBe('127.0.0.1');
    expect(ready.ports.game?.external).toBeGreaterThan(0);
    expect((await edgegap.stopDeployment(requestId)).stopped).toBe('now');
    expect((await edgegap.stopDeployment(requestId)).stopped).toBe('already-gone');
    const ended = await untilStatus(requestId, 'Status.TERMINATED');
    expect(ended.running).toBe(false);
  });

  it('answers 202 (when-ready) to a stop while the deployment is still starting', async () => {
    const { requestId } = await deployDemo();
    expect((await edgegap.stopDeployment(requestId)).stopped).toBe('when-ready');
    await untilStatus(requestId, 'Status.TERMINATED');
  });

  it('deploys with v1 and defaults to the latest version', async () => {
    const result = await edgegap.deployV1({ appName: 'demo', ipList: ['1.2.3.4'] });
    expect(result.requestApp).toBe('demo');
    expect(result.requestVersion).toBe('seat');
    await untilStatus(result.requestId, 'Status.READY');
    await edgegap.stopDeployment(result.requestId);
  });

  it('refuses a v2 deploy with no users (400) and of an unknown version (404)', async () => {
    const noUsers = await edgegap
      .deploy({ application: 'demo', version: 'v1', users: [] })
      .catch((e) => e);
    expect(noUsers.status).toBe(400);
    const unknown = await edgegap
      .deploy({ application: 'demo', version: 'v404', users: [{ latitude: 1, longitude: 2 }] })
      .catch((e) => e);
    expect(unknown.status).toBe(404);
  });

  it('lists active deployments with eq, neq and in filters', async () => {
    const a = await edgegap.deploy({
      application: 'demo',
      version: 'v1',
      users: [{ ipAddress: '1.2.3.4' }],
      tags: ['red'],
    });
    const b = await edgegap.deploy({
      application: 'demo',
      version: 'v1',
      users: [{ ipAddress: '1.2.3.4' }],
      tags: ['blue'],
    });
    const red = await edgegap.listDeployments({
      filters: [{ field: 'tags', operator: 'eq', value: 'red' }],
    });
    expect(red.items.map((d) => d.requestId)).toEqual([a.requestId]);
    const notRed = await edgegap.listDeployments({
      filters: [{ field: 'tags', operator: 'neq', value: 'red' }],
    });
    expect(notRed.items.map((d) => d.requestId)).toContain(b.requestId);
    expect(notRed.items.map((d) => d.requestId)).not.toContain(a.requestId);
    const both = await edgegap.listDeployments({
      filters: [{ field: 'tags', operator: 'in', value: ['red', 'blue'] }],
      limit: 1,
    });
    expect(both.totalCount).toBe(2);
    expect(both.items).toHaveLength(1);
    await edgegap.stopDeployment(a.requestId);
    await edgegap.stopDeployment(b.requestId);
  });

  it('adds, reads and deletes deployment tags', async () => {
    const { requestId } = await deployDemo();
    await edgegap.addTags(requestId, ['alpha', 'beta']);
    expect((await edgegap.getTags(requestId)).map((t) => t.name)).toEqual(['alpha', 'beta']);
    await edgegap.deleteTag(requestId, 'alpha');
    expect((await edgegap.getTags(requestId)).map((t) => t.name)).toEqual(['beta']);
    expect((await edgegap.getStatus(requestId)).tags).toEqual(['beta']);
    const missing = await edgegap.deleteTag(requestId, 'alpha').catch((e) => e);
    expect(missing.status).toBe(404);
    await edgegap.stopDeployment(requestId);
  });

  it('keeps the process output readable through container logs', async () => {
    const { requestId } = await deployDemo();
    await untilStatus(requestId, 'Status.READY');
    const logs = await waitFor(
      async () => {
        const l = await edgegap.getLogs(requestId);
        return l.logs.includes('listening on') ? l : undefined;
      },
      { what: 'logs', timeoutMs: 20_000, retryErrors: true },
    );
    expect(logs.logs).toMatch(/listening on \d+/);
    await edgegap.stopDeployment(requestId);
    await untilStatus(requestId, 'Status.TERMINATED');
    expect((await edgegap.getLogs(requestId)).logs).toContain('got SIGTERM');
  });

  it('POSTs the status to the v2 webhooks on READY and TERMINATED, and to the v1 webhook_url', async () => {
    const received: { path: string; status: string }[] = [];
    const hooks = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        received.push({ path: req.url ?? '', status: JSON.parse(body).current_status });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
    try {
      const { requestId } = await edgegap.deploy({
        application: 'demo',
        version: 'v1',
        users: [{ ipAddress: '1.2.3.4' }],
        webhooks: {
          onReady: `${base}/ready`,
          onError: `${base}/error`,
          onTerminated: `${base}/end`,
        },
      });
      await waitFor(() => received.some((r) => r.path === '/ready'), {
        what: 'ready webhook',
        timeoutMs: 20_000,
        retryErrors: true,
      });
      await edgegap.stopDeployment(requestId);
      await waitFor(() => received.some((r) => r.path === '/end'), {
        what: 'terminated webhook',
        timeoutMs: 20_000,
        retryErrors: true,
      });
      expect(received).toEqual([
        { path: '/ready', status: 'Status.READY' },
        { path: '/end', status: 'Status.TERMINATED' },
      ]);
      const v1 = await edgegap.deployV1({
        appName: 'demo',
        versionName: 'v1',
        webhookUrl: `${base}/v1`,
      });
      await waitFor(() => received.some((r) => r.path === '/v1'), {
        what: 'v1 webhook',
        timeoutMs: 20_000,
        retryErrors: true,
      });
      await edgegap.stopDeployment(v1.requestId);
    } finally {
      await new Promise((r) => hooks.close(r));
    }
  });

  it('reports an unknown deployment as a 404 EdgegapApiError', async () => {
    const error = await edgegap.getStatus('000000000000').catch((e) => e);
    expect(error).toBeInstanceOf(EdgegapApiError);
    expect(error.status).toBe(404);
  });
});

describe('seat sessions', () => {
  it('seats two users on one deployment, starts a second when full, and ends on empty_ttl', async () => {
    const first = await edgegap.createSession({
      appName: 'demo',
      versionName: 'seat',
      ipList: ['1.1.1.1'],
    });
    const s1 = await waitFor(
      async () => {
        const s = await edgegap.getSession(first.sessionId);
        return s.ready ? s : undefined;
      },
      { what: 'session ready', timeoutMs: 20_000, retryErrors: true },
    );
    expect(s1.status).toBe('Ready');
    expect(s1.kind).toBe('Seat');
    expect(s1.deployment?.sockets).toBe(2);
    const second = await edgegap.createSession({
      appName: 'demo',
      versionName: 'seat',
      ipList: ['2.2.2.2'],
    });
    const s2 = await edgegap.getSession(second.sessionId);
    expect(s2.deployment?.requestId).toBe(s1.deployment?.requestId);
    expect(s2.deployment?.socketsUsage).toBe(2);
    const third = await edgegap.createSession({
      appName: 'demo',
      versionName: 'seat',
      ipList: ['3.3.3.3'],
    });
    const s3 = await edgegap.getSession(third.sessionId);
    expect(s3.deployment?.requestId).not.toBe(s1.deployment?.requestId);

    const full = await edgegap.addSessionUsers(first.sessionId, ['9.9.9.9']).catch((e) => e);
    expect(full.status).toBe(422);
    expect((await edgegap.removeSessionUsers(first.sessionId, ['1.1.1.1'])).ips).toEqual([]);
    expect((await edgegap.addSessionUsers(first.sessionId, ['4.4.4.4'])).ips).toEqual(['4.4.4.4']);

    expect(await edgegap.deleteSession(first.sessionId)).toEqual({ deleted: true });
    expect(await edgegap.deleteSession(first.sessionId)).toEqual({ deleted: false });
    await edgegap.deleteSession(second.sessionId);
    // empty_ttl is 0.001 min: the now-empty deployment is stopped.
    await untilStatus(s1.deployment!.requestId, 'Status.TERMINATED');
    await edgegap.deleteSession(third.sessionId);
    await untilStatus(s3.deployment!.requestId, 'Status.TERMINATED');
  });

  it('seats a session on a running Seat deployment started by deploy', async () => {
    const { requestId } = await edgegap.deploy({
      application: 'demo',
      version: 'seat',
      users: [{ ipAddress: '1.2.3.4' }],
    });
    const session = await edgegap.createSession({
      appName: 'demo',
      versionName: 'seat',
      ipList: ['5.5.5.5'],
      deploymentRequestId: requestId,
    });
    const s = await edgegap.getSession(session.sessionId);
    expect(s.deployment?.requestId).toBe(requestId);
    expect(s.linked).toBe(true);
    await edgegap.deleteSession(session.sessionId);
    await edgegap.stopDeployment(requestId);
  });

  it('reports an unknown session as a 404', async () => {
    const error = await edgegap.getSession('000000000000-S').catch((e) => e);
    expect(error.status).toBe(404);
  });
});

describe('auth, retries, timeouts and faults', () => {
  it('rejects a wrong API key with 401 and never puts the key in the error', async () => {
    const wrong = new EdgegapClient({ apiUrl: local.url, apiKey: 'secret-wrong-key' });
    const error = await wrong.getApp('demo').catch((e) => e);
    expect(error).toBeInstanceOf(EdgegapApiError);
    expect(error.status).toBe(401);
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain('secret-wrong-key');
  });

  it('accepts the key with or without the token prefix (fromEnv)', async () => {
    for (const key of ['contract-key', 'token contract-key']) {
      const client = EdgegapClient.fromEnv({ EDGEGAP_API_URL: local.url, EDGEGAP_API_KEY: key });
      expect((await client.getApp('demo')).name).toBe('demo');
    }
  });

  it('retries an idempotent call on 503, 502, 504 and 429 and then succeeds', async () => {
    await admin('POST', '/_local/faults', {
      method: 'GET',
      path: '^/v1/app/demo$',
      status: 503,
      times: 1,
    });
    await admin('POST', '/_local/faults', {
      method: 'GET',
      path: '^/v1/app/demo$',
      status: 502,
      times: 1,
    });
    await admin('POST', '/_local/faults', {
      method: 'GET',
      path: '^/v1/app/demo$',
      status: 429,
      times: 1,
    });
    const before = (await calls('/v1/app/demo')).length;
    expect((await edgegap.getApp('demo')).name).toBe('demo');
    const statuses = (await calls('/v1/app/demo')).slice(before).map((c) => c.status);
    expect(statuses).toEqual([503, 502, 429, 200]);
  });

  it('gives up after maxRetries and reports the real status', async () => {
    await admin('POST', '/_local/faults', { path: '^/v1/app/demo$', status: 504 });
    const before = (await calls('/v1/app/demo')).length;
    const error = await edgegap.getApp('demo').catch((e) => e);
    expect(error).toBeInstanceOf(EdgegapApiError);
    expect(error.status).toBe(504);
    expect((await calls('/v1/app/demo')).length - before).toBe(4); // 1 + 3 retries
  });

  it('never retries a deploy (not idempotent), even on 503 or 429', async () => {
    await admin('POST', '/_local/faults', { path: '^/v2/deployments', status: 429 });
    const before = (await calls('/v2/deployments')).length;
    const error = await deployDemo().catch((e) => e);
    expect(error.status).toBe(429);
    expect((await calls('/v2/deployments')).length - before).toBe(1);
  });

  it('does not retry a 400 or 404 (not transient)', async () => {
    await admin('POST', '/_local/faults', { path: '^/v1/app/demo$', status: 400, times: 1 });
    const before = (await calls('/v1/app/demo')).length;
    expect((await edgegap.getApp('demo').catch((e) => e)).status).toBe(400);
    expect((await calls('/v1/app/demo')).length - before).toBe(1);
  });

  it('reads a non-JSON error body as the message and a v2 422 request_id', async () => {
    await admin('POST', '/_local/faults', {
      path: '^/v1/app/demo$',
      status: 500,
      body: 'upstream exploded',
      times: 1,
    });
    const text = await edgegap.getApp('demo').catch((e) => e);
    expect(text.status).toBe(500);
    expect(text.edgegapMessage).toBe('upstream exploded');
    await admin('POST', '/_local/faults', {
      path: '^/v2/deployments',
      status: 422,
      body: { message: 'cannot allocate', request_id: 'abcdefabcdef' },
      times: 1,
    });
    const alloc = await deployDemo().catch((e) => e);
    expect(alloc.status).toBe(422);
    expect(alloc.requestId).toBe('abcdefabcdef');
    expect(alloc.message).toContain('cannot allocate');
  });

  it('reports a 2xx body that is not JSON or lacks request_id as EdgegapResponseError', async () => {
    await admin('POST', '/_local/faults', {
      path: '^/v1/status/',
      status: 200,
      body: 'garbage',
      times: 1,
    });
    const text = await edgegap.getStatus('abcabcabcabc').catch((e) => e);
    expect(text).toBeInstanceOf(EdgegapResponseError);
    expect(text.code).toBe('EDGEGAP_ERROR');
    await admin('POST', '/_local/faults', {
      path: '^/v2/deployments',
      status: 202,
      body: { id: 'x' },
      times: 1,
    });
    const missing = await deployDemo().catch((e) => e);
    expect(missing).toBeInstanceOf(EdgegapResponseError);
    expect(missing.message).toContain('request_id');
  });

  it('times out a slow call with EdgegapTimeoutError (code EDGEGAP_TIMEOUT)', async () => {
    await admin('POST', '/_local/faults', { path: '^/v1/app/demo$', latencyMs: 400, times: 1 });
    const error = await edgegap.getApp('demo', { timeoutMs: 50 }).catch((e) => e);
    expect(error).toBeInstanceOf(EdgegapTimeoutError);
    expect(error.code).toBe('EDGEGAP_TIMEOUT');
  });

  it('stops a call when its AbortSignal aborts', async () => {
    await admin('POST', '/_local/faults', { path: '^/v1/app/demo$', latencyMs: 400, times: 1 });
    const controller = new AbortController();
    const pending = edgegap.getApp('demo', { signal: controller.signal }).catch((e) => e);
    setTimeout(() => controller.abort(), 20);
    const error = await pending;
    expect(error).toBeInstanceOf(EdgegapAbortedError);
    expect(error.code).toBe('CANCELLED');
  });

  it('retries network errors for idempotent calls and reports EdgegapNetworkError at the end', async () => {
    let failures = 2;
    const flaky: typeof fetch = (input, init) => {
      if (failures-- > 0) return Promise.reject(new TypeError('fetch failed: ECONNRESET'));
      return fetch(input, init);
    };
    const client = new EdgegapClient({
      apiUrl: local.url,
      apiKey: local.apiKey,
      fetch: flaky,
      retryBaseDelayMs: 1,
    });
    expect((await client.getApp('demo')).name).toBe('demo');
    const dead = new EdgegapClient({
      apiUrl: 'http://127.0.0.1:1',
      apiKey: 'k',
      maxRetries: 1,
      retryBaseDelayMs: 1,
    });
    const unreachable = await dead.getApp('demo').catch((e) => e);
    expect(unreachable).toBeInstanceOf(EdgegapNetworkError);
    expect(unreachable.message).toMatch(/fetch failed \(.+\)/);
    let deployTries = 0;
    const failing: typeof fetch = () => {
      deployTries++;
      return Promise.reject(new TypeError('fetch failed'));
    };
    const noRetry = new EdgegapClient({ apiUrl: local.url, apiKey: local.apiKey, fetch: failing });
    expect(
      await noRetry
        .deploy({ application: 'demo', version: 'v1', users: [{ ipAddress: '1.1.1.1' }] })
        .catch((e) => e),
    ).toBeInstanceOf(EdgegapNetworkError);
    expect(deployTries).toBe(1);
  });

  it('ends deployments in ERROR or keeps them DEPLOYING when a deployment fault says so', async () => {
    await admin('POST', '/_local/faults', {
      path: '^/v2/deployments',
      deployment: 'error',
      times: 1,
    });
    const failed = await deployDemo();
    const status = await untilStatus(failed.requestId, 'Status.ERROR');
    expect(status.error).toBe(true);
    expect(status.errorDetail).toContain('injected');
    await admin('POST', '/_local/faults', {
      path: '^/v2/deployments',
      deployment: 'never-ready',
      times: 1,
    });
    const stuck = await deployDemo();
    await untilStatus(stuck.requestId, 'Status.DEPLOYING');
    const list = (await admin('GET', '/_local/deployments')) as {
      requestId: string;
      pid: number | null;
    }[];
    await waitFor(
      async () => {
        const all = (await admin('GET', '/_local/deployments')) as {
          requestId: string;
          pid: number | null;
        }[];
        return all.find((d) => d.requestId === stuck.requestId)?.pid;
      },
      { what: 'pid of stuck deployment', timeoutMs: 20_000, retryErrors: true },
    );
    expect(list.some((d) => d.requestId === stuck.requestId)).toBe(true);
    expect((await edgegap.getStatus(stuck.requestId)).status).toBe('Status.DEPLOYING');
    expect((await edgegap.stopDeployment(stuck.requestId)).stopped).toBe('when-ready');
    await untilStatus(stuck.requestId, 'Status.TERMINATED');
    await edgegap.stopDeployment(failed.requestId);
  });

  it('refuses a malformed fault with 400', async () => {
    const res = await admin('POST', '/_local/faults', { path: '(' });
    expect(res.message).toContain('regular expression');
  });

  it('keeps status calls under the configured rate (sliding one-second window)', async () => {
    // Virtual time: the limiter's waits move this clock instead of sleeping (the limiter
    // serves one waiter at a time, so waits never overlap); the calls still reach edgegap-local.
    let virtualMs = 1_700_000_000_000;
    const clock = {
      now: () => virtualMs,
      sleep: async (ms: number) => {
        virtualMs += ms;
      },
    };
    const sentAt: number[] = [];
    const recording: typeof fetch = (input, init) => {
      sentAt.push(clock.now());
      return fetch(input, init);
    };
    const limited = new EdgegapClient({
      apiUrl: local.url,
      apiKey: local.apiKey,
      fetch: recording,
      clock,
      rateLimits: { statusPerSecond: 5 },
    });
    const path = '/v1/status/000000000000';
    const before = (await calls(path)).length;
    await Promise.all(
      Array.from({ length: 11 }, () => limited.getStatus('000000000000').catch(() => {})),
    );
    expect((await calls(path)).length - before).toBe(11);
    expect(sentAt).toHaveLength(11);
    for (const t of sentAt) {
      expect(sentAt.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(5);
    }
    // 11 calls at 5/s cannot all start within two seconds.
    expect(sentAt[10]! - sentAt[0]!).toBeGreaterThanOrEqual(2000);
  });
});
