// What a NATS store that does not answer for a while (a cluster electing a leader) does to a
// placement: a started deployment's record is written once it answers again; what still fails
// reaches the player as NATS_UNAVAILABLE, not INTERNAL.
import type { KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type DeploymentRecord, ErrorCode } from '@playgap/protocol';
import { openAppBuckets } from '@playgap/protocol/kv';
import { type RunningNatsServer, startNatsServer } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeploymentPool } from '../src/deployment-pool.js';
import type { EdgegapApi } from '../src/edgegap-api.js';
import { toWireError } from '../src/errors.js';
import type { FleetCache } from '../src/fleet-cache.js';

/** What the client throws for a write that finds no stream leader (no responders). */
const noLeader = () =>
  Object.assign(new Error('jetstream is not enabled'), { name: 'JetStreamNotEnabled' });

let nats: RunningNatsServer;
let nc: NatsConnection;
let deployments: KV;

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  ({ deployments } = await openAppBuckets(nc, 'outage', ['deployments']));
});

afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

describe('a NATS store that does not answer for a while', () => {
  it('keeps the record of a deployment it started when the first write finds no leader', async () => {
    let failures = 1;
    const flaky: KV = Object.create(deployments, {
      put: {
        value: (...args: Parameters<KV['put']>) => {
          if (failures-- > 0) return Promise.reject(noLeader());
          return deployments.put(...args);
        },
      },
    });
    const edgegap = { deploy: async () => ({ requestId: 'req-outage' }) } as unknown as EdgegapApi;
    const pool = new DeploymentPool({
      app: 'outage',
      deployments: flaky,
      fleet: { server: () => undefined } as unknown as FleetCache,
      edgegap,
      instanceId: 'mm-outage',
      capacity: 4,
      deploymentDeadlineMs: 60_000,
      statusPollMs: 100,
    });
    await expect(pool.acquire('1.0.0', '203.0.113.7', () => {})).resolves.toEqual({
      requestId: 'req-outage',
      started: true,
    });
    expect(failures).toBe(-1);
    const stored = await deployments.get('req-outage');
    expect(stored?.json<DeploymentRecord>()).toMatchObject({ state: 'starting', promised: 1 });
  });

  it('reaches the player as NATS_UNAVAILABLE, and anything else unexpected as INTERNAL', () => {
    expect(toWireError(noLeader()).code).toBe(ErrorCode.NATS_UNAVAILABLE);
    expect(toWireError(new TypeError('x')).code).toBe(ErrorCode.INTERNAL);
  });
});
