// servers, players and reservations read from a real nats-server's KV buckets, as sidecars and
// matchmakers write them; stale and expired records are left out; NATS errors are coded.
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { buckets, type SeatRecord, type ServerRecord } from '@playgap/protocol';
import { freePort, type RunningNatsServer, startNatsServer } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playgap } from './run.js';

const NOW = 1_800_000_000_000;
let nats: RunningNatsServer;
let nc: NatsConnection;
let env: NodeJS.ProcessEnv;

function server(id: string, updatedAt: number): ServerRecord {
  return {
    id,
    app: 'arena',
    version: 'v1',
    state: 'ready',
    publicIp: '203.0.113.7',
    fqdn: `${id}.pr.edgegap.net`,
    ports: {},
    transports: [],
    certDigest: 'AB:CD',
    location: { city: 'Montreal', country: 'Canada' },
    capacity: 16,
    players: 1,
    startedAt: NOW - 60_000,
    updatedAt,
  };
}

function seat(seatIndex: number, state: 'reserved' | 'connected', expiresAt: number): SeatRecord {
  return {
    serverId: 'srv-live',
    seatIndex,
    state,
    clientId: String(1000 + seatIndex),
    playerId: `player-${seatIndex}`,
    name: seatIndex === 0 ? 'Ada' : `Pilot\u001b[31m ${seatIndex}`,
    expiresAt,
    reservedBy: 'mm-1',
    ...(state === 'connected' ? { connectedAt: NOW - 5_000 } : {}),
    updatedAt: NOW,
  };
}

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  const kvm = new Kvm(nc);
  const names = buckets('arena');
  const servers = await kvm.create(names.servers, { history: 1 });
  await servers.put('srv-live', JSON.stringify(server('srv-live', NOW - 1_000)));
  await servers.put('srv-stale', JSON.stringify(server('srv-stale', NOW - 60_000)));
  await servers.put('not-json', 'garbage');
  const seats = await kvm.create(names.seats, { history: 1 });
  await seats.put('srv-live.0', JSON.stringify(seat(0, 'connected', NOW + 30_000)));
  await seats.put('srv-live.1', JSON.stringify(seat(1, 'reserved', NOW + 20_000)));
  await seats.put('srv-live.2', JSON.stringify(seat(2, 'reserved', NOW - 1_000)));
  // Dropped 3 s ago, held for a reconnect for 12 s more.
  await seats.put(
    'srv-live.3',
    JSON.stringify({
      ...seat(3, 'connected', NOW + 12_000),
      state: 'grace',
      disconnectedAt: NOW - 3_000,
    }),
  );
  env = { NATS_URL: nats.url, PLAYGAP_APP: 'arena' };
});

afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

const now = () => NOW;

describe('playgap servers', () => {
  it('lists live servers and leaves out those past the heartbeat limit', async () => {
    const run = await playgap(['servers', '--json'], { env, now });
    expect(run.code, run.stderr).toBe(0);
    const listed = (run.json().servers as ServerRecord[]).map((s) => s.id);
    expect(listed).toEqual(['srv-live']);
  });

  it('prints a table for people', async () => {
    const run = await playgap(['servers', '--app', 'arena'], { env: { NATS_URL: nats.url }, now });
    expect(run.stdout).toMatch(/^ID\s+VERSION\s+STATE\s+PLAYERS/);
    expect(run.stdout).toMatch(
      /srv-live\s+v1\s+ready\s+1\/16\s+srv-live\.pr\.edgegap\.net\s+Montreal, Canada\s+1s ago/,
    );
  });

  it('shows an app nobody has started yet as empty', async () => {
    const run = await playgap(['servers', '--app', 'newgame'], { env, now });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('(none)');
  });
});

