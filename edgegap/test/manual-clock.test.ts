// edgegap-local on a manual clock: status steps, READY deadline, max_duration, empty_ttl and
// webhook timing run on the injected clock, so these tests move time by hand (exact edges,
// no sleeping). Game processes are still real; only their kill/grace timers use real time.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EdgegapLocal, startEdgegapLocal } from '../src/index.js';
import { ManualLocalClock } from '../src/local/clock.js';
import { edgegapTime } from '../src/local/ids.js';
import { callLocal, nodeVersion } from './helpers.js';

const STEP_MS = 5;
const POLL_MS = 100;
const READY_TIMEOUT_MS = 2_000;

let clock: ManualLocalClock;
let local: EdgegapLocal;

type Body = Record<string, unknown>;
const api = async (method: string, path: string, body?: unknown) =>
  (await callLocal(local, method, path, body)) as Body;
const status = (id: string) => api('GET', `/v1/status/${id}`);
const currentStatus = async (id: string) => (await status(id)).current_status as string;
const user = { user_type: 'ip_address', user_data: { ip_address: '1.2.3.4' } };
const deploy = async (version: string, extra: Body = {}) =>
  (await api('POST', '/v2/deployments', {
    application: 'game',
    version,
    users: [user],
    ...extra,
  })) as { request_id: string };

/** Walk INITIALIZING → … → DEPLOYING (four status steps) on the manual clock. */
const walkToDeploying = () => clock.advance(4 * STEP_MS);

/**
 * Wait (real time, for the real process and TCP probe) until the READY poll has scheduled
 * its next probe on the clock: `timers` pending counts the max_duration timer too.
 */
const untilPollPending = (timers = 2) =>
  waitFor(() => clock.pending() === timers, {
    what: 'the next READY probe to be scheduled',
    timeoutMs: 20_000,
    intervalMs: 1,
    retryErrors: true,
  });

beforeAll(async () => {
  clock = new ManualLocalClock();
  local = await startEdgegapLocal({
    clock,
    timing: {
      statusStepMs: STEP_MS,
      readyPollMs: POLL_MS,
      readyTimeoutMs: READY_TIMEOUT_MS,
      webhookTimeoutMs: 3_000,
    },
    apps: [
      {
        name: 'game',
        versions: [
          nodeVersion('deaf', 'idle.mjs'),
          nodeVersion('short', 'tcp-server.mjs', { max_duration: 1 }),
          nodeVersion('seat', 'idle.mjs', {
            ports: [],
            session_config: { kind: 'Seat', sockets: 2, autodeploy: true, empty_ttl: 1 },
          }),
        ],
      },
    ],
  });
  // No command (a docker-only version): its deployments end in ERROR at DEPLOYING, no process.
  await api('POST', '/v1/app/game/version', { name: 'docker-only', ports: [] });
});
afterAll(() => local.close());

describe('deployment timing on the injected clock', () => {
  it('takes one statusStepMs per step from INITIALIZING to DEPLOYING', async () => {
    const { request_id: id } = await deploy('docker-only');
    const seen = [await currentStatus(id)];
    for (let i = 0; i < 3; i++) {
      clock.advance(STEP_MS - 1);
      expect(await currentStatus(id)).toBe(seen.at(-1));
      clock.advance(1);
      seen.push(await currentStatus(id));
    }
    expect(seen).toEqual([
      'Status.INITIALIZING',
      'Status.SEEKING',
      'Status.SEEKED',
      'Status.SCANNING',
    ]);
    await api('DELETE', `/v1/stop/${id}`);
  });

  it('ends in ERROR exactly when readyTimeoutMs passes without the to_check port accepting', async () => {
    const { request_id: id } = await deploy('deaf');
    walkToDeploying();
    await untilPollPending();
    const started = clock.now();
    while (clock.now() - started < READY_TIMEOUT_MS - POLL_MS) {
      clock.advance(POLL_MS);
      await untilPollPending();
    }
    // One probe short of the deadline: still waiting for the port.
    expect(await currentStatus(id)).toBe('Status.DEPLOYING');
    clock.advance(POLL_MS);
    await waitFor(async () => (await currentStatus(id)) === 'Status.ERROR', {
      what: 'ERROR',
      timeoutMs: 20_000,
      retryErrors: true,
    });
    expect((await status(id)).error_detail).toMatch(/did not accept connections within 2000 ms/);
    await api('DELETE', `/v1/stop/${id}`);
    await waitFor(async () => (await currentStatus(id)) === 'Status.TERMINATED', {
      what: 'TERMINATED',
      timeoutMs: 20_000,
      retryErrors: true,
    });
  });

  it('stops a READY deployment exactly when max_duration is reached', async () => {
    const { request_id: id } = await deploy('short'); // max_duration: 1 min
    const created = clock.now();
    walkToDeploying();
    // Once the real process says it listens, one more probe (one poll later) finds it READY.
    await waitFor(
      async () => {
        const { logs } = await api('GET', `/v1/deployment/${id}/container-logs`);
        return (logs as string).includes('listening on');
      },
      { what: 'the game to listen', timeoutMs: 20_000, retryErrors: true },
    );
    await untilPollPending();
    clock.advance(POLL_MS);
    await waitFor(async () => (await currentStatus(id)) === 'Status.READY', {
      what: 'READY',
      timeoutMs: 20_000,
      retryErrors: true,
    });
    clock.advance(created + 60_000 - 1 - clock.now());
    expect(await currentStatus(id)).toBe('Status.READY');
    clock.advance(1);
    const ended = await waitFor(
      async () => {
        const s = await status(id);
        return s.current_status === 'Status.TERMINATED' ? s : undefined;
      },
      { what: 'TERMINATED', timeoutMs: 20_000, retryErrors: true },
    );
    expect(ended.error).toBe(false);
    expect(ended.elapsed_time).toBe(60);
    expect(ended.removal_time).toBe(edgegapTime(created + 60_000));
    expect(
      ((await api('GET', `/v1/deployment/${id}/container-logs`)).logs as string).split('\n'),
    ).toEqual(
      expect.arrayContaining(['edgegap-local: max_duration of 1 min reached', 'got SIGTERM']),
    );
  });
});

