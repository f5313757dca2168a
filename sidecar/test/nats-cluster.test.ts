/**
 * A sidecar on a three-node NATS cluster with R3 buckets loses the node it is connected to,
 * which also leads the seats bucket: it reconnects to another node, keeps its server record
 * fresh, admits players again after the election, and nothing it wrote is lost.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { SeatRecord, ServerRecord } from '@playgap/protocol';
import { openAppBuckets, retryWhileUnavailable } from '@playgap/protocol/kv';
import { natsConnectionOptions } from '@playgap/protocol/nats';
import { type RunningNatsCluster, startNatsCluster, waitFor } from '@playgap/testkit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { Sidecar } from '../src/sidecar.js';
import { fakeToken, fakeVerifier } from './fake-token.js';
import { deploymentFor, reserveSeat, STEADY_TIMERS, WEBSOCKET_ON_GAME } from './harness.js';

const APP = 'clustered';
const SERVER_ID = 'srv-clustered';

let cluster: RunningNatsCluster;
let mm: NatsConnection;
let nc: NatsConnection | undefined;
let kv: { servers: KV; seats: KV };
let sidecar: Sidecar | undefined;
let http: FastifyInstance | undefined;
let certDir: string | undefined;

beforeAll(async () => {
  cluster = await startNatsCluster();
  mm = await connect({ servers: cluster.url.split(','), reconnectTimeWait: 100 });
  kv = await openAppBuckets(mm, APP, ['servers', 'seats'], { replicas: 3 });
}, 90_000);

afterAll(async () => {
  sidecar?.shutdown('requested');
  await sidecar?.close();
  await http?.close();
  await nc?.close();
  await mm?.close();
  await cluster?.stop();
  if (certDir) await rm(certDir, { recursive: true, force: true });
});

async function storedSeat(index: number): Promise<SeatRecord | undefined> {
  const entry = await retryWhileUnavailable(() => kv.seats.get(`${SERVER_ID}.${index}`));
  return entry?.operation === 'PUT' ? entry.json<SeatRecord>() : undefined;
}

describe('a sidecar on a three-node NATS cluster', () => {
  it('rides through the loss of its node and of the seats leader', async () => {
    const leader = await cluster.streamLeader(`KV_playgap_${APP}_seats`);
    expect(leader).toBeTypeOf('number');
    const victim = cluster.nodes[leader as number]!;
    const others = cluster.nodes.filter((n) => n !== victim).map((n) => n.url);
    certDir = await mkdtemp(join(tmpdir(), 'sidecar-cluster-'));
    sidecar = new Sidecar({
      app: APP,
      version: 'v1',
      deployment: deploymentFor(SERVER_ID),
      verifier: fakeVerifier,
      capacity: 4,
      certDir,
      ...STEADY_TIMERS,
      serverHeartbeatMs: 200,
      seatHeartbeatMs: 200,
      kvReplicas: 3,
    });
    await sidecar.init();
    nc = await connect({
      ...natsConnectionOptions(
        { servers: [victim.url, ...others], insecure: false },
        'playgap-sidecar-test',
      ),
      noRandomize: true,
    });
    await sidecar.attachNats(nc);
    http = buildApp(sidecar);
    const app = http;
    await app.inject({
      method: 'POST',
      url: '/v1/ready',
      payload: { transports: WEBSOCKET_ON_GAME },
    });
    const verify = (clientId: number) =>
      app.inject({
        method: 'POST',
        url: '/v1/tokens/verify',
        payload: { token: fakeToken({ clientId }) },
      });
    await reserveSeat(kv.seats, SERVER_ID, 71n, 0);
    expect((await verify(71)).statusCode).toBe(200);
    expect(nc.getServer()).toBe(`127.0.0.1:${victim.port}`);

    const killedAt = Date.now();
    await cluster.kill(leader as number);
    const sidecarNc = nc;
    // The election takes ~5 s on nats-server 2.9; the record is rewritten every 200 ms.
    const deadlineMs = 20_000;
    await waitFor(
      () =>
        sidecar?.health().nats === 'connected' &&
        sidecarNc.getServer() !== `127.0.0.1:${victim.port}`,
      { what: 'a connection to another node', timeoutMs: deadlineMs, intervalMs: 25 },
    );
    await waitFor(
      async () => {
        const entry = await kv.servers.get(SERVER_ID).catch(() => null);
        return entry?.operation === 'PUT' && entry.json<ServerRecord>().updatedAt > killedAt;
      },
      { what: 'a server record written after the kill', timeoutMs: deadlineMs, intervalMs: 25 },
    );
    // A player placed meanwhile: the seat write and the verify may meet the election (503
    // NATS_UNAVAILABLE, never another answer); a new token once it is over is admitted.
    await retryWhileUnavailable(() => reserveSeat(kv.seats, SERVER_ID, 72n, 1));
    const admitted = await waitFor(
      async () => {
        const res = await verify(72);
        if (res.statusCode !== 200) expect(res.json()).toMatchObject({ code: 'NATS_UNAVAILABLE' });
        return res.statusCode === 200;
      },
      { what: 'client 72 admitted', timeoutMs: deadlineMs, intervalMs: 25 },
    );
    expect(admitted).toBe(true);

    await cluster.restart(leader as number);
    expect(await storedSeat(0)).toMatchObject({ state: 'connected', clientId: '71' });
    expect(await storedSeat(1)).toMatchObject({ state: 'connected', clientId: '72' });
    expect(sidecar.info().players).toBe(2);
  }, 60_000);
});
