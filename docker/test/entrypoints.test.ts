// Each image's ENTRYPOINT + CMD run as plain processes, with the image's ENV and the env the
// image gets in production, container paths mapped to the repository (needs `npx tsc -b`):
//   - game-server image: deployed through edgegap-local (which injects the ARBITRIUM_* env like
//     Edgegap) as the app version `playgap version create` makes from docker/edgegap-version.yaml,
//     against NATS started from the compose config with TLS and the `gameserver` user; it must
//     publish a ready server record, then clean it up when the deployment stops;
//   - drop-in sidecar: its launcher script with a non-SDK game server as the studio's CMD;
//   - matchmaker image: the compose command line and env, until the compose health check passes.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { loadVersionConfig, type NatsCaAs, shellQuote } from '@playgap/cli';
import { EdgegapClient, type EdgegapLocal, startEdgegapLocal } from '@playgap/edgegap';
import {
  FIXTURE_GAME_SERVER,
  freePort,
  trackChild,
  type WaitForOptions,
  waitFor,
} from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execForm, readDockerfile, stageEnv } from './dockerfile.js';
import {
  type ComposeNats,
  dockerDir,
  makeTlsFiles,
  startComposeNats,
} from './nats-from-compose.js';

const repo = join(dockerDir, '..');
const APP = 'arena';
const PRIVATE_KEY = '5a'.repeat(32);

