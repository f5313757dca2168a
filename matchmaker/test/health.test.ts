import { startNatsServer } from '@playgap/testkit';
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
});
