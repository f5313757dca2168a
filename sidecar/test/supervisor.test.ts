import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { type KV, Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { buckets, type ServerRecord, seatKey } from '@playgap/protocol';
import { encodeUserData, generatePrivateKey, mintConnectToken } from '@playgap/protocol/token';
import { freePort, type RunningNatsServer, startNatsServer, waitFor } from '@playgap/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { reserveSeat } from './harness.js';
import { FIXTURE, joinFixture, type SidecarProcess, spawnSidecar } from './process.js';

const privateKey = generatePrivateKey();
let nats: RunningNatsServer;
let nc: NatsConnection;
let running: SidecarProcess[] = [];
let counter = 0;

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
});
afterAll(async () => {
  await nc.close();
  await nats.stop();
});
afterEach(async () => {
  for (const p of running) {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      // Gracefully first, so the sidecar stops its game server; SIGKILL if it hangs.
      p.child.kill('SIGTERM');
      const timer = setTimeout(() => p.child.kill('SIGKILL'), 5_000);
      await p.exit;
      clearTimeout(timer);
    }
    await p.exit;
  }
  running = [];
  for (const dir of certDirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

interface Started {
  proc: SidecarProcess;
  app: string;
  serverId: string;
  gamePort: number;
  servers: KV;
  seats: KV;
}

const certDirs: string[] = [];

async function start(
  env: Record<string, string> = {},
  command = ['run', '--', process.execPath, FIXTURE],
): Promise<Started> {
  const app = `sup${process.pid}x${counter++}`;
  const serverId = `sup-${counter}`;
  const gamePort = await freePort();
  const kvm = new Kvm(nc);
  const names = buckets(app);
  // Short bucket TTLs so expiry is observable in a test (the sidecar opens existing buckets).
  const servers = await kvm.create(names.servers, { ttl: 2_000, history: 1 });
  const seats = await kvm.create(names.seats, { ttl: 60_000, history: 1 });
  // A test-owned cert dir: a SIGKILLed sidecar cannot remove its own temp dir.
  const certDir = await mkdtemp(joinPath(tmpdir(), 'sidecar-sup-cert-'));
  certDirs.push(certDir);
  const proc = spawnSidecar(
    ['--local', '--server-id', serverId, '--port', `game:TCP:${gamePort}`, ...command],
    {
      NATS_URL: nats.url,
      PLAYGAP_APP: app,
      PLAYGAP_PROTOCOL_ID: '77',
      PLAYGAP_PRIVATE_KEY: Buffer.from(privateKey).toString('hex'),
      PLAYGAP_SERVER_HEARTBEAT_MS: '300',
      PLAYGAP_SEAT_HEARTBEAT_MS: '300',
      FIXTURE_HEARTBEAT_MS: '200',
      PLAYGAP_CERT_DIR: certDir,
      ...env,
    },
  );
  running.push(proc);
  return { proc, app, serverId, gamePort, servers, seats };
}

async function record(s: Started): Promise<ServerRecord | undefined> {
  const entry = await s.servers.get(s.serverId).catch(() => null);
  return entry?.operation === 'PUT' ? entry.json<ServerRecord>() : undefined;
}

/** Reserves a seat for `clientId` and joins the fixture game server with a token for it. */
async function join(s: Started, clientId: bigint, seatIndex: number) {
  await reserveSeat(s.seats, s.serverId, clientId, seatIndex);
  const token = mintConnectToken({
    protocolId: 77n,
    privateKey,
    clientId,
    serverAddresses: [`127.0.0.1:${s.gamePort}`],
    userData: encodeUserData({ playerId: `p${clientId}` }),
  });
  return joinFixture(`127.0.0.1:${s.gamePort}`, token.base64);
}

describe('supervisor mode', () => {
  it('starts the game server with the sidecar env; it becomes ready and takes a player', async () => {
    const s = await start();
    const url = await s.proc.url;
    await waitFor(async () => (await record(s))?.state === 'ready', {
      what: 'ready record',
      timeoutMs: 15_000,
      intervalMs: 25,
    });
    const info = (await (await fetch(`${url}/v1/info`)).json()) as { transports: unknown };
    expect(info.transports).toEqual([{ kind: 'websocket', port: 'game', path: '/' }]);
    const res = await join(s, 500n, 0);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { player: { playerId: string } }).player.playerId).toBe('p500');
    await waitFor(async () => (await record(s))?.players === 1, {
      what: 'players=1',
      timeoutMs: 5_000,
      intervalMs: 25,
    });
    const leave = await fetch(`http://127.0.0.1:${s.gamePort}/leave`, {
      method: 'POST',
      body: JSON.stringify({ clientId: '500' }),
    });
    expect(leave.status).toBe(200);
    await waitFor(async () => (await record(s))?.players === 0, {
      what: 'players=0',
      timeoutMs: 5_000,
      intervalMs: 25,
    });
  });

  it('forwards SIGTERM, exits with the game server code 0 and removes its records', async () => {
    const s = await start();
    await waitFor(async () => (await record(s))?.state === 'ready', {
      what: 'ready record',
      timeoutMs: 15_000,
      intervalMs: 25,
    });
    expect((await join(s, 501n, 1)).status).toBe(200);
    s.proc.child.kill('SIGTERM');
    expect((await s.proc.exit).code).toBe(0);
    expect(await record(s)).toBeUndefined();
    expect((await s.seats.get(seatKey(s.serverId, 1)))?.operation ?? 'DEL').not.toBe('PUT');
  });

  it('keeps the exit code of a crashing game server and cleans its records', async () => {
    const s = await start();
    await waitFor(async () => (await record(s))?.state === 'ready', {
      what: 'ready record',
      timeoutMs: 15_000,
      intervalMs: 25,
    });
    expect((await join(s, 502n, 0)).status).toBe(200);
    await fetch(`http://127.0.0.1:${s.gamePort}/crash?code=7`).catch(() => {});
    expect((await s.proc.exit).code, s.proc.output()).toBe(7);
    expect(await record(s)).toBeUndefined();
    expect((await s.seats.get(seatKey(s.serverId, 0)))?.operation ?? 'DEL').not.toBe('PUT');
  });

  it('stops a game server that never calls ready, exiting 1', async () => {
    const s = await start({ FIXTURE_NO_READY: '1', PLAYGAP_READY_TIMEOUT_MS: '500' });
    expect((await s.proc.exit).code, s.proc.output()).toBe(1);
    expect(s.proc.output()).toContain('never called ready');
    expect(await record(s)).toBeUndefined();
  });

  it('stops an idle local server after PLAYGAP_IDLE_TIMEOUT_MS', async () => {
    const s = await start({ PLAYGAP_IDLE_TIMEOUT_MS: '400' });
    expect((await s.proc.exit).code, s.proc.output()).toBe(0);
    expect(s.proc.output()).toContain('idle with no players');
  });

  it('marks the server unhealthy and stops it when heartbeats stop', async () => {
    const s = await start({ FIXTURE_NO_HEARTBEAT: '1', PLAYGAP_HEARTBEAT_TIMEOUT_MS: '500' });
    expect((await s.proc.exit).code, s.proc.output()).toBe(1);
    expect(s.proc.output()).toContain('missed its heartbeats');
  });

  it('prints the bad variable and exits 2 on bad config', async () => {
    const proc = spawnSidecar(['--local', 'serve'], {
      PLAYGAP_APP: 'x',
      PLAYGAP_PROTOCOL_ID: '1',
      PLAYGAP_PRIVATE_KEY: 'nope',
    });
    running.push(proc);
    expect((await proc.exit).code).toBe(2);
    expect(proc.output()).toContain('PLAYGAP_PRIVATE_KEY');
  });
});

