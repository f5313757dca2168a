import { DeploymentState } from '@playgap/protocol';
import { ManualClock } from '@playgap/protocol/clock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeploymentLifecycle, MAX_REASON_CHARS } from './deployment-lifecycle.js';
import { DeploymentStore } from './deployment-store.js';
import {
  fleetOf,
  ScriptedEdgegap,
  startingRecord,
  startTestNats,
  type TestNats,
} from './pool.test-helper.js';
import { slotKey } from './starting-slot.js';

let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => {
  await nats?.stop();
});

const DEADLINE_MS = 60_000;

async function setUp(app: string, fleet = fleetOf()) {
  const kv = await nats.deployments(app);
  const store = new DeploymentStore(kv);
  const clock = new ManualClock();
  const edgegap = new ScriptedEdgegap();
  const lifecycle = new DeploymentLifecycle({
    app: 'pool',
    store,
    fleet,
    edgegap,
    deploymentDeadlineMs: DEADLINE_MS,
    now: () => clock.now(),
  });
  return { kv, store, clock, edgegap, lifecycle };
}

describe('DeploymentLifecycle', () => {
  it('marks a starting deployment READY once, and leaves a failed one failed', async () => {
    const { store, clock, lifecycle } = await setUp('life-ready');
    await store.put(startingRecord('req-a', clock.now()));
    await store.put(startingRecord('req-f', clock.now(), { state: DeploymentState.FAILED }));
    clock.advance(1_500);
    await lifecycle.markReady('req-a');
    await lifecycle.markReady('req-f');
    await lifecycle.markReady('req-missing');
    expect((await store.get('req-a'))?.record).toMatchObject({
      state: DeploymentState.READY,
      updatedAt: clock.now(),
    });
    expect((await store.get('req-f'))?.record.state).toBe(DeploymentState.FAILED);
    expect(await store.get('req-missing')).toBeUndefined();
  });

  it('logs one deployment_ready line whether the waiting placement or the reaper sees it first', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const log = { info: (fields: Record<string, unknown>) => lines.push(fields) };
    const kv = await nats.deployments('life-ready-log');
    const store = new DeploymentStore(kv);
    const clock = new ManualClock();
    const lifecycle = new DeploymentLifecycle({
      app: 'pool',
      store,
      fleet: fleetOf({ 'req-reaped': {}, 'req-marked': {} }),
      edgegap: new ScriptedEdgegap(),
      deploymentDeadlineMs: DEADLINE_MS,
      now: () => clock.now(),
      log: log as never,
    });
    await store.put(startingRecord('req-reaped', clock.now()));
    await store.put(startingRecord('req-marked', clock.now()));
    clock.advance(2_000);
    await lifecycle.markReady('req-marked');
    // The reaper forgets both; only the one still STARTING gets its ready line from it.
    await lifecycle.reap();
    await lifecycle.markReady('req-reaped'); // the placement, late: no record, no second line
    const ready = lines.filter((l) => l.event === 'deployment_ready');
    expect(ready.map((l) => l.serverId).sort()).toEqual(['req-marked', 'req-reaped']);
    expect(ready.every((l) => l.ms === 2_000)).toBe(true);
  });

  it('marks a deployment FAILED with a bounded reason and stops it on Edgegap', async () => {
    const { store, clock, edgegap, lifecycle } = await setUp('life-fail');
    await store.put(startingRecord('req-a', clock.now()));
    await lifecycle.fail('req-a', 'x'.repeat(1_000));
    const record = (await store.get('req-a'))?.record;
    expect(record?.state).toBe(DeploymentState.FAILED);
    expect(record?.error).toHaveLength(MAX_REASON_CHARS);
    expect(edgegap.stopped).toEqual(['req-a']);
    // No record (a crashed start): still stopped on Edgegap.
    await lifecycle.fail('req-unrecorded', 'never became ready');
    expect(edgegap.stopped).toEqual(['req-a', 'req-unrecorded']);
  });

  it('reaps: forgets registered and READY ones, stops starting ones past their deadline, removes old failures', async () => {
    const { kv, store, clock, edgegap, lifecycle } = await setUp(
      'life-reap',
      fleetOf({ registered: {} }),
    );
    const t = clock.now();
    await store.put(startingRecord('registered', t));
    await store.put(startingRecord('ready', t, { state: DeploymentState.READY }));
    await store.put(startingRecord('late', t - DEADLINE_MS));
    await store.put(startingRecord('young', t));
    await store.put(startingRecord('old-failure', t, { state: DeploymentState.FAILED }));
    await store.put(startingRecord('other-app', t - DEADLINE_MS, { app: 'another' }));
    await kv.create(slotKey('1.0.0'), '{}'); // a starting slot is never a record
    const first = await lifecycle.reap();
    expect(first.forgotten.sort()).toEqual(['ready', 'registered']);
    expect(first.stopped).toEqual(['late']);
    expect(edgegap.stopped).toEqual(['late']);
    expect((await store.get('late'))?.record.state).toBe(DeploymentState.FAILED);
    clock.advance(DEADLINE_MS);
    const second = await lifecycle.reap();
    expect(second.forgotten.sort()).toEqual(['late', 'old-failure']);
    expect(second.stopped).toEqual(['young']);
    expect((await store.list()).map((r) => r.record.requestId).sort()).toEqual([
      'other-app',
      'young',
    ]);
  });

  it('stops a tagged deployment nobody knows only once it has been unknown for the deadline', async () => {
    const { clock, edgegap, lifecycle } = await setUp('life-orphan', fleetOf({ serving: {} }));
    edgegap.listed = ['orphan', 'serving'];
    expect((await lifecycle.reap()).stopped).toEqual([]);
    clock.advance(DEADLINE_MS - 1);
    expect((await lifecycle.reap()).stopped).toEqual([]);
    clock.advance(1);
    expect((await lifecycle.reap()).stopped).toEqual(['orphan']);
    expect(edgegap.stopped).toEqual(['orphan']);
    // One that went away before the deadline starts its count again if it shows up again.
    edgegap.listed = ['flicker'];
    await lifecycle.reap();
    edgegap.listed = [];
    await lifecycle.reap();
    edgegap.listed = ['flicker'];
    clock.advance(DEADLINE_MS - 1);
    expect((await lifecycle.reap()).stopped).toEqual([]);
  });
});
