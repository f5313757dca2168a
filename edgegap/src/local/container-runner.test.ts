import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { splitArguments } from '../arguments.js';
import { EdgegapConfigError } from '../errors.js';
import type { VersionRecord } from './catalog.js';
import { resolveLocalConfig } from './config.js';
import {
  dockerRunArguments,
  removeOrphanContainers,
  removeOrphanContainersOnce,
} from './container-runner.js';
import { imageOf } from './deployments.js';

const record = (fields: Record<string, unknown>) =>
  ({ name: 'v1', create_time: '', last_updated: '', seq: 0, ...fields }) as VersionRecord;

describe('splitArguments', () => {
  it('splits like a POSIX shell: quotes, escapes, runs of spaces', () => {
    expect(splitArguments(`'--ca-contents=a b\\nc' run  --  node "x y.js" a\\ b ''`)).toEqual([
      '--ca-contents=a b\\nc',
      'run',
      '--',
      'node',
      'x y.js',
      'a b',
      '',
    ]);
  });

  it('keeps a quoted single quote the way the CLI writes it', () => {
    expect(splitArguments(`'it'\\''s'`)).toEqual(["it's"]);
  });

  it.each([`'open`, `"open`])('refuses an unterminated quote: %s', (text) => {
    expect(() => splitArguments(text)).toThrow(/unclosed/);
  });
});

describe('dockerRunArguments', () => {
  it('runs on the host network, names the container, never pulls, keeps values out of argv', () => {
    const args = dockerRunArguments({
      image: 'playgap/gameserver:local',
      name: 'edgegap-local-ab12',
      arguments: `'run' '--' node /app/main.js`,
      env: { PLAYGAP_PRIVATE_KEY: 'secret', ARBITRIUM_REQUEST_ID: 'ab12' },
      graceMs: 4500,
    });
    expect(args.slice(0, 7)).toEqual([
      'run',
      '--pull',
      'never',
      '--name',
      'edgegap-local-ab12',
      '--network',
      'host',
    ]);
    expect(args).toContain('--stop-timeout');
    expect(args[args.indexOf('--stop-timeout') + 1]).toBe('5');
    expect(args.join(' ')).not.toContain('secret');
    expect(args).toEqual(expect.arrayContaining(['-e', 'PLAYGAP_PRIVATE_KEY']));
    expect(args.slice(-5)).toEqual([
      'playgap/gameserver:local',
      'run',
      '--',
      'node',
      '/app/main.js',
    ]);
  });
});

describe('imageOf', () => {
  it('names docker_image:docker_tag, under docker_repository unless it is the local placeholder', () => {
    expect(
      imageOf(
        record({
          docker_image: 'playgap/gameserver',
          docker_tag: 'local',
          docker_repository: 'local',
        }),
      ),
    ).toBe('playgap/gameserver:local');
    expect(
      imageOf(
        record({
          docker_image: 'proj/arena',
          docker_tag: 'v1',
          docker_repository: 'registry.edgegap.com',
        }),
      ),
    ).toBe('registry.edgegap.com/proj/arena:v1');
    expect(imageOf(record({ docker_image: 'arena' }))).toBe('arena:latest');
    expect(imageOf(record({}))).toBeUndefined();
  });
});

