import { freePort, type RunningNatsServer, startNatsServer } from '@playgap/testkit';
import { describe, expect, it } from 'vitest';
import { startMatchmaker } from '../src/index.js';
import { testConfig } from './fake-fleet.js';

describe('health', () => {
  it('reports NATS down in /healthz while the server is gone and up again after it returns', async () => {
    let nats = await startNatsServer();
    const mm = await startMatchmaker({ ...testConfig(nats.url), runService: false }, {});
    const health = async () => (await mm.front!.inject({ method: 'GET', url: '/healthz' })).json();
    const until = async (ok: boolean) => {
      for (let i = 0; i < 500; i++) {
        if ((await health()).ok === ok) return true;
        await new Promise((r) => setTimeout(r, 20));
      }
      return false;
    };
    try {
      expect(await health()).toEqual({ ok: true, checks: { nats: true } });
      await nats.stop({ keepStore: true });
      expect(await until(false)).toBe(true);
      expect((await health()).checks).toEqual({ nats: false });
      nats = await nats.restart();
      expect(await until(true)).toBe(true);
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
        log: (event) => {
          events.push(event);
          if (events.length === 1)
            void startNatsServer({ port, jetstream: false }).then((server) => {
              nats = server;
            });
        },
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
          message: 'NATS not reachable; retrying',
          attempt: 1,
          servers: `nats://mm:***@127.0.0.1:${port}`,
          retryInMs: 250,
        });
        expect(JSON.stringify(events)).not.toContain('s3cret');
      } finally {
        await mm.close();
      }
    } finally {
      await (nats as RunningNatsServer | undefined)?.stop();
    }
  });
});
