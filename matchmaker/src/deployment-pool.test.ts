import { DeploymentState, ErrorCode } from '@playgap/protocol';
import { ManualClock } from '@playgap/protocol/clock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeploymentPool } from './deployment-pool.js';
import type { FleetCache } from './fleet-cache.js';
import {
  driveClock,
  fleetOf,
  ScriptedEdgegap,
  startTestNats,
  type TestNats,
} from './pool/pool.test-helper.js';
import { SLOT_TIMINGS } from './pool/starting-slot.js';

let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => {
  await nats?.stop();
});

// A holder is never taken for dead and no record reaches its deadline however long the
// simulated time of a test runs (takeover has its own tests in pool/starting-slot.test.ts).
const NO_TAKEOVER = { ...SLOT_TIMINGS, staleMs: 3_600_000 };

async function poolsOn(app: string, replicas: number, fleet = fleetOf()) {
  const deployments = await nats.deployments(app);
  const clock = new ManualClock();
  const edgegap = new ScriptedEdgegap();
  const pools = Array.from(
    { length: replicas },
    (_, i) =>
      new DeploymentPool({
        app: 'pool',
        deployments,
        fleet: fleet as unknown as FleetCache,
        edgegap,
        instanceId: `mm-${i}`,
        capacity: 4,
        deploymentDeadlineMs: 3_600_000,
        statusPollMs: 100,
        clock,
        slotTimings: NO_TAKEOVER,
      }),
  );
  return { pools, clock, edgegap };
}

describe('DeploymentPool', () => {
  it('starts ceil(players / capacity) deployments for a burst spread over two replicas', async () => {
    const { pools, clock, edgegap } = await poolsOn('pool-burst', 2);
    const burst = Promise.all(
      Array.from({ length: 10 }, (_, i) => pools[i % 2]!.acquire('1.0.0', '203.0.113.7', () => {})),
    );
    const { value, error } = await driveClock(clock, burst, SLOT_TIMINGS.pollMs);
    expect(error).toBeUndefined();
    expect(edgegap.deployed).toHaveLength(3);
    expect(value?.filter((a) => a.started)).toHaveLength(3);
    const records = await pools[0]!.records();
    expect(records.map((r) => r.record.promised).sort()).toEqual([2, 4, 4]);
  });

  it('marks a deployment READY once Edgegap and its sidecar both say so', async () => {
    const { pools, clock, edgegap } = await poolsOn('pool-ready', 1, fleetOf({ 'req-1': {} }));
    const pool = pools[0]!;
    const { requestId } = await pool.acquire('1.0.0', '203.0.113.7', () => {});
    edgegap.statuses.set(requestId, {
      requestId,
      status: 'Status.READY',
      ready: true,
      error: false,
    });
    await pool.awaitServer(requestId, () => {}, clock.now() + 10_000);
    const [stored] = await pool.records();
    expect(stored?.record).toMatchObject({ requestId, state: DeploymentState.READY });
  });

  it('fails the players and stops the deployment when Edgegap reports ERROR', async () => {
    const { pools, clock, edgegap } = await poolsOn('pool-error', 1);
    const pool = pools[0]!;
    const { requestId } = await pool.acquire('1.0.0', '203.0.113.7', () => {});
    edgegap.statuses.set(requestId, {
      requestId,
      status: 'Status.ERROR',
      ready: false,
      error: true,
      errorDetail: 'image pull failed',
    });
    await expect(pool.awaitServer(requestId, () => {}, clock.now() + 10_000)).rejects.toMatchObject(
      { code: ErrorCode.DEPLOYMENT_FAILED },
    );
    const [stored] = await pool.records();
    expect(stored?.record).toMatchObject({
      state: DeploymentState.FAILED,
      error: 'image pull failed',
    });
    expect(edgegap.stopped).toEqual([requestId]);
  });

  it('refuses with NO_CAPACITY when it cannot start servers', async () => {
    const deployments = await nats.deployments('pool-none');
    const pool = new DeploymentPool({
      app: 'pool',
      deployments,
      fleet: fleetOf() as unknown as FleetCache,
      edgegap: undefined,
      instanceId: 'mm-0',
      capacity: 4,
      deploymentDeadlineMs: 60_000,
      statusPollMs: 100,
    });
    await expect(pool.acquire('1.0.0', '203.0.113.7', () => {})).rejects.toMatchObject({
      code: ErrorCode.NO_CAPACITY,
    });
  });
});
