/**
 * End to end with real parts: nats-server, edgegap-local running each deployment as a real
 * playgap-sidecar supervising the fixture game server, and the matchmaker (front + service).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Kvm } from '@nats-io/kv';
import { EdgegapClient, type EdgegapLocal, startEdgegapLocal } from '@playgap/edgegap';
import type { PlayReply } from '@playgap/protocol';
import { FIXTURE_GAME_SERVER as FIXTURE, trackChild } from '@playgap/testkit';
import { SIDECAR_BIN as SIDECAR } from '@playgap/testkit/real-sidecar';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type RunningMatchmaker, startMatchmaker } from '../src/index.js';
import { PRIVATE_KEY_HEX, startTestNats, type TestNats, testConfig } from './fake-fleet.js';
import { captureLogger } from './log-capture.js';

const MATCHMAKER = fileURLToPath(new URL('../dist/main.js', import.meta.url));

let nats: TestNats;
let local: EdgegapLocal;
let mm: RunningMatchmaker;
let sessionsMm: RunningMatchmaker;
const log = captureLogger();
// 'down' and 'refused' never get a server: their deploys always fail.
const ARENA_VERSIONS = ['1.0.0', 'fail', 'cold', 'burst', 'again', 'logged', 'down', 'refused'];

function version(name: string, natsUrl: string, app: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    command: process.execPath,
    arguments: [SIDECAR, 'run', '--', process.execPath, FIXTURE],
    ports: [{ name: 'game', port: 7000, protocol: 'TCP' as const, to_check: true }],
    envs: [
      { key: 'PLAYGAP_APP', value: app },
      { key: 'PLAYGAP_VERSION', value: name },
      { key: 'PLAYGAP_PROTOCOL_ID', value: '7' },
      { key: 'PLAYGAP_PRIVATE_KEY', value: PRIVATE_KEY_HEX, is_hidden: true },
      { key: 'PLAYGAP_CAPACITY', value: '4' },
      { key: 'PLAYGAP_SIDECAR_PORT', value: '0' },
      { key: 'PLAYGAP_IDLE_TIMEOUT_MS', value: '600000' },
      { key: 'NATS_URL', value: natsUrl },
    ],
    ...extra,
  };
}

async function faults(body: unknown) {
  const res = await fetch(`${local.url}/_local/faults`, {
    method: body === undefined ? 'DELETE' : 'POST',
    headers: {
      authorization: `token ${local.apiKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(res.status).toBeLessThan(300);
}

async function localDeployments(): Promise<Array<Record<string, unknown>>> {
  const res = await fetch(`${local.url}/_local/deployments`, {
    headers: { authorization: `token ${local.apiKey}` },
  });
  const body = (await res.json()) as unknown;
  return (
    Array.isArray(body) ? body : ((body as { deployments?: unknown[] }).deployments ?? [])
  ) as Array<Record<string, unknown>>;
}

function play(base: string, game: string, v: string) {
  return fetch(`${base}/matchmaker/wannaplay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ game, version: v, name: 'ada' }),
  }).then((r) => r.json() as Promise<Record<string, unknown>>);
}

/** Join the fixture game server with the token over its WebSocket; resolves its first answer. */
function join(reply: PlayReply): Promise<Record<string, unknown>> {
  const ws = reply.transports.find((t) => t.kind === 'websocket');
  if (!ws) throw new Error('no websocket transport');
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(ws.url);
    socket.on('open', () => socket.send(reply.token));
    socket.on('message', (data) => {
      resolve(JSON.parse(String(data)) as Record<string, unknown>);
      socket.close();
    });
    socket.on('error', reject);
  });
}

