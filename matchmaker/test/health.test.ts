import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  freePort,
  type RunningNatsServer,
  startNatsServer,
  trackChild,
  waitFor,
} from '@playgap/testkit';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startMatchmaker } from '../src/index.js';
import { testConfig } from './fake-fleet.js';
import { captureLogger } from './log-capture.js';

describe('health', () => {
  it('reports NATS down in /healthz while the server is gone and up again after it returns', async () => {
    let nats = await startNatsServer();
    const mm = await startMatchmaker({ ...testConfig(nats.url), runService: false }, {});
    const health = async () => (await mm.front!.inject({ method: 'GET', url: '/healthz' })).json();
    const until = (ok: boolean) =>
      waitFor(async () => (await health()).ok === ok, {
        what: `/healthz ok=${ok}`,
        timeoutMs: 10_000,
      });
    try {
      expect(await health()).toEqual({ ok: true, checks: { nats: true } });
      await nats.stop({ keepStore: true });
      await until(false);
      expect((await health()).checks).toEqual({ nats: false });
      nats = await nats.restart();
      await until(true);
    } finally {
      await mm.close();
      await nats.stop();
    }
  });

  it('waits for NATS at start, logging each failed attempt without the password, then serves', async () => {
    const port = await freePort();
    const events: Record<string, unknown>[] = [];
    let nats: RunningNatsServer | undefined;
    const config = testConfig(`nats://127.0.0.1:${port}`, { runService: false });
    const starting = startMatchmaker(
      // The test server has no users: the password only has to stay out of the log.
      { ...config, nats: { ...config.nats, servers: [`nats://mm:s3cret@127.0.0.1:${port}`] } },
      {
        logger: captureLogger((event) => {
          events.push(event);
          if (events.length === 1)
            void startNatsServer({ port, jetstream: false }).then((server) => {
              nats = server;
            });
        }).logger,
      },
    );
    try {
      const mm = await starting;
      try {
        expect((await mm.front!.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({
          ok: true,
          checks: { nats: true },
        });
        expect(events[0]).toMatchObject({
          event: 'nats_unreachable',
          level: 'warn',
          msg: 'NATS not reachable; retrying',
          attempt: 1,
          servers: `nats://mm:***@127.0.0.1:${port}`,
        });
        // The first wait of the shared backoff: a 250 ms ceiling, jittered into its upper half.
        expect(events[0]?.retryInMs).toBeGreaterThanOrEqual(125);
        expect(events[0]?.retryInMs).toBeLessThanOrEqual(250);
        expect(JSON.stringify(events)).not.toContain('s3cret');
      } finally {
        await mm.close();
      }
    } finally {
      await (nats as RunningNatsServer | undefined)?.stop();
    }
  });

  it('gives up waiting for NATS when its start is aborted, freeing its port', async () => {
    const natsPort = await freePort();
    const listenPort = await freePort();
    const stopping = new AbortController();
    const starting = startMatchmaker(
      testConfig(`nats://127.0.0.1:${natsPort}`, { runService: false, listenPort }),
      { logger: captureLogger(() => stopping.abort()).logger },
      { listen: true, signal: stopping.signal },
    );
    await expect(starting).rejects.toMatchObject({ name: 'AbortError' });
    const probe = createServer();
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(listenPort, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => probe.close(resolve));
  });

  it('answers 503 on its address while it waits for NATS, then the front takes the port over', async () => {
    const natsPort = await freePort();
    const listenPort = await freePort();
    const base = `http://127.0.0.1:${listenPort}`;
    let nats: RunningNatsServer | undefined;
    let waiting!: () => void;
    const firstAttemptFailed = new Promise<void>((resolve) => {
      waiting = resolve;
    });
    const starting = startMatchmaker(
      testConfig(`nats://127.0.0.1:${natsPort}`, { runService: false, listenPort }),
      { logger: captureLogger(() => waiting()).logger },
      { listen: true },
    );
    try {
      await firstAttemptFailed;
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(503);
      expect(await health.json()).toEqual({ ok: false, starting: true, checks: { nats: false } });
      const play = await fetch(`${base}/matchmaker/wannaplay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ game: 'arena', version: '1.0.0' }),
      });
      expect(play.status).toBe(503);
      expect(play.headers.get('retry-after')).toBe('2');
      expect(await play.json()).toMatchObject({ type: 'error', code: 'MATCHMAKER_UNAVAILABLE' });
      const ws = new WebSocket(`ws://127.0.0.1:${listenPort}/matchmaker/ws`);
      ws.on('error', () => {}); // aborting the refused handshake below reports one
      const [request, refused] = await once(ws, 'unexpected-response');
      expect(refused.statusCode).toBe(503);
      request.destroy();

      nats = await startNatsServer({ port: natsPort, jetstream: false });
      const mm = await starting;
      try {
        expect(mm.url).toBe(base);
        const up = await fetch(`${base}/healthz`);
        expect(up.status).toBe(200);
        expect(await up.json()).toEqual({ ok: true, checks: { nats: true } });
      } finally {
        await mm.close();
      }
    } finally {
      await (nats as RunningNatsServer | undefined)?.stop();
    }
  });

  it('exits 0 on SIGTERM while it still waits for NATS', async () => {
    const port = await freePort();
    const bin = fileURLToPath(new URL('../bin/playgap-matchmaker.js', import.meta.url));
    const child = spawn(process.execPath, [bin], {
      env: {
        PATH: process.env.PATH,
        NATS_URL: `nats://127.0.0.1:${port}`,
        PLAYGAP_APP: 'arena',
        PLAYGAP_VERSIONS: '1.0.0',
        PLAYGAP_PROTOCOL_ID: '7',
        PLAYGAP_PRIVATE_KEY: 'ab'.repeat(32),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    trackChild(child);
    let out = '';
    child.stdout!.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('"nats_unreachable"')) resolve();
      });
      child.once('exit', () => reject(new Error(`exited before waiting for NATS:\n${out}`)));
    });
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(out).toContain('"event":"stopping","signal":"SIGTERM"');
    expect(out).not.toContain('"event":"started"');
  });
});
