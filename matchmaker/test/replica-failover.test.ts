import type { NatsConnection } from '@nats-io/transport-node';
import { connect } from '@nats-io/transport-node';
import { waitFor } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgegapApi } from '../src/edgegap-api.js';
import { startMatchmaker } from '../src/index.js';
import { APP, startTestNats, type TestNats, testConfig } from './fake-fleet.js';
import { TestEdgegap } from './test-edgegap.js';

let nats: TestNats;

beforeAll(async () => {
  nats = await startTestNats();
});

afterAll(async () => {
  await nats?.stop();
});

describe('replicas', () => {
  it('answers MATCHMAKER_UNAVAILABLE at once when no replica serves the game', async () => {
    const front = await startMatchmaker(
      { ...testConfig(nats.url), runService: false },
      {},
      { listen: true },
    );
    try {
      const res = await fetch(`${front.url}/matchmaker/wannaplay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ game: APP, version: 'cold' }),
      });
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ code: 'MATCHMAKER_UNAVAILABLE' });
    } finally {
      await front.close();
    }
  });

  it('two replicas hit by one burst of 16 players start one deployment of 16 seats, not one each', async () => {
    const edgegap = new TestEdgegap(nats, 16);
    edgegap.deployLatencyMs = 100;
    const config = testConfig(nats.url, { seatsPerServer: 16, statusPollMs: 20 });
    // Two all-in-one replicas, each front placing through its own service, both cold at once.
    const a = await startMatchmaker(config, { edgegap }, { listen: true });
    const b = await startMatchmaker(config, { edgegap }, { listen: true });
    try {
      const results = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          fetch(`${(i % 2 ? a : b).url}/matchmaker/wannaplay`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ game: APP, version: 'burst' }),
          }).then((r) => r.json() as Promise<Record<string, unknown>>),
        ),
      );
      expect(results.filter((r) => r.type === 'ready')).toHaveLength(16);
      expect(edgegap.deployed).toHaveLength(1);
      const perServer = new Map<unknown, number>();
      for (const r of results) perServer.set(r.serverId, (perServer.get(r.serverId) ?? 0) + 1);
      expect([...perServer.values()]).toEqual([16]);
    } finally {
      await a.close();
      await b.close();
      edgegap.close();
    }
  });

  it('finishes a placement on another replica when the one serving it dies mid-flight', async () => {
    // Replica A hangs in its Edgegap deploy call, then dies (its NATS connection drops).
    let deployCalled = false;
    const hanging: EdgegapApi = {
      deploy: () => {
        deployCalled = true;
        return new Promise(() => {});
      },
      getStatus: () => new Promise(() => {}),
      stopDeployment: async () => ({}),
    };
    const ncA: NatsConnection = await connect({ servers: nats.url });
    // Silence must outlast a busy machine's stalls, or a live replica B looks dead too.
    const config = testConfig(nats.url, { serviceSilenceMs: 1_500, progressHeartbeatMs: 100 });
    const a = await startMatchmaker({ ...config, runFront: false }, { nc: ncA, edgegap: hanging });
    const front = await startMatchmaker({ ...config, runService: false }, {}, { listen: true });
    const edgegap = new TestEdgegap(nats, 16);
    const answer = fetch(`${front.url}/matchmaker/wannaplay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ game: APP, version: 'cold' }),
    }).then((r) => r.json() as Promise<Record<string, unknown>>);
    await waitFor(() => deployCalled, {
      what: 'replica A to start deploying',
      timeoutMs: 10_000,
      intervalMs: 10,
    });
    const b = await startMatchmaker({ ...config, runFront: false }, { edgegap });
    try {
      await ncA.close(); // the crash, as NATS sees it
      const reply = await answer;
      expect(reply).toMatchObject({ type: 'ready' });
      expect(edgegap.deployed).toHaveLength(1);
      expect(reply.serverId).toBe(edgegap.deployed[0]!.requestId);
    } finally {
      await a.close();
      await b.close();
      await front.close();
      edgegap.close();
    }
  });
});