beforeAll(async () => {
  nats = await startTestNats();
  local = await startEdgegapLocal({
    apps: [
      {
        name: 'arena',
        versions: [...ARENA_VERSIONS.map((name) => version(name, nats.url, 'arena'))],
      },
      { name: 'crashy', versions: [version('1.0.0', nats.url, 'crashy')] },
      { name: 'stuck', versions: [version('1.0.0', nats.url, 'stuck')] },
      {
        name: 'seats',
        versions: [
          version('1.0.0', nats.url, 'seats', {
            session_config: { kind: 'Seat', sockets: 4, autodeploy: true },
          }),
        ],
      },
    ],
    portMode: 'mapped',
    timing: { statusStepMs: 20 },
  });
  const edgegapConfig = { edgegapApiUrl: local.url, edgegapApiKey: local.apiKey };
  mm = await startMatchmaker(
    testConfig(nats.url, {
      ...edgegapConfig,
      // The deadline bounds a real sidecar's start (seconds on a busy machine), so it stays the
      // production default; the tests that need a deployment to miss it start their own matchmaker.
      // Only versions edgegap-local has: the matchmaker checks them at start.
      versions: ARENA_VERSIONS,
      statusPollMs: 100,
      seatsPerServer: 4,
    }),
    { logger: log.logger },
    { listen: true },
  );
  sessionsMm = await startMatchmaker(
    {
      ...testConfig(nats.url, { ...edgegapConfig, statusPollMs: 100 }),
      appName: 'seats',
      versions: ['1.0.0'],
      mode: 'sessions',
    },
    {},
    { listen: true },
  );
}, 60_000);

afterEach(async () => {
  await faults(undefined);
});

afterAll(async () => {
  await sessionsMm?.close();
  await mm?.close();
  await local?.close();
  await nats?.stop();
});

