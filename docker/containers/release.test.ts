/**
 * The release rehearsal (scripts/release/rehearse.sh): scripts/release/release.sh — the steps
 * .github/workflows/release-server.yml runs — against edgegap-local, with the game-server image
 * just built tagged as the registry image the release would push, and NATS as compose runs it
 * (TLS, the gameserver user). The version is created from docker/edgegap-version.yaml by the
 * CLI, the smoke deployment runs as a container and gets READY, then `stable` is promoted to the
 * tag. A second rehearsal, with an image that crashes on start, must fail with its logs.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EdgegapClient, type EdgegapLocal, startEdgegapLocal } from '@playgap/edgegap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ComposeNats, startComposeNats } from '../test/nats-from-compose.js';
import { containerSupport, docker, IMAGES, ROOT } from './engine.js';

const support = containerSupport([IMAGES.gameserver]);
const APP = 'arena';
const PROJECT = 'studio';
const IMAGE = 'arena-server';
const run = promisify(execFile);

describe.skipIf(!support.ok)('release rehearsal', { timeout: 300_000 }, () => {
  let nats: ComposeNats;
  let local: EdgegapLocal;
  let work: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'playgap-release-'));
    nats = await startComposeNats(APP);
    local = await startEdgegapLocal({ apps: [{ name: APP, versions: [] }] });
    const caFile = join(work, 'nats-ca.crt');
    await writeFile(caFile, nats.caPem);
    env = {
      ...process.env,
      EDGEGAP_API_URL: local.url,
      EDGEGAP_API_KEY: local.apiKey,
      EDGEGAP_APP: APP,
      EDGEGAP_PROJECT: PROJECT,
      EDGEGAP_IMAGE: IMAGE,
      EDGEGAP_REGISTRY_USERNAME: 'robot',
      EDGEGAP_REGISTRY_TOKEN: 'pull-token',
      PLAYGAP_PROTOCOL_ID: '7',
      PLAYGAP_PRIVATE_KEY: '5a'.repeat(32),
      NATS_PUBLIC_URL: nats.url,
      NATS_GAMESERVER_PASSWORD: nats.passwords.gameserver,
      NATS_CA_FILE: caFile,
      SMOKE_PLAYER_IP: '127.0.0.1',
      SMOKE_STAY_UP_SECONDS: '3',
    };
  }, 60_000);

  afterAll(async () => {
    await local?.close();
    await nats?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  }, 60_000);

  const release = (tag: string, extra: Record<string, string> = {}) =>
    run('bash', [join(ROOT, 'scripts/release/release.sh')], {
      env: { ...env, RELEASE_TAG: tag, ...extra },
      maxBuffer: 16 * 1024 * 1024,
    });

  it('creates the version, smoke-deploys the image to READY, stops it and promotes stable', async () => {
    const tag = 'v0.0.1-rehearsal';
    await docker('tag', IMAGES.gameserver, `registry.edgegap.com/${PROJECT}/${IMAGE}:${tag}`);
    const { stdout } = await release(tag, { PROMOTE_VERSION: 'stable' }).catch(
      (error: { stdout: string; stderr: string }) => {
        throw new Error(`release.sh failed\n${error.stdout}\n${error.stderr}`);
      },
    );
    expect(stdout).toMatch(/smoke: READY after/);
    expect(stdout).toContain('the release works');
    const edgegap = new EdgegapClient({ apiUrl: local.url, apiKey: local.apiKey });
    const stable = (await edgegap.getVersion(APP, 'stable')) as Record<string, unknown>;
    expect(stable.docker_tag).toBe(tag);
    expect(stable.docker_image).toBe(`${PROJECT}/${IMAGE}`);
    // The smoke deployment is gone: nothing left running.
    const fleet = (await fetch(`${local.url}/_local/deployments`, {
      headers: { authorization: `token ${local.apiKey}` },
    }).then((r) => r.json())) as { status: string }[];
    expect(fleet.map((d) => d.status)).toEqual(['Status.TERMINATED']);
  });

  it('fails when the released image crashes on start, and shows its logs', async () => {
    const tag = 'v0.0.2-crashes';
    // The same image with a CMD that exits at once: what a broken build looks like.
    const context = join(work, 'crash');
    await run('mkdir', ['-p', context]);
    await writeFile(
      join(context, 'Dockerfile'),
      `FROM ${IMAGES.gameserver}\nCMD ["run", "--", "node", "-e", "console.error('boom: broken build'); process.exit(3)"]\n`,
    );
    await docker('build', '-t', `registry.edgegap.com/${PROJECT}/${IMAGE}:${tag}`, context);
    const failure = await release(tag).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toMatch(/smoke: deployment \w+ ended Status\.ERROR before READY/);
    expect(failure?.stderr).toContain('boom: broken build');
  });
});
