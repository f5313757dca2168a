import { describe, expect, it } from 'vitest';
import { splitArguments } from '../arguments.js';
import { EdgegapConfigError } from '../errors.js';
import type { VersionRecord } from './catalog.js';
import { resolveLocalConfig } from './config.js';
import { dockerRunArguments } from './container-runner.js';
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
