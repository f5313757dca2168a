import { existsSync } from 'node:fs';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningNatsCluster, startNatsCluster } from './index.js';

describe('startNatsCluster', () => {
  let cluster: RunningNatsCluster;
  beforeAll(async () => {
    cluster = await startNatsCluster();
  }, 90_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('runs three routed JetStream nodes that keep an R3 bucket through the loss of its leader', async () => {
    expect(cluster.nodes).toHaveLength(3);
    expect(cluster.url.split(',')).toEqual(cluster.nodes.map((n) => n.url));
    const nc = await connect({ servers: cluster.url.split(','), reconnectTimeWait: 100 });
    try {
      const kv = await new Kvm(nc).create('testkit_cluster', { replicas: 3, history: 1 });
      expect((await kv.status()).replicas).toBe(3);
      await kv.put('k', 'before');
      const leader = await cluster.streamLeader('KV_testkit_cluster');
      expect(leader).toBeTypeOf('number');
      await cluster.kill(leader as number);
      expect(cluster.nodes[leader as number]?.running).toBe(false);
      // A new stream leader is elected among the two left; until then a put may time out.
      let written = false;
      for (let attempt = 0; attempt < 150 && !written; attempt++) {
        await new Promise((r) => setTimeout(r, 100)); // ~5 s on nats-server 2.9; no event to wait on
        written = await kv.put('k', 'during', { timeout: 1_000 }).then(
          () => true,
          () => false,
        );
      }
      expect(written).toBe(true);
      await cluster.restart(leader as number);
      expect(cluster.nodes[leader as number]?.running).toBe(true);
      expect((await kv.get('k'))?.string()).toBe('during');
    } finally {
      await nc.close();
    }
  });

  it('removes every store on stop', async () => {
    const small = await startNatsCluster({ size: 3 });
    const dirs = small.nodes.map((n) => n.storeDir);
    expect(dirs.every((d) => existsSync(d))).toBe(true);
    await small.stop();
    expect(dirs.some((d) => existsSync(d))).toBe(false);
  });
});