describe('seat sessions on the injected clock', () => {
  const session = async (ip: string) =>
    (await api('POST', '/v1/session', {
      app_name: 'game',
      version_name: 'seat',
      ip_list: [ip],
    })) as { session_id: string; deployment_request_id: string };
  const ready = (id: string) =>
    waitFor(async () => (await currentStatus(id)) === 'Status.READY', {
      what: `${id} READY`,
      timeoutMs: 20_000,
      retryErrors: true,
    });

  it('stops a deployment empty_ttl after its last session ends, not a millisecond earlier', async () => {
    const s1 = await session('1.1.1.1');
    const s2 = await session('2.2.2.2');
    const s3 = await session('3.3.3.3');
    const full = s1.deployment_request_id;
    expect(s2.deployment_request_id).toBe(full);
    expect(s3.deployment_request_id).not.toBe(full);
    walkToDeploying();
    await Promise.all([ready(full), ready(s3.deployment_request_id)]);

    await api('DELETE', `/v1/session/${s1.session_id}`);
    clock.advance(120_000); // one seat still taken: no empty_ttl running
    expect(await currentStatus(full)).toBe('Status.READY');
    await api('DELETE', `/v1/session/${s2.session_id}`);
    clock.advance(60_000 - 1); // empty_ttl: 1 min
    expect(await currentStatus(full)).toBe('Status.READY');
    clock.advance(1);
    await waitFor(async () => (await currentStatus(full)) === 'Status.TERMINATED', {
      what: 'TERMINATED',
      timeoutMs: 20_000,
      retryErrors: true,
    });
    await api('DELETE', `/v1/session/${s3.session_id}`);
  });

  it('keeps an emptied deployment when a session takes a seat again within empty_ttl', async () => {
    const first = await session('5.5.5.5');
    const id = first.deployment_request_id;
    walkToDeploying();
    await ready(id);
    await api('DELETE', `/v1/session/${first.session_id}`);
    clock.advance(30_000);
    const again = await session('6.6.6.6');
    expect(again.deployment_request_id).toBe(id);
    clock.advance(60_000);
    expect(await currentStatus(id)).toBe('Status.READY');
    const view = await api('GET', `/v1/session/${again.session_id}`);
    expect(view.elapsed).toBe(60);
    await api('DELETE', `/v1/session/${again.session_id}`);
    clock.advance(60_000);
    await waitFor(async () => (await currentStatus(id)) === 'Status.TERMINATED', {
      what: 'TERMINATED',
      timeoutMs: 20_000,
      retryErrors: true,
    });
  });
});

describe('webhooks on the injected clock', () => {
  it('POSTs ERROR when the deployment fails and gives up on a silent hook after webhookTimeoutMs', async () => {
    const received: { path: string; status: unknown; at: number }[] = [];
    const silent: ServerResponse[] = [];
    const hooks = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        received.push({
          path: req.url ?? '',
          status: JSON.parse(body).current_status,
          at: clock.now(),
        });
        if (req.url === '/silent') silent.push(res);
        else res.end('ok');
      });
    });
    await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
    try {
      const created = clock.now();
      const { request_id: id } = await deploy('docker-only', {
        webhook_on_error: { url: `${base}/error` },
        webhook_on_terminated: { url: `${base}/silent` },
      });
      walkToDeploying();
      await waitFor(() => received.length === 1, {
        what: 'the ERROR webhook',
        timeoutMs: 20_000,
        retryErrors: true,
      });
      expect(received).toEqual([
        { path: '/error', status: 'Status.ERROR', at: created + 4 * STEP_MS },
      ]);

      await api('DELETE', `/v1/stop/${id}`);
      await waitFor(() => silent.length === 1, {
        what: 'the TERMINATED webhook',
        timeoutMs: 20_000,
        retryErrors: true,
      });
      expect(received[1]).toMatchObject({ path: '/silent', status: 'Status.TERMINATED' });
      const logs = async () =>
        (await api('GET', `/v1/deployment/${id}/container-logs`)).logs as string;
      clock.advance(3_000 - 1); // webhookTimeoutMs: 3000
      expect(await logs()).not.toContain('webhook');
      clock.advance(1);
      await waitFor(
        async () =>
          (await logs()).includes(`webhook ${base}/silent failed: no answer within 3000 ms`),
        { what: 'the webhook timeout in the log', timeoutMs: 20_000, retryErrors: true },
      );
    } finally {
      for (const res of silent) res.end();
      hooks.closeAllConnections(); // keep-alive sockets would hold close() for seconds
      await new Promise((r) => hooks.close(r));
    }
  });
});
