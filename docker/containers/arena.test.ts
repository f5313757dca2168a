/**
 * The game-server image as Edgegap runs it: `npm start`'s stack (scripts/lib/stack.mjs) with
 * `runtime: 'docker'`, so edgegap-local runs every deployment as a container of
 * playgap/gameserver:local, in `mapped` mode (external ports differ from internal). Two headless
 * Chromium players place, connect (WebRTC and WebSocket), see each other, and the container
 * stops itself once empty. Also measures cold start (deploy → READY, click → first snapshot)
 * against the process runtime.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureClientBuilt,
  launchChromium,
  openAndConnect,
  type Stack,
  startLocalStack,
  waitForHook,
} from '../../e2e/test/harness.js';
import { containerRemoved, containerSupport, docker, IMAGES, until } from './engine.js';

const support = containerSupport([IMAGES.gameserver]);
// Long enough for the first test to check health and stop the server itself before it idles out.
const IDLE_TIMEOUT_MS = 15_000;
const AUTH = { authorization: 'token local-dev-key' };

interface StatusBody {
  current_status: string;
  ports: Record<string, { internal: number; external: number }>;
}

async function status(stack: Stack, requestId: string): Promise<StatusBody> {
  const res = await fetch(`${stack.edgegapUrl}/v1/status/${requestId}`, { headers: AUTH });
  return (await res.json()) as StatusBody;
}

/** POST /v2/deployments and wait for READY: ms from the request to READY, and the id. */
async function deployToReady(stack: Stack): Promise<{ ms: number; requestId: string }> {
  const started = Date.now();
  const res = await fetch(`${stack.edgegapUrl}/v2/deployments`, {
    method: 'POST',
    headers: { ...AUTH, 'content-type': 'application/json' },
    body: JSON.stringify({
      application: stack.app,
      version: stack.version,
      users: [{ user_type: 'ip_address', user_data: { ip_address: '127.0.0.1' } }],
    }),
  });
  expect(res.status).toBe(202);
  const { request_id: requestId } = (await res.json()) as { request_id: string };
  await until(
    `deployment ${requestId} READY`,
    async () =>
      (await status(stack, requestId)).current_status === 'Status.READY' ? true : undefined,
    90_000,
  );
  return { ms: Date.now() - started, requestId };
}

async function stopDeployment(stack: Stack, requestId: string): Promise<void> {
  await fetch(`${stack.edgegapUrl}/v1/stop/${requestId}`, { method: 'DELETE', headers: AUTH });
  await until(
    `deployment ${requestId} TERMINATED`,
    async () =>
      (await status(stack, requestId)).current_status === 'Status.TERMINATED' ? true : undefined,
    60_000,
  );
}

const timings: Record<string, number | string | null> = {};

describe.skipIf(!support.ok)(
  'the game-server image through edgegap-local',
  { timeout: 240_000 },
  () => {
    let browser: Browser;
    let stack: Stack;

    beforeAll(async () => {
      ensureClientBuilt();
      browser = await launchChromium();
      stack = await startLocalStack({
        runtime: 'docker',
        portMode: 'mapped',
        idleTimeoutMs: IDLE_TIMEOUT_MS,
        deploymentDeadlineMs: 60_000,
      });
    }, 120_000);

    afterAll(async () => {
      await stack?.close();
      await browser?.close();
      console.log(`containers: timings ${JSON.stringify(timings)}`);
    }, 90_000);

    it('deploys a healthy container whose external ports differ from its internal ones; SIGTERM stops it within the grace period', async () => {
      const { ms, requestId } = await deployToReady(stack);
      timings.containerDeployToReadyMs = ms;
      const body = await status(stack, requestId);
      for (const port of Object.values(body.ports)) expect(port.external).not.toBe(port.internal);
      const running = await docker('ps', '--filter', `name=edgegap-local-${requestId}`, '-q');
      expect(running).not.toBe('');
      const logs = () =>
        fetch(`${stack.edgegapUrl}/v1/deployment/${requestId}/container-logs`, {
          headers: AUTH,
        }).then((r) => r.json() as Promise<{ logs: string }>);
      expect((await logs()).logs).toContain(`running image ${IMAGES.gameserver}`);
      expect((await logs()).logs).toMatch(/playgap-sidecar listening on http:\/\/127\.0\.0\.1:\d+/);
      // The image's own HEALTHCHECK command, run in the container now (its first scheduled run is
      // 10 s away): it finds the sidecar on the port edgegap-local gave it.
      const name = `edgegap-local-${requestId}`;
      const check = JSON.parse(
        await docker('inspect', '--format', '{{json .Config.Healthcheck.Test}}', name),
      ) as string[];
      expect(check[0]).toBe('CMD');
      await docker('exec', name, ...check.slice(1));
      const stopAt = Date.now();
      await stopDeployment(stack, requestId);
      timings.containerSigtermToTerminatedMs = Date.now() - stopAt;
      // The version's grace period is 5 s: a clean exit, not the engine's SIGKILL (137).
      expect((await logs()).logs).toContain('edgegap-local: process exited with code 0');
      await containerRemoved(requestId);
    });

    it('two players connect over WebRTC and WebSocket and see each other; the empty container stops itself', async () => {
      const clicked = Date.now();
      const ada = await openAndConnect(browser, stack.url, 'name=Ada');
      const adaState = await waitForHook(ada, "h.state === 'playing' && h.snapshots > 0", 90_000);
      timings.containerClickToFirstSnapshotMs = adaState.firstSnapshotMs;
      timings.containerClickToPlayingWallMs = Date.now() - clicked;
      expect(adaState.lastError).toBeNull();
      expect(adaState.stages).toContain('deploying');
      expect(adaState.transport).toBe('webrtc');

      const bob = await openAndConnect(browser, stack.url, 'name=Bob&transport=websocket');
      const bobState = await waitForHook(bob, "h.state === 'playing' && h.snapshots > 0", 30_000);
      expect(bobState.transport).toBe('websocket');
      expect(bobState.serverId).toBe(adaState.serverId);
      await waitForHook(ada, "h.names.includes('Bob') && h.names.includes('Ada')");
      await waitForHook(bob, "h.names.includes('Bob') && h.names.includes('Ada')");

      const requestId = adaState.serverId as string;
      expect(await docker('ps', '--filter', `name=edgegap-local-${requestId}`, '-q')).not.toBe('');
      await ada.close();
      await bob.close();
      const emptied = Date.now();
      await until(
        `container ${requestId} to stop itself`,
        async () =>
          (await status(stack, requestId)).current_status === 'Status.TERMINATED'
            ? true
            : undefined,
        60_000,
      );
      timings.containerEmptyToTerminatedMs = Date.now() - emptied;
      await containerRemoved(requestId);
    });
  },
);

describe.skipIf(!support.ok)('the process runtime, for comparison', { timeout: 120_000 }, () => {
  it('measures deploy → READY of a local process deployment', async () => {
    const stack = await startLocalStack({ portMode: 'mapped', idleTimeoutMs: IDLE_TIMEOUT_MS });
    try {
      const { ms, requestId } = await deployToReady(stack);
      timings.processDeployToReadyMs = ms;
      await stopDeployment(stack, requestId);
    } finally {
      await stack.close();
    }
    console.log(`containers: timings ${JSON.stringify(timings)}`);
  });
});
