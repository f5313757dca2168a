import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@playgap/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import type { ServerCertificate } from '../src/certificate.js';
import { RENEWAL_RETRY_MS } from '../src/certificate-renewal.js';
import { ManualClock } from '../src/clock.js';
import { Sidecar, type SidecarOptions } from '../src/sidecar.js';
import { fakeVerifier } from './fake-token.js';
import { deploymentFor } from './harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0)) await fn();
});

async function makeSidecar(overrides: Partial<SidecarOptions> = {}) {
  const certDir = await mkdtemp(join(tmpdir(), 'sidecar-timers-'));
  const clock = new ManualClock();
  const sidecar = new Sidecar({
    app: 'timers',
    version: 'v1',
    deployment: deploymentFor('timer-srv'),
    verifier: fakeVerifier,
    capacity: 4,
    certDir,
    certValidityMs: 13 * 86_400_000,
    certRenewBeforeMs: 86_400_000,
    idleTimeoutMs: 0,
    readyTimeoutMs: 60_000,
    heartbeatTimeoutMs: 0,
    clock,
    ...overrides,
  });
  await sidecar.init();
  const reasons: string[] = [];
  sidecar.on('shutdown', (r: string) => reasons.push(r));
  cleanups.push(async () => {
    await sidecar.close();
    await rm(certDir, { recursive: true, force: true });
  });
  return { sidecar, clock, reasons, certDir };
}

const ready = { transports: [{ kind: 'websocket' as const, port: 'game' }] };

describe('Sidecar timers', () => {
  it('stops a game server that never calls ready within readyTimeoutMs', async () => {
    const { clock, reasons } = await makeSidecar({ readyTimeoutMs: 5_000 });
    clock.advance(4_999);
    expect(reasons).toEqual([]);
    clock.advance(1);
    expect(reasons).toEqual(['ready-timeout']);
  });

  it('does not stop a server that called ready in time', async () => {
    const { sidecar, clock, reasons } = await makeSidecar({ readyTimeoutMs: 5_000 });
    sidecar.ready(ready);
    clock.advance(60_000);
    expect(reasons).toEqual([]);
  });

  it('shuts down after idleTimeoutMs with no players when it cannot self-stop', async () => {
    const { sidecar, clock, reasons } = await makeSidecar({ idleTimeoutMs: 300_000 });
    sidecar.ready(ready);
    clock.advance(299_999);
    expect(reasons).toEqual([]);
    clock.advance(1);
    await waitFor(() => reasons.length > 0, {
      what: 'idle stop',
      timeoutMs: 5_000,
      intervalMs: 25,
    });
    expect(reasons).toEqual(['idle']);
  });

  it('self-stops through the deployment when idle and a self-stop is configured', async () => {
    let calls = 0;
    const { sidecar, clock, reasons } = await makeSidecar({
      idleTimeoutMs: 1_000,
      selfStop: async () => void calls++,
    });
    sidecar.ready(ready);
    clock.advance(1_000);
    await waitFor(() => calls > 0, { what: 'self-stop', timeoutMs: 5_000, intervalMs: 25 });
    expect(calls).toBe(1);
    expect(reasons).toEqual([]);
  });

  it('never idles out with idleTimeoutMs 0', async () => {
    const { sidecar, clock, reasons } = await makeSidecar({ idleTimeoutMs: 0 });
    sidecar.ready(ready);
    clock.advance(10 * 86_400_000);
    expect(reasons).toEqual([]);
  });

  it('marks the server unhealthy and stops it when heartbeats stop', async () => {
    const { sidecar, clock, reasons } = await makeSidecar({ heartbeatTimeoutMs: 30_000 });
    sidecar.ready(ready);
    for (let i = 0; i < 5; i++) {
      clock.advance(20_000);
      sidecar.heartbeat();
    }
    expect(reasons).toEqual([]);
    clock.advance(30_000);
    expect(reasons).toEqual(['unhealthy']);
    expect(sidecar.currentState).toBe('unhealthy');
    expect(sidecar.health().status).toBe('degraded');
  });

  it('renews the certificate before it expires and announces it on the SSE stream', async () => {
    const { sidecar, clock } = await makeSidecar({
      certValidityMs: 600_000,
      certRenewBeforeMs: 60_000,
    });
    sidecar.ready(ready);
    const app = buildApp(sidecar);
    cleanups.push(() => app.close());
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const before = sidecar.info();
    const controller = new AbortController();
    const res = await fetch(`${url}/v1/events`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    await reader.read(); // ": connected"
    const renewed = new Promise<ServerCertificate>((resolve) =>
      sidecar.once('certificate', resolve),
    );
    clock.advance(540_000);
    const cert = await renewed;
    expect(cert.certDigest).not.toBe(before.certDigest);
    expect(sidecar.info().certDigest).toBe(cert.certDigest);
    let text = '';
    while (!text.includes('event: certificate')) {
      const chunk = await reader.read();
      text += new TextDecoder().decode(chunk.value);
    }
    expect(text).toContain(cert.certDigest);
    controller.abort();
  });

  it('retries a failed renewal a minute later, keeping the old certificate meanwhile', async () => {
    const logs: string[] = [];
    const { sidecar, clock, certDir } = await makeSidecar({
      certValidityMs: 600_000,
      certRenewBeforeMs: 60_000,
      log: (message) => logs.push(message),
    });
    sidecar.ready(ready);
    const before = sidecar.info().certDigest;
    // A file where the certificate directory was: the renewal cannot write there.
    await rm(certDir, { recursive: true, force: true });
    await writeFile(certDir, 'not a directory');
    clock.advance(540_000);
    await waitFor(() => logs.includes('certificate renewal failed; retrying'), {
      what: 'failure',
      timeoutMs: 10_000,
      intervalMs: 25,
    });
    expect(sidecar.info().certDigest).toBe(before);
    await rm(certDir);
    await mkdir(certDir);
    const renewed = new Promise<ServerCertificate>((resolve) =>
      sidecar.once('certificate', resolve),
    );
    clock.advance(RENEWAL_RETRY_MS);
    expect((await renewed).certDigest).not.toBe(before);
  });
});
