// A deployed process really gets the injected environment of an Edgegap deployment, its
// context and self-stop calls work with the injected tokens (and only with them), and the
// process lifecycle (exit codes, grace period, readiness) is Edgegap's. The timed edges
// (max_duration, the READY deadline) run on a manual clock in manual-clock.test.ts.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EdgegapApiError, EdgegapClient, type EdgegapLocal } from '../src/index.js';
import { alive, fixture, nodeVersion, startLocal } from './helpers.js';

let local: EdgegapLocal;
let edgegap: EdgegapClient;
let dir: string;

const untilStatus = (id: string, status: string) =>
  waitFor(
    async () => {
      const s = await edgegap.getStatus(id);
      return s.status === status ? s : undefined;
    },
    { what: `${id} to reach ${status}`, timeoutMs: 20_000, retryErrors: true },
  );

const deploy = (version: string, env: Record<string, string> = {}) =>
  edgegap.deploy({
    application: 'game',
    version,
    users: [{ ipAddress: '1.2.3.4' }],
    environmentVariables: Object.entries(env).map(([key, value]) => ({ key, value })),
    tags: ['t1', 't2'],
  });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edgegap-test-'));
  local = await startLocal({
    apps: [
      {
        name: 'game',
        versions: [
          nodeVersion('env', 'tcp-server.mjs', {
            envs: [
              { key: 'FROM_VERSION', value: 'v-env' },
              { key: 'OVERRIDDEN', value: 'by-version' },
            ],
            req_cpu: 512,
          } as never),
          { ...nodeVersion('exit', 'exit-with.mjs'), ports: [] },
          nodeVersion('stubborn', 'ignore-sigterm.mjs', { termination_grace_period_seconds: 0.3 }),
          {
            name: 'shell',
            command: process.execPath,
            arguments: `${JSON.stringify(fixture('exit-with.mjs'))} --flag`,
            ports: [],
          },
          { name: 'missing', command: '/nonexistent/binary', ports: [] },
        ],
      },
    ],
    timing: { statusStepMs: 5, udpReadyAfterMs: 50 },
  });
  edgegap = new EdgegapClient({ apiUrl: local.url, apiKey: local.apiKey });
});
afterAll(async () => {
  await local.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('injected environment and in-container calls', () => {
  it('gives the process the full ARBITRIUM_* env, version envs and request envs', async () => {
    const out = join(dir, 'env.json');
    const { requestId } = await deploy('env', { OUT_FILE: out, OVERRIDDEN: 'by-request' });
    const ready = await untilStatus(requestId, 'Status.READY');
    const { env, context } = await waitFor(() => JSON.parse(readFileSync(out, 'utf8')), {
      what: 'fixture env file',
      timeoutMs: 20_000,
      retryErrors: true,
    });
    const port = ready.ports.game!;
    expect(env.ARBITRIUM_REQUEST_ID).toBe(requestId);
    expect(env.ARBITRIUM_PUBLIC_IP).toBe('127.0.0.1');
    expect(env.ARBITRIUM_HOST_ID).toBeTruthy();
    expect(JSON.parse(env.ARBITRIUM_PORTS_MAPPING)).toEqual({
      ports: {
        game: { name: 'game', internal: port.internal, external: port.external, protocol: 'TCP' },
      },
    });
    expect(env.ARBITRIUM_PORT_GAME_INTERNAL).toBe(String(port.internal));
    expect(env.ARBITRIUM_PORT_GAME_EXTERNAL).toBe(String(port.external));
    expect(env.ARBITRIUM_PORT_GAME_PROTOCOL).toBe('TCP');
    expect(env.ARBITRIUM_CONTEXT_URL).toMatch(
      new RegExp(`^${local.url}/v1/context/${requestId}/\\d+$`),
    );
    expect(env.ARBITRIUM_DELETE_URL).toMatch(
      new RegExp(`^${local.url}/v1/self/stop/${requestId}/\\d+$`),
    );
    expect(env.ARBITRIUM_CONTEXT_TOKEN).toMatch(/^[0-9a-f]{48}$/);
    expect(env.ARBITRIUM_DELETE_TOKEN).toMatch(/^[0-9a-f]{48}$/);
    expect(JSON.parse(env.ARBITRIUM_DEPLOYMENT_LOCATION).city).toBe('Localhost');
    expect(env.ARBITRIUM_DEPLOYMENT_TAGS).toBe('t1,t2');
    expect(env.ARBITRIUM_DEPLOYMENT_VCPU_UNITS).toBe('512');
    expect(env.ARBITRIUM_DEPLOYMENT_MEMORY_MB).toBe('512');
    expect(env.FROM_VERSION).toBe('v-env');
    expect(env.OVERRIDDEN).toBe('by-request');
    expect(env.PATH).toBe(process.env.PATH);
    // The fixture fetched its own context with the raw token.
    expect(context.status).toBe(200);
    expect(context.body.request_id).toBe(requestId);

    const ctx = await edgegap.getContext({
      url: env.ARBITRIUM_CONTEXT_URL,
      token: env.ARBITRIUM_CONTEXT_TOKEN,
    });
    expect(ctx.requestId).toBe(requestId);
    expect(ctx.ready).toBe(true);
    expect(ctx.ports.game?.internal).toBe(port.internal);

    const badCtx = await edgegap
      .getContext({ url: env.ARBITRIUM_CONTEXT_URL, token: env.ARBITRIUM_DELETE_TOKEN })
      .catch((e) => e);
    expect(badCtx).toBeInstanceOf(EdgegapApiError);
    expect(badCtx.status).toBe(401);
    expect(badCtx.message).not.toContain(env.ARBITRIUM_DELETE_TOKEN);
    expect(badCtx.message).not.toMatch(/\/v1\/context\/\w+\/\d+/);

    // Tags from inside the container, with the context token.
    const tagUrl = `${env.ARBITRIUM_CONTEXT_URL}/tags`;
    const tagged = await fetch(tagUrl, {
      method: 'POST',
      headers: { authorization: env.ARBITRIUM_CONTEXT_TOKEN, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'from-inside' }),
    });
    expect(tagged.status).toBe(200);
    expect((await edgegap.getStatus(requestId)).tags).toContain('from-inside');
    const refused = await fetch(tagUrl, {
      method: 'POST',
      headers: { authorization: 'wrong', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x' }),
    });
    expect(refused.status).toBe(401);
    const untagged = await fetch(`${tagUrl}/from-inside`, {
      method: 'DELETE',
      headers: { authorization: env.ARBITRIUM_CONTEXT_TOKEN },
    });
    expect(untagged.status).toBe(200);
    expect((await edgegap.getStatus(requestId)).tags).not.toContain('from-inside');

    const badStop = await edgegap
      .selfStop({ url: env.ARBITRIUM_DELETE_URL, token: env.ARBITRIUM_CONTEXT_TOKEN })
      .catch((e) => e);
    expect(badStop.status).toBe(401);
    const tamperedUrl = env.ARBITRIUM_DELETE_URL.replace(/\d+$/, '1');
    const badKey = await edgegap
      .selfStop({ url: tamperedUrl, token: env.ARBITRIUM_DELETE_TOKEN })
      .catch((e) => e);
    expect(badKey.status).toBe(401);
    expect((await edgegap.getStatus(requestId)).status).toBe('Status.READY');

    await edgegap.selfStop({ url: env.ARBITRIUM_DELETE_URL, token: env.ARBITRIUM_DELETE_TOKEN });
    await untilStatus(requestId, 'Status.TERMINATED');
    // A second self-stop of a gone deployment is fine (410 is success for the client).
    await edgegap.selfStop({ url: env.ARBITRIUM_DELETE_URL, token: env.ARBITRIUM_DELETE_TOKEN });
  });
});

describe('process lifecycle', () => {
  it('ends in TERMINATED when the process exits 0 on its own', async () => {
    const { requestId } = await deploy('exit', { EXIT_CODE: '0' });
    const s = await untilStatus(requestId, 'Status.TERMINATED');
    expect(s.error).toBe(false);
    expect((await edgegap.getLogs(requestId)).logs).toContain('about to exit');
  });

  it('ends in ERROR with the exit code in error_detail when the process fails', async () => {
    const { requestId } = await deploy('exit', { EXIT_CODE: '3' });
    const s = await untilStatus(requestId, 'Status.ERROR');
    expect(s.errorDetail).toBe('process exited with code 3');
    expect((await edgegap.stopDeployment(requestId)).stopped).toBe('now');
    await untilStatus(requestId, 'Status.TERMINATED');
  });

  it('runs a string `arguments` through the shell', async () => {
    const { requestId } = await deploy('shell', { EXIT_CODE: '0' });
    await untilStatus(requestId, 'Status.TERMINATED');
  });

  it('ends in ERROR when the command cannot start', async () => {
    const { requestId } = await deploy('missing');
    const s = await untilStatus(requestId, 'Status.ERROR');
    expect(s.errorDetail).toMatch(/code 127/);
  });

  it('SIGKILLs a process that ignores SIGTERM after the grace period', async () => {
    const { requestId } = await deploy('stubborn');
    await untilStatus(requestId, 'Status.READY');
    const info = await waitFor(
      async () => {
        const res = await fetch(`${local.url}/_local/deployments`, {
          headers: { authorization: `token ${local.apiKey}` },
        });
        const list = (await res.json()) as { requestId: string; pid: number | null }[];
        return list.find((d) => d.requestId === requestId && d.pid);
      },
      { what: 'pid', timeoutMs: 20_000, retryErrors: true },
    );
    const started = Date.now();
    await edgegap.stopDeployment(requestId);
    await untilStatus(requestId, 'Status.TERMINATED');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(alive(info.pid!)).toBe(false);
    expect((await edgegap.getLogs(requestId)).logs).toContain('ignoring SIGTERM');
  });

  // max_duration and the readyTimeoutMs deadline are timed on a manual clock in
  // manual-clock.test.ts (exact edges, no sleeping).
});