/** The final stage's command line and ENV, `/app/` mapped to the repository, `node` to this node. */
function imageCommand(dockerfile: string, map: (arg: string) => string = (a) => a) {
  const parsed = readDockerfile(join(dockerDir, dockerfile));
  const final = parsed.stages.at(-1)!;
  const argv = [...(execForm(final, 'ENTRYPOINT') ?? []), ...(execForm(final, 'CMD') ?? [])]
    .map((arg) => arg.replace(/^\/app\//, `${repo}/`))
    .map((arg) => (arg === 'node' ? process.execPath : arg))
    .map(map);
  return { argv, env: stageEnv(final) };
}

/**
 * Options of every wait here: bounds for a busy machine, probes that fail count as "not yet",
 * and on timeout NATS's side of it (rare whole-file timeouts were once seen under heavy load).
 */
const patiently = (what: string, timeoutMs = 45_000): WaitForOptions => ({
  what,
  timeoutMs,
  intervalMs: 100,
  retryErrors: true,
  detail: () => `--- compose nats-server, last 4 KB ---\n${nats?.output().slice(-4096)}`,
});

let nats: ComposeNats;
let local: EdgegapLocal;
let nc: NatsConnection;
let work: string;

beforeAll(async () => {
  for (const built of [
    'sidecar/dist/main.js',
    'server-template/dist/main.js',
    'matchmaker/dist/main.js',
  ]) {
    if (!existsSync(join(repo, built)))
      throw new Error(`${built} is missing: run \`npx tsc -b\` first`);
  }
  work = await mkdtemp(join(tmpdir(), 'playgap-entrypoints-'));
  nats = await startComposeNats(APP);
  nc = await connect({
    servers: nats.url,
    user: 'matchmaker',
    pass: nats.passwords.matchmaker,
    tls: { ca: nats.caPem },
  });
  local = await startEdgegapLocal({ apps: [{ name: APP, versions: [] }] });
});

afterAll(async () => {
  await local?.close();
  await nc?.close();
  await nats?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** The app version as the release makes it, with this test's NATS and the given command. */
async function releaseVersion(
  name: string,
  argv: string[],
  imageEnv: Record<string, string>,
  caAs: NatsCaAs = 'env',
  caPem = nats.caPem,
) {
  const caFile = join(work, `${name}-ca.crt`);
  await writeFile(caFile, caPem);
  const plan = await loadVersionConfig(
    join(dockerDir, 'edgegap-version.yaml'),
    {
      EDGEGAP_APP: APP,
      RELEASE_TAG: name,
      EDGEGAP_PROJECT: 'studio',
      EDGEGAP_IMAGE: 'arena-server',
      EDGEGAP_REGISTRY_USERNAME: 'robot',
      EDGEGAP_REGISTRY_TOKEN: 'pull-token',
      PLAYGAP_PROTOCOL_ID: '7',
      PLAYGAP_PRIVATE_KEY: PRIVATE_KEY,
      NATS_PUBLIC_URL: nats.url,
      NATS_GAMESERVER_PASSWORD: nats.passwords.gameserver,
      NATS_CA_FILE: caFile,
    },
    { natsCaAs: caAs },
  );
  // The image's own ENV first (Edgegap's env wins over it, as in a container), with the one
  // fixed port a shared test machine cannot have moved to a free one.
  const env = { ...imageEnv, PLAYGAP_SIDECAR_PORT: '0', PLAYGAP_CERT_DIR: join(work, name) };
  const envs = [
    ...Object.entries(env).map(([key, value]) => ({ key, value })),
    ...plan.body.envs.filter((e) => !(e.key in env)),
  ];
  const edgegap = new EdgegapClient({ apiUrl: local.url, apiKey: local.apiKey });
  if (caAs === 'argument') {
    // As Docker does: the image's ENTRYPOINT, then the version's `arguments` string in place of
    // the CMD; edgegap-local runs `command arguments` through /bin/sh, splitting the string as
    // Edgegap does. Container paths in the string are mapped to the repository.
    expect(envs.map((e) => e.key)).not.toContain('NATS_CA_CONTENTS');
    const args = (plan.body.arguments ?? '')
      .replaceAll(`'/app/`, `'${repo}/`)
      .replaceAll(`'node'`, shellQuote(process.execPath));
    expect(args).toContain(`'--ca-contents=-----BEGIN CERTIFICATE-----\\n`);
    await edgegap.createVersion(APP, {
      ...plan.body,
      name,
      // `exec`: the entrypoint replaces the shell, as it is PID 1 in a container, so it gets the
      // stop signal itself and can remove its records before exiting.
      command: `exec ${argv.map(shellQuote).join(' ')}`,
      arguments: args,
      envs,
    });
    return edgegap;
  }
  await edgegap.createVersion(APP, {
    ...plan.body,
    name,
    command: argv[0],
    arguments: argv.slice(1),
    envs,
  });
  return edgegap;
}

async function serverRecord(id: string) {
  const servers = await new Kvm(nc).open(`playgap_${APP}_servers`);
  const entry = await servers.get(id);
  return entry?.operation === 'PUT' ? entry.json<{ state: string; id: string }>() : undefined;
}

// Real processes on a shared 2-core machine: generous bounds, still bounded.
describe('image entrypoints', { timeout: 90_000 }, () => {
  it('game-server image: the sidecar runs the arena server and registers it ready in NATS', async () => {
    const { argv, env } = imageCommand('gameserver.Dockerfile');
    expect(argv.slice(1, 4)).toEqual([join(repo, 'sidecar/dist/main.js'), 'run', '--']);
    const edgegap = await releaseVersion('v-image', argv, env);
    await expectReadyThenCleanedUp(edgegap, 'v-image');
  });

  it('game-server image with the NATS CA as the version’s arguments: the sidecar connects to TLS NATS with it', async () => {
    const { argv, env } = imageCommand('gameserver.Dockerfile');
    const parsed = readDockerfile(join(dockerDir, 'gameserver.Dockerfile'));
    const entrypoint = argv.slice(0, execForm(parsed.stages.at(-1)!, 'ENTRYPOINT')?.length);
    expect(entrypoint).toEqual([process.execPath, join(repo, 'sidecar/dist/main.js')]);
    const edgegap = await releaseVersion('v-ca-arg', entrypoint, env, 'argument');
    await expectReadyThenCleanedUp(edgegap, 'v-ca-arg');
  });

  it('game-server image with another CA as the version’s arguments: the sidecar refuses the NATS certificate', async () => {
    const { argv, env } = imageCommand('gameserver.Dockerfile');
    const otherDir = join(work, 'other-ca');
    await mkdir(otherDir);
    const { caPem: otherCa } = await makeTlsFiles(otherDir);
    const edgegap = await releaseVersion('v-other-ca', argv.slice(0, 2), env, 'argument', otherCa);
    const before = nats.output().length;
    const { requestId } = await edgegap.deploy({
      application: APP,
      version: 'v-other-ca',
      users: [{ ipAddress: '127.0.0.1' }],
    });
    try {
      // The sidecar retries quietly; nats-server logs each handshake the client broke off
      // (`TLS handshake error: EOF`), and no server record appears.
      await waitFor(
        async () => (/TLS handshake error/.test(nats.output().slice(before)) ? true : undefined),
        patiently('a refused TLS handshake in the nats-server log'),
      );
      expect(await serverRecord(requestId)).toBeUndefined();
    } finally {
      await edgegap.stopDeployment(requestId);
    }
  });

  async function expectReadyThenCleanedUp(edgegap: EdgegapClient, version: string) {
    const { requestId } = await edgegap.deploy({
      application: APP,
      version,
      users: [{ ipAddress: '127.0.0.1' }],
    });
    try {
      const record = await waitFor(async () => {
        const r = await serverRecord(requestId);
        return r?.state === 'ready' ? r : undefined;
      }, patiently('a ready server record'));
      expect(record.id).toBe(requestId);
      // The sidecar may publish its record a moment before edgegap-local's port check flips
      // the deployment to READY: wait for both, in either order.
      await waitFor(
        async () => ((await edgegap.getStatus(requestId)).ready ? true : undefined),
        patiently('Edgegap READY'),
      );
    } catch (error) {
      const logs = await edgegap.getLogs(requestId).catch(() => ({ logs: '(no logs)' }));
      throw new Error(`${(error as Error).message}\n${logs.logs}`);
    }
    await edgegap.stopDeployment(requestId);
    await waitFor(
      async () => ((await serverRecord(requestId)) ? undefined : true),
      patiently('the record removed on stop'),
    );
  }

  it('drop-in sidecar: the launcher runs a studio’s own server command under the sidecar', async () => {
    // /opt/playgap as the image lays it out: app/ (the workspace), node/bin/node, bin/.
    const home = join(work, 'opt-playgap');
    await mkdir(join(home, 'node', 'bin'), { recursive: true });
    await symlink(repo, join(home, 'app'));
    await symlink(process.execPath, join(home, 'node', 'bin', 'node'));
    const fixture = FIXTURE_GAME_SERVER;
    const { argv, env } = imageCommand('sidecar.Dockerfile', (arg) =>
      arg === '/opt/playgap/bin/playgap-sidecar'
        ? join(dockerDir, 'sidecar', 'playgap-sidecar')
        : arg,
    );
    expect(argv.slice(0, 3)).toEqual([join(dockerDir, 'sidecar', 'playgap-sidecar'), 'run', '--']);
    // The studio's Dockerfile replaces CMD with its own server; here, a plain (non-SDK) one.
    const studioArgv = [...argv.slice(0, 3), process.execPath, fixture];
    const edgegap = await releaseVersion('v-dropin', studioArgv, { ...env, PLAYGAP_HOME: home });
    const { requestId } = await edgegap.deploy({
      application: APP,
      version: 'v-dropin',
      users: [{ ipAddress: '127.0.0.1' }],
    });
    try {
      await waitFor(
        async () => ((await serverRecord(requestId))?.state === 'ready' ? true : undefined),
        patiently('a ready server record'),
      );
    } catch (error) {
      const logs = await edgegap.getLogs(requestId).catch(() => ({ logs: '(no logs)' }));
      throw new Error(`${(error as Error).message}\n${logs.logs}`);
    }
    await edgegap.stopDeployment(requestId);
  });

  it('matchmaker image: the compose command and env start a healthy front', async () => {
    const port = await freePort();
    const { argv } = imageCommand('matchmaker.Dockerfile', (arg) =>
      arg === '0.0.0.0:8080' ? `127.0.0.1:${port}` : arg,
    );
    expect(argv).toContain('--all-in-one');
    const mm = await startMatchmaker(argv, 'matchmaker');
    try {
      await composeHealthCheck(port, mm);
    } finally {
      await mm.stop();
    }
  });

  it('matchmaker image split in front (front user) and service (matchmaker user) places a player', async () => {
    const port = await freePort();
    const { argv } = imageCommand('matchmaker.Dockerfile');
    const entrypoint = argv.slice(0, 2);
    const service = await startMatchmaker(entrypoint, 'matchmaker');
    const front = await startMatchmaker(
      [...entrypoint, '--front-only', '--listen', `127.0.0.1:${port}`],
      'front',
    );
    try {
      await composeHealthCheck(port, front);
      // The front is healthy once it has NATS; the service may still be opening its buckets.
      await waitFor(async () => {
        if (service.child.exitCode !== null)
          throw new Error(`the service exited\n${service.output()}`);
        return service.output().includes('"event":"started"') ? true : undefined;
      }, patiently('the service started'));
      const response = await fetch(`http://127.0.0.1:${port}/matchmaker/wannaplay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ game: APP, version: 'v-image' }),
      });
      const answer = (await response.json()) as Record<string, unknown>;
      expect(
        answer,
        `${JSON.stringify(answer)}\n${front.output()}\n${service.output()}`,
      ).toMatchObject({
        type: 'ready',
      });
      expect(response.status).toBe(200);
    } finally {
      await front.stop();
      await service.stop();
    }
  });
});

/** The matchmaker as compose runs it: its environment, the given NATS user. */
async function startMatchmaker(argv: string[], user: 'matchmaker' | 'front') {
  const caFile = join(work, `${user}-ca.crt`);
  await writeFile(caFile, nats.caPem);
  const child: ChildProcess = spawn(argv[0]!, argv.slice(1), {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      PLAYGAP_APP: APP,
      PLAYGAP_VERSIONS: 'v-image',
      PLAYGAP_PROTOCOL_ID: '7',
      PLAYGAP_PRIVATE_KEY: PRIVATE_KEY,
      PLAYGAP_TOKEN_DIALECT: 'netcode',
      PLAYGAP_ALLOWED_ORIGINS: 'https://game.example.com',
      PLAYGAP_TRUSTED_PROXIES: '127.0.0.1',
      EDGEGAP_API_URL: local.url,
      EDGEGAP_API_KEY: local.apiKey,
      NATS_URL: nats.url,
      NATS_USER: user,
      NATS_PASSWORD: nats.passwords[user],
      NATS_CA: caFile,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const untrack = trackChild(child);
  let output = '';
  const collect = (c: Buffer) => {
    output += c.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      untrack();
    },
  };
}

/** compose.yaml's health check command, pointed at this port, until it passes. */
async function composeHealthCheck(
  port: number,
  mm: { child: ChildProcess; output: () => string },
): Promise<void> {
  const health = `fetch('http://127.0.0.1:${port}/healthz').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))`;
  await waitFor(
    () =>
      new Promise<true | undefined>((resolve, reject) => {
        if (mm.child.exitCode !== null) reject(new Error('the matchmaker exited'));
        spawn(process.execPath, ['-e', health]).once('exit', (code) =>
          resolve(code === 0 ? true : undefined),
        );
      }),
    patiently('the matchmaker health check'),
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${mm.output()}`);
  });
}