describe('with edgegap-local and real sidecars', () => {
  it('places a player cold through a real deployment whose game server accepts the token', async () => {
    const reply = (await play(mm.url!, 'arena', '1.0.0')) as unknown as PlayReply;
    expect(reply.type).toBe('ready');
    expect(reply.certDigest).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const answer = await join(reply);
    expect(answer).toMatchObject({ type: 'welcome', clientId: reply.clientId });
    // The second player lands warm on the same server.
    const second = (await play(mm.url!, 'arena', '1.0.0')) as unknown as PlayReply;
    expect(second.serverId).toBe(reply.serverId);
  });

  it('starts 3 real deployments, not 10, for a burst of 10 players with 4 seats each', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => play(mm.url!, 'arena', 'burst')),
    );
    expect(results.filter((r) => r.type === 'ready')).toHaveLength(10);
    const started = (await localDeployments()).filter(
      (d) => d.app === 'arena' && d.version === 'burst',
    );
    expect(started).toHaveLength(3);
    const perServer = new Map<unknown, number>();
    for (const r of results) perServer.set(r.serverId, (perServer.get(r.serverId) ?? 0) + 1);
    expect([...perServer.values()].sort()).toEqual([2, 4, 4]);
  });

  it('starts a new real deployment when the server of the last one has stopped', async () => {
    const first = (await play(mm.url!, 'arena', 'again')) as unknown as PlayReply;
    expect(first.type).toBe('ready');
    const client = new EdgegapClient({ apiUrl: local.url, apiKey: local.apiKey });
    await client.stopDeployment(first.serverId);
    for (let i = 0; i < 500 && mm.fleet!.server(first.serverId); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(mm.fleet!.server(first.serverId)).toBeUndefined();
    const second = (await play(mm.url!, 'arena', 'again')) as unknown as PlayReply;
    expect(second).toMatchObject({ type: 'ready' });
    expect(second.serverId).not.toBe(first.serverId);
    expect(await join(second)).toMatchObject({ type: 'welcome', clientId: second.clientId });
    const started = (await localDeployments()).filter(
      (d) => d.app === 'arena' && d.version === 'again',
    );
    expect(started).toHaveLength(2);
  });

  it('surfaces Edgegap 5xx on deploy as EDGEGAP_ERROR and starts nothing', async () => {
    await faults({ method: 'POST', path: '/v2/deployments', status: 503 });
    const before = (await localDeployments()).length;
    const answer = await play(mm.url!, 'arena', 'cold');
    expect(answer).toMatchObject({ type: 'error', code: 'EDGEGAP_ERROR' });
    expect((await localDeployments()).length).toBe(before);
  });

  it('queues a deploy refused with 429 and retries it instead of failing', async () => {
    await faults({ method: 'POST', path: '/v2/deployments', status: 429, times: 1 });
    const answer = await play(mm.url!, 'arena', 'cold');
    expect(answer).toMatchObject({ type: 'ready' });
  });

  it('turns an ERROR deployment into DEPLOYMENT_FAILED and stops it', async () => {
    await faults({ method: 'POST', path: '/v2/deployments', deployment: 'error', times: 1 });
    const answer = await play(mm.url!, 'arena', 'fail');
    expect(answer).toMatchObject({ type: 'error', code: 'DEPLOYMENT_FAILED' });
    const records = await mm.pool!.records();
    expect(records.some((r) => r.record.version === 'fail' && r.record.state === 'failed')).toBe(
      true,
    );
  });

  it('stops a deployment that never gets ready and answers SERVER_NEVER_READY', async () => {
    const stuck = await startMatchmaker(
      {
        ...testConfig(nats.url, {
          edgegapApiUrl: local.url,
          edgegapApiKey: local.apiKey,
          deploymentDeadlineMs: 1_500,
          statusPollMs: 100,
        }),
        appName: 'stuck',
        versions: ['1.0.0'],
      },
      {},
      { listen: true },
    );
    try {
      await faults({
        method: 'POST',
        path: '/v2/deployments',
        deployment: 'never-ready',
        times: 1,
      });
      const answer = await play(stuck.url!, 'stuck', '1.0.0');
      expect(answer).toMatchObject({ type: 'error', code: 'SERVER_NEVER_READY' });
      const deployments = (await localDeployments()).filter((d) => d.app === 'stuck');
      expect(deployments).toHaveLength(1);
      expect(deployments[0]!.stopRequested).toBe(true);
    } finally {
      await stuck.close();
    }
  });

  it('places a player through an Edgegap seat session in sessions mode', async () => {
    const reply = (await play(sessionsMm.url!, 'seats', '1.0.0')) as unknown as PlayReply;
    expect(reply.type).toBe('ready');
    const seats = sessionsMm.fleet!.seats().filter((s) => s.record.clientId === reply.clientId);
    expect(seats).toHaveLength(1);
    expect(seats[0]!.record.sessionId).toBeTruthy();
    const answer = await join(reply);
    expect(answer).toMatchObject({ type: 'welcome' });
    const client = new EdgegapClient({ apiUrl: local.url, apiKey: local.apiKey });
    const session = await client.getSession(seats[0]!.record.sessionId!);
    expect(session.deployment?.requestId).toBe(reply.serverId);
  });

  it('deletes the seat session when its player leaves, and when a reservation expires unused', async () => {
    const client = new EdgegapClient({ apiUrl: local.url, apiKey: local.apiKey });
    const gone = async (sessionId: string) => {
      for (let i = 0; i < 300; i++) {
        try {
          await client.getSession(sessionId);
        } catch (error) {
          if ([404, 410].includes((error as { status?: number }).status ?? 0)) return true;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      return false;
    };
    // Player joins then leaves: the sidecar deletes the seat, the janitor the session.
    const left = (await play(sessionsMm.url!, 'seats', '1.0.0')) as unknown as PlayReply;
    const leftSeat = sessionsMm.fleet!.seats().find((s) => s.record.clientId === left.clientId);
    expect(await join(left)).toMatchObject({ type: 'welcome' });
    expect(await gone(leftSeat!.record.sessionId!)).toBe(true);
    // Player never comes: once the reservation expired, a sweep deletes seat and session.
    const unused = (await play(sessionsMm.url!, 'seats', '1.0.0')) as unknown as PlayReply;
    const unusedSeat = sessionsMm.fleet!.seats().find((s) => s.record.clientId === unused.clientId);
    let offsetMs = 0;
    const sweeper = await startMatchmaker(
      {
        ...testConfig(nats.url, { edgegapApiUrl: local.url, edgegapApiKey: local.apiKey }),
        appName: 'seats',
        versions: ['1.0.0'],
        mode: 'sessions',
        runFront: false,
      },
      { now: () => Date.now() + offsetMs },
    );
    try {
      offsetMs = 31_000;
      const deleted = await sweeper.sessions!.sweep();
      expect(deleted).toContain(unusedSeat!.record.sessionId);
      expect(await gone(unusedSeat!.record.sessionId!)).toBe(true);
    } finally {
      await sweeper.close();
    }
  });

  it('finishes a placement on another replica process when the one serving it is SIGKILLed, leaking no deployment', async () => {
    const children: ChildProcess[] = [];
    const startReplica = () =>
      new Promise<ChildProcess>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          [
            MATCHMAKER,
            // A bound for a busy machine (a sidecar and its game server can take several
            // seconds to start); the placement does not wait for it when all goes well.
            '--deployment-deadline-ms',
            '15000',
            '--reap-interval-ms',
            '250',
            '--progress-heartbeat-ms',
            '100',
            '--status-poll-ms',
            '100',
            '--seats-per-server',
            '4',
          ],
          {
            env: {
              ...process.env,
              PLAYGAP_APP: 'crashy',
              PLAYGAP_VERSIONS: '1.0.0',
              PLAYGAP_PROTOCOL_ID: '7',
              PLAYGAP_PRIVATE_KEY: PRIVATE_KEY_HEX,
              NATS_URL: nats.url,
              EDGEGAP_API_URL: local.url,
              EDGEGAP_API_KEY: local.apiKey,
            },
            stdio: ['ignore', 'pipe', 'inherit'],
          },
        );
        trackChild(child);
        children.push(child);
        child.stdout!.on('data', (chunk: Buffer) => {
          if (String(chunk).includes('"event":"started"')) resolve(child);
        });
        child.once('exit', (code) => reject(new Error(`replica exited with ${code}`)));
      });
    const front = await startMatchmaker(
      {
        ...testConfig(nats.url),
        appName: 'crashy',
        versions: ['1.0.0'],
        runService: false,
        serviceSilenceMs: 1_000,
      },
      {},
      { listen: true },
    );
    const calls = async () => {
      const res = await fetch(`${local.url}/_local/calls`, {
        headers: { authorization: `token ${local.apiKey}` },
      });
      return ((await res.json()) as Array<{ method?: string; path?: string; url?: string }>).filter(
        (c) => c.method === 'POST' && String(c.path ?? c.url).includes('/v2/deployments'),
      ).length;
    };
    try {
      const a = await startReplica();
      const before = await calls();
      await faults({ method: 'POST', path: '/v2/deployments', latencyMs: 1_500, times: 1 });
      const answer = play(front.url!, 'crashy', '1.0.0');
      for (let i = 0; i < 300 && (await calls()) === before; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      // A's deploy call returned (calls are recorded on response): A now waits for the server,
      // holding a `starting` deployment record that B must attach to or reap.
      await startReplica();
      a.kill('SIGKILL');
      const reply = (await answer) as unknown as PlayReply;
      expect(reply.type, JSON.stringify(reply)).toBe('ready');
      expect(await join(reply)).toMatchObject({ type: 'welcome' });
      // Every deployment of the app ends up registered by its sidecar or stopped.
      const servers = await new Kvm(nats.nc).open('playgap_crashy_servers');
      const settled = async () => {
        const mine = (await localDeployments()).filter((d) => d.app === 'crashy');
        for (const d of mine) {
          if (d.stopRequested) continue;
          const record = await servers.get(String(d.requestId));
          if (record?.operation !== 'PUT') return false;
        }
        return mine.length > 0;
      };
      let ok = false;
      for (let i = 0; i < 100 && !ok; i++) {
        ok = await settled();
        if (!ok) await new Promise((r) => setTimeout(r, 100));
      }
      expect(ok).toBe(true);
    } finally {
      for (const child of children) child.kill('SIGTERM');
      await Promise.all(
        children.map((c) =>
          c.exitCode !== null || c.signalCode !== null
            ? undefined
            : new Promise((r) => c.once('exit', r)),
        ),
      );
      await front.close();
    }
  }, 60_000);
});

