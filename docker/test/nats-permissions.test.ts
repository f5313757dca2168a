// The NATS roles of compose.yaml, proven on a real nats-server started from the same template
// and entrypoint (start.sh) with TLS: each user can do its job and nothing the matchmaker alone
// may do. Also: TLS is required, and wrong passwords are refused.

import { PassThrough } from 'node:stream';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { runCli } from '@playgap/cli';
import { waitFor } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ComposeNats, startComposeNats } from './nats-from-compose.js';

const app = 'arena';
const bucket = {
  servers: `playgap_${app}_servers`,
  seats: `playgap_${app}_seats`,
  deployments: `playgap_${app}_deployments`,
  tickets: `playgap_${app}_tickets`,
  backfills: `playgap_${app}_backfills`,
  parties: `playgap_${app}_parties`,
};

let nats: ComposeNats;
const open: NatsConnection[] = [];

async function as(user: 'matchmaker' | 'front' | 'gameserver'): Promise<NatsConnection> {
  const nc = await connect({
    servers: nats.url,
    user,
    pass: nats.passwords[user],
    tls: { ca: nats.caPem },
    maxReconnectAttempts: 0,
  });
  open.push(nc);
  return nc;
}

beforeAll(async () => {
  nats = await startComposeNats(app);
  // The matchmaker owns the deployments bucket and creates it first.
  const mm = await as('matchmaker');
  await new Kvm(mm).create(bucket.deployments, { ttl: 3_600_000, history: 1 });
});

afterAll(async () => {
  await Promise.all(open.map((nc) => nc.close()));
  await nats?.stop();
});

describe('NATS from docker/nats (compose config)', () => {
  it('reports healthy with JetStream on its monitoring port', async () => {
    const response = await fetch(`${nats.monitorUrl}/healthz`);
    expect(response.status).toBe(200);
  });

  it('refuses a wrong password', async () => {
    await expect(
      connect({
        servers: nats.url,
        user: 'gameserver',
        pass: 'not-the-password',
        tls: { ca: nats.caPem },
        maxReconnectAttempts: 0,
      }),
    ).rejects.toThrow(/Authorization/i);
  });

  it('refuses a client that does not trust the CA', async () => {
    await expect(
      connect({
        servers: nats.url,
        user: 'gameserver',
        pass: nats.passwords.gameserver,
        tls: {},
        maxReconnectAttempts: 0,
        timeout: 5_000,
      }),
    ).rejects.toThrow();
  });
});

