// A matchmaker whose NATS user may not write seats (a misconfigured deployment): the placement
// fails at once with NATS_UNAVAILABLE and the permission error as its cause, not after the
// write's timeout. The real roles are proven in docker/test/nats-permissions.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { buckets } from '@playgap/protocol';
import { KvWriter } from '@playgap/protocol/kv';
import { type RunningNatsServer, startNatsServer, waitFor } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAppBuckets } from '../src/buckets.js';
import type { MintedToken, TokenMinter } from '../src/connect-token.js';
import { FleetCache } from '../src/fleet-cache.js';
import { SeatReserver } from '../src/seat-reservation.js';
import { APP, serverRecord, VERSION } from './fake-fleet.js';

let dir: string;
let nats: RunningNatsServer;
const conns: NatsConnection[] = [];

const mint: TokenMinter = (): MintedToken => ({
  base64: 'dG9rZW4=',
  expireTimestamp: BigInt(Math.floor(Date.now() / 1000) + 30),
  clientId: 77n,
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seat-permissions-'));
  const seats = buckets(APP).seats;
  writeFileSync(
    join(dir, 'nats.conf'),
    `authorization {
  users = [
    { user: admin, password: admin }
    { user: mm, password: mm, permissions: {
        publish: { allow: [">"], deny: ["$KV.${seats}.>"] }
        subscribe: { allow: [">"] } } }
  ]
}
`,
  );
  nats = await startNatsServer({ args: ['-c', join(dir, 'nats.conf')] });
});

afterAll(async () => {
  for (const c of conns) await c.close();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a matchmaker NATS user that may not write seats', () => {
  it('fails the placement at once with NATS_UNAVAILABLE, the permission error as its cause', async () => {
    const admin = await connect({ servers: nats.url, user: 'admin', pass: 'admin' });
    const mm = await connect({ servers: nats.url, user: 'mm', pass: 'mm' });
    conns.push(admin, mm);
    const adminKv = await openAppBuckets(admin, APP);
    await adminKv.servers.put('perm-srv', JSON.stringify(serverRecord('perm-srv')));
    const kv = await openAppBuckets(mm, APP);
    const fleet = new FleetCache({ servers: kv.servers, seats: kv.seats, serverStaleMs: 15_000 });
    await fleet.start();
    // A long write timeout: the refusal must not wait for it.
    const writer = new KvWriter(mm, kv.seats, { timeoutMs: 60_000 });
    try {
      await waitFor(() => fleet.server('perm-srv')?.state === 'ready', { timeoutMs: 5_000 });
      const reserver = new SeatReserver({ seats: kv.seats, writer, fleet, mint, instanceId: 'm' });
      const failed = await reserver.reserve({ version: VERSION }).catch((e: unknown) => e);
      expect(failed).toMatchObject({ code: 'NATS_UNAVAILABLE' });
      const cause = (failed as { cause?: Error }).cause;
      expect(cause?.name).toBe('PermissionViolationError');
      expect(cause?.message).toContain(`$KV.${buckets(APP).seats}.perm-srv.`);
    } finally {
      writer.close();
      fleet.stop();
    }
  });
});