describe('versions that run an image', () => {
  it('need no command when they name a docker_image', async () => {
    const config = await resolveLocalConfig({
      apps: [
        { name: 'g', versions: [{ name: 'v1', docker_image: 'playgap/gameserver', ports: [] }] },
      ],
    });
    expect(config.apps[0]?.versions[0]?.docker_image).toBe('playgap/gameserver');
  });

  it.each([
    [
      'neither command nor docker_image',
      { name: 'v1', ports: [] },
      /command must be a non-empty string \(or give docker_image/,
    ],
    [
      'an empty docker_image',
      { name: 'v1', command: 'node', docker_image: '', ports: [] },
      /docker_image must be a non-empty string/,
    ],
  ])('refuses a version with %s', async (_why, version, message) => {
    const failure = resolveLocalConfig({ apps: [{ name: 'g', versions: [version as never] }] });
    await expect(failure).rejects.toBeInstanceOf(EdgegapConfigError);
    await expect(failure).rejects.toThrow(message);
  });
});

describe('removeOrphanContainers', () => {
  let dir: string;
  // A stand-in `docker`: `ps` prints the file "ps", every call is appended to "calls".
  const FAKE_DOCKER = `#!/bin/sh
echo "$@" >> "$DOCKER_FAKE_DIR/calls"
case "$1" in
  ps) [ -f "$DOCKER_FAKE_DIR/ps-fails" ] && exit 1; cat "$DOCKER_FAKE_DIR/ps" ;;
  rm) [ "$3" = "edgegap-local-stuck" ] && exit 1; exit 0 ;;
esac
`;
  const env = () => ({ PATH: `${dir}:/usr/bin:/bin`, DOCKER_FAKE_DIR: dir });
  const calls = () => readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n');
  /** The pid of a process that has exited. */
  const deadPid = () =>
    new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['-e', '']);
      child.once('exit', () => resolve(child.pid!));
    });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fake-docker-'));
    writeFileSync(join(dir, 'docker'), FAKE_DOCKER);
    chmodSync(join(dir, 'docker'), 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('removes the containers of a gone edgegap-local of this host, and only those', async () => {
    const dead = await deadPid();
    const host = hostname();
    writeFileSync(
      join(dir, 'ps'),
      [
        `edgegap-local-dead1\t${host}/${dead}`,
        `edgegap-local-mine\t${host}/${process.pid}`,
        `edgegap-local-elsewhere\tother-host/${dead}`,
        'edgegap-local-unlabelled\t',
        `edgegap-local-stuck\t${host}/${dead}`,
        `edgegap-local-dead2\t${host}/${dead}`,
        '',
      ].join('\n'),
    );
    const removed = await removeOrphanContainers(env());
    // "stuck" could not be removed: not reported.
    expect(removed).toEqual(['edgegap-local-dead1', 'edgegap-local-dead2']);
    const [ps, ...rms] = calls();
    expect(ps).toContain('ps --all --filter label=playgap.edgegap-local=1');
    expect(rms).toEqual([
      'rm --force edgegap-local-dead1',
      'rm --force edgegap-local-stuck',
      'rm --force edgegap-local-dead2',
    ]);
  });

  it('asks the liveness check for each owner pid, and keeps what it says is alive', async () => {
    writeFileSync(join(dir, 'ps'), `edgegap-local-a\t${hostname()}/999999\n`);
    const asked: number[] = [];
    const removed = await removeOrphanContainers(env(), (pid) => {
      asked.push(pid);
      return true;
    });
    expect(asked).toEqual([999999]);
    expect(removed).toEqual([]);
  });

  it('removes nothing and does not throw with no docker, or when docker ps fails', async () => {
    await expect(removeOrphanContainers({ PATH: join(dir, 'nowhere') })).resolves.toEqual([]);
    writeFileSync(join(dir, 'ps-fails'), '');
    writeFileSync(join(dir, 'ps'), `edgegap-local-dead\t${hostname()}/${await deadPid()}\n`);
    await expect(removeOrphanContainers(env())).resolves.toEqual([]);
    expect(calls()).toHaveLength(1); // the failed ps, no rm
  });

  it('sweeps once per process: a later deployment removes and reports nothing', async () => {
    writeFileSync(join(dir, 'ps'), `edgegap-local-dead\t${hostname()}/${await deadPid()}\n`);
    await expect(removeOrphanContainersOnce(env())).resolves.toEqual(['edgegap-local-dead']);
    await expect(removeOrphanContainersOnce(env())).resolves.toEqual([]);
    expect(calls()).toHaveLength(2); // one ps, one rm: the second call asked docker nothing
  });

  it('labels every container with its owner, so a later edgegap-local can tell', () => {
    const args = dockerRunArguments({ image: 'i', name: 'n', env: {}, graceMs: 1000 });
    expect(args.join(' ')).toContain(`--label playgap.edgegap-local=1`);
    expect(args.join(' ')).toContain(
      `--label playgap.edgegap-local.owner=${hostname()}/${process.pid}`,
    );
  });
});