describe('gameserver user (sidecars)', () => {
  it('keeps its server record and seats with the KV operations a sidecar uses', async () => {
    const kvm = new Kvm(await as('gameserver'));
    const servers = await kvm.create(bucket.servers, { ttl: 15_000, history: 1 });
    await servers.put('srv-1', JSON.stringify({ id: 'srv-1', state: 'ready' }));
    expect((await servers.get('srv-1'))?.json()).toMatchObject({ state: 'ready' });

    const seats = await kvm.create(bucket.seats, { ttl: 60_000, history: 1 });
    const watch = await seats.watch({ key: 'srv-1.>' });
    const revision = await seats.create('srv-1.0', JSON.stringify({ state: 'reserved' }));
    await seats.update('srv-1.0', JSON.stringify({ state: 'connected' }), revision);
    // The watch may coalesce the two writes (history 1): wait for the latest state, not a count.
    for await (const entry of watch) {
      if (entry.operation === 'PUT' && entry.json<{ state: string }>().state === 'connected') break;
    }
    await seats.delete('srv-1.0');
    expect((await seats.get('srv-1.0'))?.operation).toBe('DEL');
  });

  it('keeps its backfill requests, which the matchmaker reads and fills', async () => {
    const kvm = new Kvm(await as('gameserver'));
    const backfills = await kvm.create(bucket.backfills, { ttl: 900_000, history: 1 });
    const watch = await backfills.watch({ key: 'srv-1.*' });
    await backfills.create('srv-1.m1', JSON.stringify({ requests: [{ id: 'b1' }], fills: [] }));
    const asMatchmaker = await new Kvm(await as('matchmaker')).open(bucket.backfills);
    const entry = await asMatchmaker.get('srv-1.m1');
    await asMatchmaker.update(
      'srv-1.m1',
      JSON.stringify({ requests: [{ id: 'b1' }], fills: [{ id: 'f1' }] }),
      entry?.revision ?? 0,
    );
    for await (const seen of watch) {
      if (seen.operation === 'PUT' && seen.json<{ fills: unknown[] }>().fills.length === 1) break;
    }
    const latest = await backfills.get('srv-1.m1');
    await backfills.delete('srv-1.m1', { previousSeq: latest?.revision ?? 0 });
    expect((await backfills.get('srv-1.m1'))?.operation).toBe('DEL');
  });

  it('publishes its events and answers control requests', async () => {
    const gs = await as('gameserver');
    const mm = await as('matchmaker');
    const control = gs.subscribe(`playgap.${app}.server.srv-1.control`, {
      callback: (_err, msg) => {
        msg.respond('drained');
      },
    });
    await gs.flush();
    const reply = await mm.request(`playgap.${app}.server.srv-1.control`, 'drain', {
      timeout: 5_000,
    });
    expect(reply.string()).toBe('drained');
    control.unsubscribe();

    const events = mm.subscribe(`playgap.${app}.server.*.events`, { max: 1 });
    await mm.flush();
    gs.publish(`playgap.${app}.server.srv-1.events`, '{"type":"ready"}');
    for await (const msg of events) expect(msg.subject).toBe(`playgap.${app}.server.srv-1.events`);
  });

  it('cannot send play requests', async () => {
    const gs = await as('gameserver');
    await expect(gs.request(`playgap.${app}.play`, '{}', { timeout: 5_000 })).rejects.toThrow(
      /Permissions Violation for Publish to "playgap\.arena\.play"/,
    );
  });

  it('cannot write the deployments bucket', async () => {
    const gs = await as('gameserver');
    await expect(
      jetstream(gs).publish(`$KV.${bucket.deployments}.d-1`, '{}', { timeout: 5_000 }),
    ).rejects.toThrow(/Permissions Violation for Publish/);
    const deployments = await new Kvm(gs).open(bucket.deployments);
    await expect(deployments.put('d-1', '{}')).rejects.toThrow(/Permissions Violation/);
  });

  it('cannot delete or purge any bucket', async () => {
    const gs = await as('gameserver');
    for (const subject of [
      `$JS.API.STREAM.DELETE.KV_${bucket.deployments}`,
      `$JS.API.STREAM.PURGE.KV_${bucket.servers}`,
      `$JS.API.STREAM.DELETE.KV_${bucket.seats}`,
      `$JS.API.STREAM.PURGE.KV_${bucket.backfills}`,
    ]) {
      await expect(gs.request(subject, '', { timeout: 5_000 })).rejects.toThrow(
        /Permissions Violation for Publish/,
      );
    }
  });

  it('cannot listen in on play requests', async () => {
    const gs = await as('gameserver');
    const violation = waitForPermissionError(gs);
    gs.subscribe(`playgap.${app}.play`);
    expect(await violation).toMatch(
      /Permissions Violation for Subscription to "playgap\.arena\.play"/,
    );
  });
});

describe('front user', () => {
  it('sends play requests that the matchmaker answers', async () => {
    const mm = await as('matchmaker');
    const front = await as('front');
    const service = mm.subscribe(`playgap.${app}.play`, {
      queue: 'playgap-matchmaker',
      callback: (_err, msg) => {
        msg.respond('{"type":"ready"}');
      },
    });
    await mm.flush();
    const reply = await front.request(`playgap.${app}.play`, '{}', { timeout: 5_000 });
    expect(reply.string()).toBe('{"type":"ready"}');
    service.unsubscribe();
  });

  it('opens party sessions and sends party commands and ticket cancels that the matchmaker answers', async () => {
    const mm = await as('matchmaker');
    const front = await as('front');
    const subjects = [`playgap.${app}.party`, `playgap.${app}.party.command`];
    const services = subjects.map((subject) =>
      mm.subscribe(subject, {
        queue: 'playgap-matchmaker',
        callback: (_err, msg) => {
          msg.respond('{"type":"ok"}');
        },
      }),
    );
    const cancels: string[] = [];
    const cancel = mm.subscribe(`playgap.${app}.tickets.cancel`, {
      callback: (_err, msg) => {
        cancels.push(msg.string());
      },
    });
    await mm.flush();
    for (const subject of subjects) {
      const reply = await front.request(subject, '{}', { timeout: 5_000 });
      expect(reply.string()).toBe('{"type":"ok"}');
    }
    front.publish(`playgap.${app}.tickets.cancel`, '{"ticketId":"t-1"}');
    await front.flush();
    await waitFor(() => cancels.length === 1, { timeoutMs: 5_000 });
    for (const s of [...services, cancel]) s.unsubscribe();
  });

  it('cannot touch any bucket', async () => {
    const front = await as('front');
    await expect(
      jetstream(front).publish(`$KV.${bucket.servers}.fake`, '{}', { timeout: 5_000 }),
    ).rejects.toThrow(/Permissions Violation for Publish/);
  });
});