describe('NATS files at start', () => {
  it('exits 2 naming NATS_CREDS when the creds file cannot be read', async () => {
    const proc = spawnSidecar(['--local', 'serve'], {
      PLAYGAP_APP: 'x',
      PLAYGAP_PROTOCOL_ID: '1',
      PLAYGAP_PRIVATE_KEY: 'ab'.repeat(32),
      NATS_CREDS: '/nonexistent/playgap/user.creds',
    });
    running.push(proc);
    expect((await proc.exit).code, proc.output()).toBe(2);
    expect(proc.output()).toContain('NATS_CREDS');
  });
});

describe('serve mode (no child)', () => {
  it('exits 1 when no game server calls ready in time', async () => {
    const s = await start({ PLAYGAP_READY_TIMEOUT_MS: '300' }, ['serve']);
    expect((await s.proc.exit).code, s.proc.output()).toBe(1);
    expect(await record(s)).toBeUndefined();
  });
});

describe('records without a sidecar', () => {
  it('lets the record of a killed sidecar expire on its own', async () => {
    const s = await start({}, ['serve']);
    await waitFor(() => record(s), { what: 'record', timeoutMs: 15_000, intervalMs: 25 });
    s.proc.child.kill('SIGKILL');
    await s.proc.exit;
    await waitFor(async () => (await record(s)) === undefined, {
      what: 'record expiry',
      timeoutMs: 10_000,
      intervalMs: 25,
    });
  });
});
