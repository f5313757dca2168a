/**
 * Test harness: a Sidecar on a real nats-server with a temp cert dir, its fastify app (inject),
 * and helpers to reserve seats the way the matchmaker does (KV create).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KV, Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { buckets, KV_DEFAULTS, type SeatRecord, seatKey } from '@playgap/protocol';
import type { RunningNatsServer } from '@playgap/testkit';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import type { Deployment } from '../src/deployment.js';
import { natsConnectionOptions } from '../src/nats-connection.js';
import { Sidecar, type SidecarOptions } from '../src/sidecar.js';
import type { TokenVerifier } from '../src/token-check.js';

export const PUBLIC_IP = '203.0.113.9';

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
  close(): Promise<void>;
}

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
    certValidityMs: 86_400_000,
    certRenewBeforeMs: 3_600_000,
    idleTimeoutMs: 0,
    readyTimeoutMs: 60_000,
    heartbeatTimeoutMs: 0,
    serverHeartbeatMs: 200,
    seatHeartbeatMs: 200,
    ...overrides,
  });
  await sidecar.init();
  const nc = await connect(natsConnectionOptions({ servers: nats.url, insecure: false }));
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
      const record: SeatRecord = {
        serverId,
        seatIndex,
        state: 'reserved',
        clientId: String(clientId),
        expiresAt,
        updatedAt: sidecar.clock.now(),
      };
      await seats.create(seatKey(serverId, seatIndex), JSON.stringify(record));
    },
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

/** Poll `check` until it returns a truthy value (bounded; no fixed sleeps). */
export async function until<T>(
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export { KV_DEFAULTS };