describe('the matchmaker log', () => {
  it('has one line each for the deployment started and ready, the placement, the join and the leave', async () => {
    const reply = (await play(mm.url!, 'arena', 'logged')) as unknown as PlayReply;
    expect(reply.type).toBe('ready');
    const serverId = reply.serverId;
    expect(log.events('deployment_started')).toContainEqual(
      expect.objectContaining({ level: 'info', serverId, app: 'arena', version: 'logged' }),
    );
    expect(log.events('deployment_ready')).toContainEqual(
      expect.objectContaining({ serverId, version: 'logged', ms: expect.any(Number) }),
    );
    expect(log.events('placed')).toContainEqual(
      expect.objectContaining({
        level: 'info',
        app: 'arena',
        version: 'logged',
        serverId,
        ms: expect.any(Number),
      }),
    );
    await join(reply);
    // The sidecar writes the seat as connected, then deletes it when the socket closes.
    const clientId = reply.clientId;
    await log.line({ event: 'player_joined', serverId, clientId }, 10_000);
    await log.line({ event: 'player_left', serverId, clientId }, 10_000);
  });

  it('never has the connect token, the Edgegap key or the private key in a line', async () => {
    const reply = (await play(mm.url!, 'arena', '1.0.0')) as unknown as PlayReply;
    expect(reply.type).toBe('ready');
    const text = log.text();
    expect(text).toContain('"event":"placed"');
    expect(text).not.toContain(reply.token);
    expect(text).not.toContain(local.apiKey);
    expect(text).not.toContain(PRIVATE_KEY_HEX);
  });

  it('logs a failed deploy with the code the player got and what Edgegap answered', async () => {
    await faults({
      method: 'POST',
      path: '/v2/deployments',
      status: 503,
      body: { message: 'Edgegap is down', request_id: 'req-503' },
      times: 1,
    });
    const answer = await play(mm.url!, 'arena', 'down');
    expect(answer).toMatchObject({ type: 'error', code: 'EDGEGAP_ERROR' });
    expect(log.events('edgegap_error')).toContainEqual(
      expect.objectContaining({
        call: 'deploy',
        status: 503,
        edgegapMessage: 'Edgegap is down',
        edgegapRequestId: 'req-503',
      }),
    );
    expect(log.events('placement_failed')).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        code: 'EDGEGAP_ERROR',
        app: 'arena',
        version: 'down',
        ms: expect.any(Number),
      }),
    );
  });

  it('logs a deployment that ends in ERROR as failed and stopped, and the placement with its server', async () => {
    await faults({ method: 'POST', path: '/v2/deployments', deployment: 'error', times: 1 });
    const answer = await play(mm.url!, 'arena', 'fail');
    expect(answer).toMatchObject({ type: 'error', code: 'DEPLOYMENT_FAILED' });
    const failed = log.events('placement_failed').find((l) => l.code === 'DEPLOYMENT_FAILED');
    expect(failed).toMatchObject({ version: 'fail', serverId: expect.any(String) });
    const serverId = failed!.serverId;
    expect(log.events('deployment_failed')).toContainEqual(
      expect.objectContaining({ level: 'warn', serverId }),
    );
    expect(log.events('deployment_stopped')).toContainEqual(
      expect.objectContaining({ serverId, reason: 'failed' }),
    );
  });

  it('answers MATCHMAKER_MISCONFIGURED, not "try again", when Edgegap refuses the key on a deploy', async () => {
    await faults({
      method: 'POST',
      path: '/v2/deployments',
      status: 401,
      body: { message: 'Invalid token', request_id: 'req-401' },
      times: 1,
    });
    const answer = await play(mm.url!, 'arena', 'refused');
    expect(answer).toMatchObject({ type: 'error', code: 'MATCHMAKER_MISCONFIGURED' });
    expect(String(answer.message)).toContain('EDGEGAP_API_KEY');
    expect(String(answer.message)).not.toMatch(/try again/i);
    expect(log.events('edgegap_error')).toContainEqual(
      expect.objectContaining({ status: 401, edgegapRequestId: 'req-401' }),
    );
  });

  it('answers MATCHMAKER_MISCONFIGURED in sessions mode too when Edgegap refuses the key', async () => {
    await faults({ method: 'POST', path: '^/v1/session', status: 403, times: 1 });
    const answer = await play(sessionsMm.url!, 'seats', '1.0.0');
    expect(answer).toMatchObject({ type: 'error', code: 'MATCHMAKER_MISCONFIGURED' });
  });
});