describe('matchmaker user', () => {
  it('writes the deployments bucket and reads servers and seats', async () => {
    // A sidecar's record, written now (the servers bucket's max age is 15 s).
    const sidecarServers = await new Kvm(await as('gameserver')).create(bucket.servers, {
      ttl: 15_000,
      history: 1,
    });
    await sidecarServers.put('srv-1', JSON.stringify({ id: 'srv-1', state: 'ready' }));
    const kvm = new Kvm(await as('matchmaker'));
    const deployments = await kvm.open(bucket.deployments);
    const revision = await deployments.create('d-1', JSON.stringify({ state: 'starting' }));
    await deployments.update('d-1', JSON.stringify({ state: 'ready' }), revision);
    expect((await deployments.get('d-1'))?.json()).toMatchObject({ state: 'ready' });
    const seats = await kvm.create(bucket.seats, { ttl: 60_000, history: 1 });
    await seats.create('srv-1.1', JSON.stringify({ state: 'reserved' }));
    expect((await (await kvm.open(bucket.servers)).get('srv-1'))?.json()).toMatchObject({
      id: 'srv-1',
    });
  });

  it('keeps matchmaking tickets (and the gameserver user cannot)', async () => {
    const tickets = await new Kvm(await as('matchmaker')).create(bucket.tickets, {
      ttl: 900_000,
      history: 1,
    });
    const revision = await tickets.create('t-1', JSON.stringify({ state: 'searching' }));
    await tickets.update('t-1', JSON.stringify({ state: 'claimed' }), revision);
    expect((await tickets.get('t-1'))?.json()).toMatchObject({ state: 'claimed' });
    const asSidecar = await new Kvm(await as('gameserver')).open(bucket.tickets);
    await expect(asSidecar.put('t-2', '{}')).rejects.toThrow();
  });

  it('keeps parties (and neither the gameserver nor the front user can)', async () => {
    const parties = await new Kvm(await as('matchmaker')).create(bucket.parties, {
      ttl: 7_200_000,
      history: 1,
    });
    const revision = await parties.create('K7QF2M', JSON.stringify({ state: 'open' }));
    await parties.update('K7QF2M', JSON.stringify({ state: 'queued' }), revision);
    expect((await parties.get('K7QF2M'))?.json()).toMatchObject({ state: 'queued' });
    const asSidecar = await new Kvm(await as('gameserver')).open(bucket.parties);
    await expect(asSidecar.put('K7QF2N', '{}')).rejects.toThrow();
    await expect(
      jetstream(await as('front')).publish(`$KV.${bucket.parties}.K7QF2N`, '{}', {
        timeout: 5_000,
      }),
    ).rejects.toThrow(/Permissions Violation for Publish/);
  });

  it('cannot reach another app’s subjects', async () => {
    const mm = await as('matchmaker');
    await expect(mm.request('playgap.other.play', '{}', { timeout: 5_000 })).rejects.toThrow(
      /Permissions Violation for Publish/,
    );
  });
});

describe('playgap CLI on the compose NATS', () => {
  it('lists servers as the matchmaker user over TLS with NATS_CA_CONTENTS', async () => {
    const stdout = new PassThrough();
    let printed = '';
    stdout.on('data', (c: Buffer) => {
      printed += c.toString();
    });
    const code = await runCli(['servers', '--app', app, '--json'], {
      stdout,
      stderr: new PassThrough(),
      env: {
        NATS_URL: nats.url,
        NATS_USER: 'matchmaker',
        NATS_PASSWORD: nats.passwords.matchmaker,
        NATS_CA_CONTENTS: nats.caPem,
      },
      now: () => Date.now(),
    });
    expect(code).toBe(0);
    expect(JSON.parse(printed)).toMatchObject({ app });
  });

  it('reports NATS_UNAVAILABLE for a wrong password, without printing it', async () => {
    const stderr = new PassThrough();
    let printed = '';
    stderr.on('data', (c: Buffer) => {
      printed += c.toString();
    });
    const code = await runCli(['players', '--app', app], {
      stdout: new PassThrough(),
      stderr,
      env: {
        NATS_URL: nats.url,
        NATS_USER: 'matchmaker',
        NATS_PASSWORD: 'wrong-password-31',
        NATS_CA_CONTENTS: nats.caPem,
      },
    });
    expect(code).toBe(1);
    expect(printed).toMatch(/^error NATS_UNAVAILABLE: Cannot connect to NATS/);
    expect(printed).not.toContain('wrong-password-31');
  });
});

async function waitForPermissionError(nc: NatsConnection): Promise<string> {
  for await (const status of nc.status()) {
    if (status.type === 'error') return String(status.error);
  }
  return 'connection closed without an error';
}
