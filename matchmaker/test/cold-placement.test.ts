import type { DeploymentRecord, PlayReply, ProgressMessage } from '@playgap/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningMatchmaker, startMatchmaker } from '../src/index.js';
import { APP, serverRecord, startTestNats, type TestNats, testConfig } from './fake-fleet.js';
import { TestEdgegap } from './test-edgegap.js';
import { converse, last } from './ws-client.js';

let nats: TestNats;
let edgegap: TestEdgegap;
let mm: RunningMatchmaker;

beforeAll(async () => {
  nats = await startTestNats();
  edgegap = new TestEdgegap(nats, 16);
  mm = await startMatchmaker(
    testConfig(nats.url, { deploymentDeadlineMs: 1_500, statusPollMs: 20 }),
    { edgegap },
    { listen: true },
  );
});

afterAll(async () => {
  await mm?.close();
  edgegap?.close();
  await nats?.stop();
});

async function record(requestId: string): Promise<DeploymentRecord | undefined> {
  const entry = await nats.kv.deployments.get(requestId);
  return entry?.operation === 'PUT' ? entry.json<DeploymentRecord>() : undefined;
}

function play(version: string) {
  return fetch(`${mm.url}/matchmaker/wannaplay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.5' },
    body: JSON.stringify({ game: APP, version }),
  }).then((r) => r.json() as Promise<Record<string, unknown>>);
}

describe('cold placement', () => {
  it('starts a deployment with the player IP and tags, waits for its sidecar record, then places', async () => {
    const c = await converse(mm.url!, JSON.stringify({ game: APP, version: 'cold' }));
    const reply = last(c) as PlayReply;
    expect(reply.type).toBe('ready');
    expect(edgegap.deployed).toHaveLength(1);
    const deployed = edgegap.deployed[0]!;
    expect(reply.serverId).toBe(deployed.requestId);
    expect(deployed.ip).toBe('127.0.0.1');
    expect(deployed.tags).toEqual([
      'playgap',
      `playgap-app:${APP}`,
      `playgap-mm:${mm.config.instanceId}`,
    ]);
    const stages = c.messages
      .filter((m): m is ProgressMessage => m.type === 'progress')
      .map((m) => m.stage);
    expect(stages).toContain('deploying');
    expect(c.closeCode).toBe(1000);
  });

  it('starts 4 deployments, not 50, for a burst of 50 players with 16 seats each', async () => {
    const before = edgegap.deployed.length;
    const results = await Promise.all(Array.from({ length: 50 }, () => play('burst')));
    expect(results.filter((r) => r.type === 'ready')).toHaveLength(50);
    const started = edgegap.deployed.slice(before);
    expect(started).toHaveLength(4);
    const perServer = new Map<unknown, number>();
    for (const r of results) perServer.set(r.serverId, (perServer.get(r.serverId) ?? 0) + 1);
    expect([...perServer.values()].every((n) => n <= 16)).toBe(true);
    expect(new Set(results.map((r) => r.clientId)).size).toBe(50);
  });

  it('starts a new deployment when the one a player was placed on has stopped since', async () => {
    const first = await play('again');
    expect(first).toMatchObject({ type: 'ready' });
    expect((await record(String(first.serverId)))?.state).toBe('ready');
    await edgegap.terminate(String(first.serverId));
    for (let i = 0; i < 300 && mm.fleet!.server(String(first.serverId)); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const second = await play('again');
    expect(second).toMatchObject({ type: 'ready' });
    expect(second.serverId).not.toBe(first.serverId);
    expect(edgegap.deployed.filter((d) => d.version === 'again')).toHaveLength(2);
  });

  it('fails a starting record whose deployment Edgegap reports TERMINATED and starts a new one for its joiner', async () => {
    edgegap.behaviour.set('rejoin', 'never-ready');
    const { requestId: stopped } = await edgegap.deploy({
      application: APP,
      version: 'rejoin',
      users: [{ ipAddress: '127.0.0.1' }],
    });
    await edgegap.terminate(stopped);
    const now = Date.now();
    const starting: DeploymentRecord = {
      requestId: stopped,
      app: APP,
      version: 'rejoin',
      state: 'starting',
      capacity: 16,
      promised: 1,
      startedBy: 'other',
      startedAt: now,
      deadlineAt: now + 60_000,
      updatedAt: now,
    };
    await nats.kv.deployments.put(stopped, JSON.stringify(starting));
    edgegap.behaviour.set('rejoin', 'ok');
    const answer = await play('rejoin');
    expect(answer).toMatchObject({ type: 'ready' });
    expect(answer.serverId).not.toBe(stopped);
    expect((await record(stopped))?.state).toBe('failed');
    expect(edgegap.deployed.filter((d) => d.version === 'rejoin')).toHaveLength(2);
  });

  it('turns an Edgegap ERROR deployment into DEPLOYMENT_FAILED and stops it', async () => {
    edgegap.behaviour.set('fail', 'error');
    const answer = await play('fail');
    expect(answer).toMatchObject({ type: 'error', code: 'DEPLOYMENT_FAILED' });
    const failed = edgegap.deployed.at(-1)!;
    expect(edgegap.stopped).toContain(failed.requestId);
    expect((await record(failed.requestId))?.state).toBe('failed');
  });

  it('turns a deployment that never gets ready into SERVER_NEVER_READY and stops it', async () => {
    edgegap.behaviour.set('expiry', 'never-ready');
    const answer = await play('expiry');
    expect(answer).toMatchObject({ type: 'error', code: 'SERVER_NEVER_READY' });
    expect(edgegap.stopped).toContain(edgegap.deployed.at(-1)!.requestId);
  });

  it('reports a refused deploy call as EDGEGAP_ERROR with the HTTP status and leaves no record', async () => {
    edgegap.behaviour.set('race', 'refuse');
    const before = (await mm.pool!.records()).length;
    const answer = await play('race');
    expect(answer).toMatchObject({ type: 'error', code: 'EDGEGAP_ERROR' });
    expect(String(answer.message)).toContain('503');
    expect((await mm.pool!.records()).length).toBe(before);
    const metrics = await mm.metrics.registry.metrics();
    expect(metrics).toMatch(/playgap_matchmaker_deployments_started_total \d+/);
  });
});

describe('cleanup', () => {
  it('on boot stops a crashed matchmaker’s deployment that is past its deadline and forgets registered ones', async () => {
    const now = Date.now();
    const stale: DeploymentRecord = {
      requestId: 'crashed1',
      app: APP,
      version: 'cold',
      state: 'starting',
      capacity: 16,
      promised: 1,
      startedBy: 'gone',
      startedAt: now - 10_000,
      deadlineAt: now - 1,
      updatedAt: now - 10_000,
    };
    await nats.kv.deployments.put('crashed1', JSON.stringify(stale));
    await nats.kv.deployments.put(
      'registered1',
      JSON.stringify({ ...stale, requestId: 'registered1', deadlineAt: now + 60_000 }),
    );
    await nats.putServer(serverRecord('registered1', { version: 'cold' }));
    const second = await startMatchmaker(
      { ...testConfig(nats.url, { deploymentDeadlineMs: 1_500 }), runFront: false },
      { edgegap },
    );
    try {
      for (let i = 0; i < 300 && !edgegap.stopped.includes('crashed1'); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(edgegap.stopped).toContain('crashed1');
      expect((await record('crashed1'))?.state).toBe('failed');
      // The boot pass (or this one) forgets a deployment whose server registered.
      await second.pool!.reap();
      expect(await record('registered1')).toBeUndefined();
    } finally {
      await second.close();
    }
  });

  it('stops a tagged Edgegap deployment with no record once it outlives the deadline', async () => {
    edgegap.behaviour.set('never-recorded', 'never-ready');
    const orphan = await edgegap.deploy({
      application: APP,
      version: 'never-recorded',
      users: [{ ipAddress: '127.0.0.1' }],
      tags: ['playgap', `playgap-app:${APP}`],
    });
    let offsetMs = 0;
    const reaper = await startMatchmaker(
      { ...testConfig(nats.url, { deploymentDeadlineMs: 1_500 }), runFront: false },
      { edgegap, now: () => Date.now() + offsetMs },
    );
    try {
      const first = await reaper.pool!.reap();
      expect(first.stopped).not.toContain(orphan.requestId);
      offsetMs = 2_000;
      const second = await reaper.pool!.reap();
      expect(second.stopped).toContain(orphan.requestId);
      expect(edgegap.stopped).toContain(orphan.requestId);
    } finally {
      await reaper.close();
    }
  });
});
