// The shell entrypoints shipped in the images: valid POSIX sh, and docker/nats/start.sh refuses
// a missing or unsafe app name and missing passwords before nats-server ever starts.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { dockerDir } from './nats-from-compose.js';

const run = promisify(execFile);
const startSh = join(dockerDir, 'nats', 'start.sh');
const fullEnv = {
  PATH: process.env.PATH ?? '',
  PLAYGAP_APP: 'arena',
  NATS_MATCHMAKER_PASSWORD: 'a',
  NATS_FRONT_PASSWORD: 'b',
  NATS_GAMESERVER_PASSWORD: 'c',
  // Never reached in these tests: a failing binary proves start.sh stopped before it.
  NATS_SERVER_BIN: '/bin/false',
  NATS_RUN_DIR: '/nonexistent-run-dir',
};

describe('docker shell scripts', () => {
  it.each(['nats/start.sh', 'sidecar/playgap-sidecar'])('%s is valid POSIX sh', async (script) => {
    await expect(run('sh', ['-n', join(dockerDir, script)])).resolves.toBeDefined();
  });

  it.each([
    ['PLAYGAP_APP is missing', { PLAYGAP_APP: '' }, /PLAYGAP_APP is required/],
    [
      'PLAYGAP_APP would inject into the config',
      { PLAYGAP_APP: 'a/b"; x' },
      /PLAYGAP_APP must use only/,
    ],
    ['PLAYGAP_APP has a subject wildcard', { PLAYGAP_APP: 'a.>' }, /PLAYGAP_APP must use only/],
    [
      'a role password is missing',
      { NATS_GAMESERVER_PASSWORD: '' },
      /NATS_GAMESERVER_PASSWORD is required/,
    ],
  ])('start.sh refuses to start when %s', async (_why, env, message) => {
    const failure = await run('sh', [startSh], { env: { ...fullEnv, ...env } }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: expect.any(Number) });
    expect((failure as { code: number }).code).not.toBe(0);
    expect((failure as { stderr: string }).stderr).toMatch(message);
  });
});