describe('playgap players and reservations', () => {
  it('lists connected seats as players', async () => {
    const run = await playgap(['players', '--json'], { env, now });
    expect(run.code, run.stderr).toBe(0);
    expect((run.json().players as SeatRecord[]).map((s) => s.playerId)).toEqual([
      'player-0',
      'player-3',
    ]);
  });

  it('shows a dropped player whose seat is held as reconnecting, with the time left', async () => {
    const run = await playgap(['players'], { env, now });
    expect(run.stdout).toMatch(
      /srv-live\s+3\s+1003\s+\S.*player-3\s+5s ago\s+reconnecting \(12s left\)/,
    );
  });

  it('shows each player by the display name the player gave', async () => {
    const run = await playgap(['players'], { env, now });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^SERVER\s+SEAT\s+CLIENT ID\s+PLAYER\s+PLAYER ID\s+CONNECTED/);
    expect(run.stdout).toMatch(/srv-live\s+0\s+1000\s+Ada\s+player-0\s+5s ago/);
  });

  it('lists reservations that have not expired', async () => {
    const run = await playgap(['reservations', '--json'], { env, now });
    expect(run.code, run.stderr).toBe(0);
    expect((run.json().reservations as SeatRecord[]).map((s) => s.seatIndex)).toEqual([1]);
    const text = await playgap(['reservations'], { env, now });
    // A name with a terminal escape is printed with the escape replaced.
    expect(text.stdout).toMatch(/srv-live\s+1\s+1001\s+Pilot\?\[31m 1\s+player-1\s+20s\s+mm-1/);
    expect(text.stdout).not.toContain('\u001b');
  });
});

describe('playgap live-state errors', () => {
  it('needs an app name', async () => {
    const run = await playgap(['players'], { env: { NATS_URL: nats.url }, now });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Missing --app NAME (or PLAYGAP_APP)');
  });

  it('refuses an app name that is not one', async () => {
    const run = await playgap(['servers', '--app', 'a.b>'], { env, now });
    expect(run.code).toBe(2);
  });

  it('reports NATS_UNAVAILABLE, exit 1, when nothing listens, without the password', async () => {
    const port = await freePort();
    const run = await playgap(['servers'], {
      env: {
        ...env,
        NATS_URL: `nats://127.0.0.1:${port}`,
        NATS_USER: 'u',
        NATS_PASSWORD: 'pw-secret-77',
      },
      now,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^error NATS_UNAVAILABLE: Cannot connect to NATS at nats:\/\/127\.0\.0\.1:\d+/,
    );
    expect(run.stderr).not.toContain('pw-secret-77');
  });

  it('fails fast, without the password, when the URL carries credentials and nothing listens', async () => {
    const port = await freePort();
    const started = Date.now();
    const run = await playgap(['servers', '--json'], {
      env: { ...env, NATS_URL: `nats://u:pw-in-url-88@127.0.0.1:${port}` },
      now,
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(run.code).toBe(1);
    expect(run.json().error).toMatchObject({ code: 'NATS_UNAVAILABLE' });
    expect(run.stdout).toContain(`nats://u:***@127.0.0.1:${port}`);
    expect(run.stdout + run.stderr).not.toContain('pw-in-url-88');
  });

  it('reports a CA file that cannot be read as a usage error naming NATS_CA', async () => {
    const run = await playgap(['servers'], {
      env: { ...env, NATS_CA: '/nonexistent/ca.pem' },
      now,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('NATS_CA names a file that cannot be read');
  });

  it('reports a creds file that cannot be read as a usage error naming NATS_CREDS', async () => {
    const run = await playgap(['servers'], {
      env: { ...env, NATS_CREDS: '/nonexistent/user.creds' },
      now,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error BAD_REQUEST: NATS_CREDS names a file that cannot be read/);
  });

  it('reports a bad NATS_URL as a usage error naming it, without the password', async () => {
    const run = await playgap(['servers'], {
      env: { ...env, NATS_URL: 'http://u:pw-bad-url-99@127.0.0.1:4222' },
      now,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error BAD_REQUEST: NATS_URL must be/);
    expect(run.stderr).not.toContain('pw-bad-url-99');
  });

  it('reports NATS_PASSWORD without NATS_USER as a usage error naming it', async () => {
    const run = await playgap(['players'], {
      env: { ...env, NATS_PASSWORD: 'pw-alone-11' },
      now,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('NATS_PASSWORD needs NATS_USER');
    expect(run.stderr).not.toContain('pw-alone-11');
  });
});
