/**
 * The studio's compose stack for real, with Debian's docker-compose (v1) when there is no
 * `docker compose` plugin: NATS over TLS with one user per role and the matchmaker image come
 * up from docker/compose.yaml and an .env like .env.example's; a player asking the front is
 * placed on a game server that edgegap-local starts as a container of the game-server image,
 * and the gameserver role is refused on the matchmaker's subjects.
 */
import { execFile, execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connect } from '@nats-io/transport-node';
import { type EdgegapLocal, startEdgegapLocal } from '@playgap/edgegap';
import { freePort } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTlsFiles } from '../test/nats-from-compose.js';
import { containerSupport, docker, IMAGES, ROOT, until } from './engine.js';

const BASE = `playgap-base/node:${process.versions.node}-bookworm-slim`;
const NATS_IMAGE = 'playgap-test/nats:local';
const GATEWAY = '172.30.0.1'; // compose.yaml's network 172.30.0.0/24: the host's side
const PRIVATE_KEY = '6b'.repeat(32);
const PROTOCOL_ID = '4545';
const PASSWORDS = { matchmaker: 'mm-pass-1', front: 'front-pass-1', gameserver: 'gs-pass-1' };

function composeCommand(): string[] | undefined {
  for (const candidate of [['docker', 'compose'], ['docker-compose']]) {
    try {
      execFileSync(candidate[0]!, [...candidate.slice(1), 'version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // Try the next one.
    }
  }
  return undefined;
}

const compose = composeCommand();
const support = containerSupport([IMAGES.matchmaker, IMAGES.gameserver, BASE]);
if (support.ok && !compose) {
  const reason = 'no docker compose or docker-compose (Debian: apt-get install docker-compose)';
  if (process.env.PLAYGAP_CONTAINER_TESTS === 'require') {
    throw new Error(`container tests required, but ${reason}`);
  }
  process.stderr.write(`compose test skipped: ${reason}\n`);
}
const run = promisify(execFile);

describe.skipIf(!support.ok || !compose)('the compose stack', { timeout: 300_000 }, () => {
  let work: string;
  let local: EdgegapLocal | undefined;
  let caPem: string;
  const natsPort = { value: 0 };
  const frontPort = { value: 0 };
  const project = `playgap-test-${process.pid}`;
  const up = (...args: string[]) =>
    run(compose![0]!, [...compose!.slice(1), '-p', project, ...args], {
      cwd: work,
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
      maxBuffer: 16 * 1024 * 1024,
    });

  beforeAll(async () => {
    await docker(
      'build',
      '--network',
      'host',
      '-t',
      NATS_IMAGE,
      '--build-arg',
      `BASE=${BASE}`,
      '-f',
      join(import.meta.dirname, 'fixtures/nats.Dockerfile'),
      join(import.meta.dirname, 'fixtures'),
    );
    work = await mkdtemp(join(tmpdir(), 'playgap-compose-'));
    await cp(join(ROOT, 'docker/compose.yaml'), join(work, 'compose.yaml'));
    await cp(join(ROOT, 'docker/nats'), join(work, 'nats'), { recursive: true });
    await mkdir(join(work, 'nats/certs'), { recursive: true });
    ({ caPem } = await makeTlsFiles(join(work, 'nats/certs')));
    natsPort.value = await freePort();
    frontPort.value = await freePort();
    const edgegapPort = await freePort();
    const env = {
      PLAYGAP_APP: 'arena',
      NATS_MATCHMAKER_PASSWORD: PASSWORDS.matchmaker,
      NATS_FRONT_PASSWORD: PASSWORDS.front,
      NATS_GAMESERVER_PASSWORD: PASSWORDS.gameserver,
      NATS_IMAGE,
      NATS_PORT: String(natsPort.value),
      MATCHMAKER_IMAGE: IMAGES.matchmaker,
      FRONT_PORT: String(frontPort.value),
      PLAYGAP_VERSIONS: 'v1',
      PLAYGAP_PROTOCOL_ID: PROTOCOL_ID,
      PLAYGAP_PRIVATE_KEY: PRIVATE_KEY,
      EDGEGAP_API_URL: `http://${GATEWAY}:${edgegapPort}`,
      EDGEGAP_API_KEY: 'local-dev-key',
    };
    await writeFile(
      join(work, '.env'),
      Object.entries(env)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n'),
    );
    // NATS first: it creates the network, whose host side edgegap-local then listens on.
    await up('up', '-d', 'nats');
    local = await startEdgegapLocal({
      host: GATEWAY,
      port: edgegapPort,
      apps: [
        {
          name: 'arena',
          versions: [
            {
              name: 'v1',
              docker_image: 'playgap/gameserver',
              docker_tag: 'local',
              ports: [
                { name: 'game', port: 4000, protocol: 'TCP', to_check: true },
                { name: 'rtc', port: 4001, protocol: 'UDP' },
              ],
              envs: [
                { key: 'PLAYGAP_APP', value: 'arena' },
                { key: 'PLAYGAP_VERSION', value: 'v1' },
                { key: 'PLAYGAP_PROTOCOL_ID', value: PROTOCOL_ID },
                { key: 'PLAYGAP_PRIVATE_KEY', value: PRIVATE_KEY, is_hidden: true },
                { key: 'NATS_URL', value: `tls://127.0.0.1:${natsPort.value}` },
                { key: 'NATS_USER', value: 'gameserver' },
                { key: 'NATS_PASSWORD', value: PASSWORDS.gameserver, is_hidden: true },
                { key: 'NATS_CA_CONTENTS', value: caPem },
              ],
            },
          ],
        },
      ],
    });
    await up('up', '-d');
  }, 240_000);

  afterAll(async () => {
    await local?.close();
    if (work) {
      await up('down', '--volumes', '--timeout', '10').catch(() => undefined);
      await rm(work, { recursive: true, force: true });
    }
  }, 120_000);

  it('brings up NATS and the matchmaker, both healthy by their own checks', async () => {
    await until(
      'both services healthy',
      async () => {
        const ids = (await up('ps', '-q')).stdout.trim().split('\n').filter(Boolean);
        const states = await Promise.all(
          ids.map((id) => docker('inspect', '--format', '{{.State.Health.Status}}', id)),
        );
        return states.length === 2 && states.every((s) => s === 'healthy') ? true : undefined;
      },
      180_000,
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${(await up('logs', '--tail', '40')).stdout}`);
    });
  });

  it('places a player on a game server started as a container', async () => {
    const response = await fetch(`http://127.0.0.1:${frontPort.value}/matchmaker/wannaplay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ game: 'arena', version: 'v1' }),
      signal: AbortSignal.timeout(120_000),
    });
    const answer = (await response.json()) as Record<string, unknown>;
    expect(response.status, JSON.stringify(answer)).toBe(200);
    expect(answer).toMatchObject({ token: expect.any(String), ip: '127.0.0.1' });
    const running = await docker('ps', '--filter', 'label=playgap.edgegap-local=1', '-q');
    expect(running).not.toBe('');
  });

  it('refuses the gameserver role on the matchmaker subjects', async () => {
    const gs = await connect({
      servers: `tls://127.0.0.1:${natsPort.value}`,
      user: 'gameserver',
      pass: PASSWORDS.gameserver,
      tls: { ca: caPem },
      maxReconnectAttempts: 0,
    });
    try {
      await expect(gs.request('playgap.arena.play', '{}', { timeout: 5_000 })).rejects.toThrow(
        /Permissions Violation for Publish to "playgap\.arena\.play"/,
      );
    } finally {
      await gs.close();
    }
  });
});
