import { DeploymentState } from '@playgap/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeploymentStore } from './deployment-store.js';
import { JOIN_ATTEMPTS, joinStartingDeployment } from './join.js';
import { fleetOf, startingRecord, startTestNats, type TestNats } from './pool.test-helper.js';

let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => {
  await nats?.stop();
});

const NOW = 1_700_000_000_000;
const now = () => NOW;

describe('joinStartingDeployment', () => {
  it('promises one more seat of a starting deployment of the version with room left', async () => {
    const store = new DeploymentStore(await nats.deployments('join-one'));
    await store.put(startingRecord('req-a', NOW, { version: '2.0.0' })); // another version
    await store.put(startingRecord('req-b', NOW, { promised: 3 }));
    const joined = await joinStartingDeployment({
      store,
      fleet: fleetOf(),
      app: 'pool',
      version: '1.0.0',
      now,
    });
    expect(joined).toBe('req-b');
    expect((await store.get('req-b'))?.record).toMatchObject({ promised: 4, updatedAt: NOW });
    // Now full: nothing to join.
    await expect(
      joinStartingDeployment({ store, fleet: fleetOf(), app: 'pool', version: '1.0.0', now }),
    ).resolves.toBeUndefined();
  });

  it('skips failed, past-deadline, other-app and READY-without-a-server deployments', async () => {
    const store = new DeploymentStore(await nats.deployments('join-skip'));
    await store.put(startingRecord('failed', NOW, { state: DeploymentState.FAILED }));
    await store.put(startingRecord('late', NOW - 60_000));
    await store.put(startingRecord('other', NOW, { app: 'another' }));
    await store.put(startingRecord('stopped', NOW, { state: DeploymentState.READY }));
    const join = (fleet = fleetOf()) =>
      joinStartingDeployment({ store, fleet, app: 'pool', version: '1.0.0', now });
    await expect(join()).resolves.toBeUndefined();
    // A READY one is joinable while its server is up.
    await expect(join(fleetOf({ stopped: {} }))).resolves.toBe('stopped');
    await expect(join(fleetOf({ stopped: { state: 'draining' } }))).resolves.toBeUndefined();
  });

  it('gives the last seat to exactly one of two racing joins; the loser reads again and finds none', async () => {
    const kv = await nats.deployments('join-race');
    const store = new DeploymentStore(kv);
    await store.put(startingRecord('req-last', NOW, { capacity: 2, promised: 1 }));
    // Two stores on one bucket: two matchmakers, each with its own view.
    const other = new DeploymentStore(kv);
    const results = await Promise.all(
      [store, other].map((s) =>
        joinStartingDeployment({ store: s, fleet: fleetOf(), app: 'pool', version: '1.0.0', now }),
      ),
    );
    expect(results.filter((r) => r === 'req-last')).toHaveLength(1);
    expect(results.filter((r) => r === undefined)).toHaveLength(1);
    expect((await store.get('req-last'))?.record.promised).toBe(2);
    expect(JOIN_ATTEMPTS).toBeGreaterThan(1);
  });
});
