import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type RunningNatsServer, startNatsServer } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKvConflict, isKvUnavailable, KvWriter, openAppBuckets } from './index.js';

const bytes = (text: string) => new TextEncoder().encode(text);

let nats: RunningNatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
});
afterAll(async () => {
  await nc.close();
  await nats.stop();
});

describe('KvWriter', () => {
  it('writes what kv reads, at the revisions kv reports, and refuses stale revisions as conflicts', async () => {
    const { seats } = await openAppBuckets(nc, 'writer', ['seats'], { replicas: 1 });
    const writer = new KvWriter(nc, seats);
    try {
      const first = await writer.create('s.0', bytes('one'));
      const read = await seats.get('s.0');
      expect(read?.revision).toBe(first);
      expect(read?.string()).toBe('one');

      const second = await writer.update('s.0', bytes('two'), first);
      expect(second).toBeGreaterThan(first);
      expect((await seats.get('s.0'))?.string()).toBe('two');

      const stale = await writer.update('s.0', bytes('late'), first).catch((e: unknown) => e);
      expect(isKvConflict(stale)).toBe(true);
      const again = await writer.create('s.0', bytes('again')).catch((e: unknown) => e);
      expect(isKvConflict(again)).toBe(true);
      expect((await seats.get('s.0'))?.string()).toBe('two');
    } finally {
      writer.close();
    }
  });

  it('re-creates a key whose last operation deleted it, like kv.create', async () => {
    const { seats } = await openAppBuckets(nc, 'recreate', ['seats'], { replicas: 1 });
    const writer = new KvWriter(nc, seats);
    try {
      await writer.create('s.1', bytes('taken'));
      await seats.delete('s.1');
      const revision = await writer.create('s.1', bytes('taken again'));
      expect((await seats.get('s.1'))?.revision).toBe(revision);
      await seats.purge('s.1');
      await writer.create('s.1', bytes('after purge'));
      expect((await seats.get('s.1'))?.string()).toBe('after purge');
    } finally {
      writer.close();
    }
  });

  it('lets exactly one of many racing writers win a revision', async () => {
    const { seats } = await openAppBuckets(nc, 'racers', ['seats'], { replicas: 1 });
    const writers = [new KvWriter(nc, seats), new KvWriter(nc, seats), new KvWriter(nc, seats)];
    try {
      const base = await writers[0]!.create('s.2', bytes('free'));
      const results = await Promise.allSettled(
        writers.flatMap((w, i) => [0, 1, 2].map((j) => w.update('s.2', bytes(`w${i}.${j}`), base))),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = results.filter((r) => r.status === 'rejected');
      expect(lost).toHaveLength(8);
      for (const r of lost) expect(isKvConflict((r as PromiseRejectedResult).reason)).toBe(true);
    } finally {
      for (const w of writers) w.close();
    }
  });

  it("publishes a turn's writes together at its end, in call order; a close before then publishes none", async () => {
    const { seats } = await openAppBuckets(nc, 'turn', ['seats'], { replicas: 1 });
    const writer = new KvWriter(nc, seats);
    try {
      const first = await writer.create('s.0', bytes('zero'));
      const sent = nc.stats().outMsgs;
      // Each write to s.0 expects the revision the one before it makes: all succeed only in order.
      const writes = [
        writer.update('s.0', bytes('one'), first),
        writer.update('s.0', bytes('two'), first + 1),
        writer.create('s.1', bytes('other')),
        writer.update('s.0', bytes('three'), first + 2), // s.1 took first + 3
      ];
      expect(nc.stats().outMsgs).toBe(sent); // nothing left yet: queued for the turn's end
      await expect(Promise.all(writes)).resolves.toEqual([
        first + 1,
        first + 2,
        first + 3,
        first + 4,
      ]);
      expect((await seats.get('s.0'))?.string()).toBe('three');
    } finally {
      writer.close();
    }

    const closing = new KvWriter(nc, seats);
    const lost = closing.create('s.2', bytes('never'));
    closing.close();
    await expect(lost).rejects.toThrow(/closed/i);
    await new Promise((resolve) => setImmediate(resolve));
    await nc.flush();
    expect(await seats.get('s.2')).toBeNull();
  });

  it('answers a write to a bucket whose stream is gone as unavailable, not a hang', async () => {
    const { seats } = await openAppBuckets(nc, 'gone', ['seats'], { replicas: 1 });
    const writer = new KvWriter(nc, seats);
    try {
      await seats.destroy();
      const error = await writer.create('s.3', bytes('x')).catch((e: unknown) => e);
      expect(isKvUnavailable(error)).toBe(true);
    } finally {
      writer.close();
    }
  });

  it('times a write out when no ack comes, and rejects what is waiting on close', async () => {
    const { seats } = await openAppBuckets(nc, 'silent', ['seats'], { replicas: 1 });
    // A subscriber that swallows writes: the JetStream stream still answers, so point a writer
    // of another bucket name at a subject only this subscriber hears.
    const fake = { bucket: 'nobody', get: () => Promise.resolve(null) } as unknown as typeof seats;
    const sink = nc.subscribe('$KV.nobody.>', { callback: () => {} });
    const writer = new KvWriter(nc, fake, { timeoutMs: 200 });
    const closing = new KvWriter(nc, fake, { timeoutMs: 60_000 });
    try {
      const error = await writer.update('k', bytes('x'), 1).catch((e: unknown) => e);
      expect(isKvUnavailable(error)).toBe(true);
      expect((error as Error).name).toBe('TimeoutError');
      const waiting = closing.update('k', bytes('x'), 1).catch((e: unknown) => e);
      closing.close();
      expect(((await waiting) as Error).name).toBe('ClosedConnectionError');
      await expect(closing.update('k', bytes('y'), 1)).rejects.toThrow(/closed/);
      expect(() => writer.update('k', bytes('x'), 0)).toThrow(RangeError);
      expect((await seats.status()).values).toBe(0);
    } finally {
      sink.unsubscribe();
      writer.close();
      closing.close();
    }
  });
});

describe('KvWriter under NATS permissions', () => {
  let guarded: RunningNatsServer;
  let dir: string;
  const conns: NatsConnection[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kv-writer-perms-'));
    const config = join(dir, 'nats.conf');
    // `keys` may write one key of the bucket; `deaf` may not read its ack inbox.
    writeFileSync(
      config,
      `authorization {
  users = [
    { user: admin, password: admin }
    { user: keys, password: keys, permissions: {
        publish: { allow: ["$JS.API.>", "$KV.playgap_perm_seats.open.>"] }
        subscribe: { allow: ["_INBOX.>"] } } }
    { user: deaf, password: deaf, permissions: {
        publish: { allow: ["$JS.API.>", "$KV.playgap_perm_seats.>"] }
        subscribe: { allow: ["_INBOX.>"], deny: ["_INBOX.deaf.>"] } } }
  ]
}
`,
    );
    guarded = await startNatsServer({ args: ['-c', config] });
    const admin = await connect({ servers: guarded.url, user: 'admin', pass: 'admin' });
    conns.push(admin);
    await openAppBuckets(admin, 'perm', ['seats'], { replicas: 1 });
  });

  afterAll(async () => {
    for (const c of conns) await c.close();
    await guarded?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rejects a write to a key it may not publish at once with the permission error, and still writes the others', async () => {
    const nc = await connect({ servers: guarded.url, user: 'keys', pass: 'keys' });
    conns.push(nc);
    const { seats } = await openAppBuckets(nc, 'perm', ['seats'], { replicas: 1 });
    // A long timeout: a refusal must not wait for it.
    const writer = new KvWriter(nc, seats, { timeoutMs: 60_000 });
    try {
      const refused = await writer.create('closed.1', bytes('x')).catch((e: unknown) => e);
      expect(refused).toMatchObject({ name: 'PermissionViolationError', operation: 'publish' });
      expect(String((refused as Error).message)).toContain('$KV.playgap_perm_seats.closed.1');
      expect(await writer.create('open.1', bytes('y'))).toBeGreaterThan(0);
    } finally {
      writer.close();
    }
  });

  it('fails every write at once when it may not read its ack inbox, without crashing', async () => {
    const nc = await connect({ servers: guarded.url, user: 'deaf', pass: 'deaf' });
    conns.push(nc);
    const { seats } = await openAppBuckets(nc, 'perm', ['seats'], { replicas: 1 });
    const writer = new KvWriter(nc, seats, { timeoutMs: 60_000, inboxPrefix: '_INBOX.deaf' });
    try {
      const first = await writer.update('open.2', bytes('x'), 1).catch((e: unknown) => e);
      expect(first).toMatchObject({ name: 'PermissionViolationError', operation: 'subscription' });
      const second = await writer.update('open.2', bytes('x'), 1).catch((e: unknown) => e);
      expect(second).toBe(first);
    } finally {
      writer.close();
    }
  });
});
