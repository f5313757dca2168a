/**
 * Test harness: a Sidecar on a real nats-server with a temp cert dir, its fastify app (inject),
 * and helpers to reserve seats the way the matchmaker does (KV create) and to call the local API
 * the way a game server does.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KV, Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { buckets, KV_DEFAULTS, type SeatRecord, seatKey } from '@playgap/protocol';
import { natsConnectionOptions } from '@playgap/protocol/nats';
import { type RunningNatsServer, startNatsServer } from '@playgap/testkit';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { buildApp } from '../src/app.js';
import type { Deployment } from '../src/deployment.js';
import { Sidecar, type SidecarOptions } from '../src/sidecar.js';
import type { TokenVerifier } from '../src/token-check.js';

export const PUBLIC_IP = '203.0.113.9';

/** The transports most tests announce: one WebSocket on the `game` port. */
export const WEBSOCKET_ON_GAME = [{ kind: 'websocket' as const, port: 'game' }];

export interface Harness {
  sidecar: Sidecar;
  app: FastifyInstance;
  nc: NatsConnection;
  /** A separate connection playing the matchmaker. */
  mm: NatsConnection;
  servers: KV;
  seats: KV;
  certDir: string;
  reserve(clientId: bigint | string, seatIndex: number, expiresAt?: number): Promise<void>;
  /** POST /v1/ready as the game server does; by default announces {@link WEBSOCKET_ON_GAME}. */
  ready(payload?: Record<string, unknown>): Promise<LightMyRequestResponse>;
  /** POST /v1/tokens/verify with a token (any form the verifier takes). */
  verify(token: string): Promise<LightMyRequestResponse>;
  /** POST /v1/disconnect for a client the game server saw leave. */
  disconnect(clientId: string): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/**
 * Sidecar timings under which nothing stops or renews on its own during a test: a day-long
 * certificate, no idle or heartbeat stop, a minute to call ready. Tests about a timer override it.
 *
 * @example
 * new Sidecar({ ...STEADY_TIMERS, app: 'api', version: 'v1', ... });
 */
export const STEADY_TIMERS = {
  certValidityMs: 86_400_000,
  certRenewBeforeMs: 3_600_000,
  idleTimeoutMs: 0,
  readyTimeoutMs: 60_000,
  heartbeatTimeoutMs: 0,
} as const satisfies Partial<SidecarOptions>;

let counter = 0;

export function deploymentFor(serverId: string): Deployment {
  return {
    serverId,
    publicIp: PUBLIC_IP,
    fqdn: `${serverId}.pr.example.net`,
    local: false,
    ports: {
      game: { name: 'game', internal: 7000, external: 31000, protocol: 'TCP' },
      wt: { name: 'wt', internal: 7001, external: 31001, protocol: 'UDP' },
    },
  };
}

export async function startHarness(
  nats: RunningNatsServer,
  verifier: TokenVerifier,
  overrides: Partial<SidecarOptions> = {},
  bucketTtlMs?: { servers: number; seats: number },
): Promise<Harness> {
  const app = `t${process.pid}x${counter++}`;
  const mm = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  const kvm = new Kvm(mm);
  const names = buckets(app);
  if (bucketTtlMs) {
    // Pre-created with short TTLs so expiry shows within a test; the sidecar opens them.
    await kvm.create(names.servers, { ttl: bucketTtlMs.servers, history: 1 });
    await kvm.create(names.seats, { ttl: bucketTtlMs.seats, history: 1 });
  }
  const serverId = `srv-${counter}`;
  const certDir = await mkdtemp(join(tmpdir(), 'sidecar-test-'));
  const sidecar = new Sidecar({
    app,
    version: 'v1',
    deployment: deploymentFor(serverId),
    verifier,
    capacity: 4,
    certDir,
    ...STEADY_TIMERS,
    serverHeartbeatMs: 200,
    seatHeartbeatMs: 200,
    ...overrides,
  });
  await sidecar.init();
  const nc = await connect(
    natsConnectionOptions({ servers: [nats.url], insecure: false }, 'playgap-sidecar-test'),
  );
  await sidecar.attachNats(nc);
  const servers = await kvm.open(names.servers);
  const seats = await kvm.open(names.seats);
  const fastify = buildApp(sidecar);
  return {
    sidecar,
    app: fastify,
    nc,
    mm,
    servers,
    seats,
    certDir,
    async reserve(clientId, seatIndex, expiresAt = sidecar.clock.now() + 30_000) {
      await reserveSeat(seats, serverId, clientId, seatIndex, {
        expiresAt,
        nowMs: sidecar.clock.now(),
      });
    },
    ready: (payload = { transports: WEBSOCKET_ON_GAME }) =>
      fastify.inject({ method: 'POST', url: '/v1/ready', payload }),
    verify: (token) =>
      fastify.inject({ method: 'POST', url: '/v1/tokens/verify', payload: { token } }),
    disconnect: (clientId) =>
      fastify.inject({ method: 'POST', url: '/v1/disconnect', payload: { clientId } }),
    async close() {
      sidecar.shutdown('requested');
      await sidecar.close();
      await fastify.close();
      await nc.close();
      await mm.close();
      await rm(certDir, { recursive: true, force: true });
    },
  };
}

/**
 * One nats-server for the test file and a fresh {@link Harness} per test, closed after it.
 * Registers the vitest hooks, so call it once at the top level of a test file.
 *
 * @example
 * const sidecars = harnessPerTest(fakeVerifier);
 * it('takes a player', async () => {
 *   const h = await sidecars.startReady();
 *   await h.reserve(1n, 0);
 *   expect((await h.verify(token)).statusCode).toBe(200);
 * });
 */
export function harnessPerTest(verifier: TokenVerifier): {
  /** A harness whose server is still starting (no /v1/ready yet). */
  start(overrides?: Partial<SidecarOptions>): Promise<Harness>;
  /** A harness whose game server has called /v1/ready with these transports. */
  startReady(transports?: readonly object[]): Promise<Harness>;
} {
  let nats: RunningNatsServer;
  const open: Harness[] = [];
  beforeAll(async () => {
    nats = await startNatsServer();
  });
  afterAll(async () => {
    await nats.stop();
  });
  afterEach(async () => {
    for (const harness of open.splice(0)) await harness.close();
  });
  const start = async (overrides: Partial<SidecarOptions> = {}) => {
    const harness = await startHarness(nats, verifier, overrides);
    open.push(harness);
    return harness;
  };
  return {
    start,
    async startReady(transports = WEBSOCKET_ON_GAME) {
      const harness = await start();
      await harness.ready({ transports });
      return harness;
    },
  };
}

/**
 * Reserves seat `seatIndex` of `serverId` for `clientId` the way the matchmaker does: a KV
 * create, so a taken seat fails. Times default to the wall clock with a 30 s reservation.
 *
 * @example
 * await reserveSeat(seats, 'srv-1', 42n, 0);
 */
export async function reserveSeat(
  seats: KV,
  serverId: string,
  clientId: bigint | string,
  seatIndex: number,
  { nowMs = Date.now(), expiresAt = nowMs + 30_000 }: { nowMs?: number; expiresAt?: number } = {},
): Promise<void> {
  const record: SeatRecord = {
    serverId,
    seatIndex,
    state: 'reserved',
    clientId: String(clientId),
    expiresAt,
    updatedAt: nowMs,
  };
  await seats.create(seatKey(serverId, seatIndex), JSON.stringify(record));
}

export { KV_DEFAULTS };
