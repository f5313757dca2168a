// `playgap keygen --export`: the lines a shell evaluates must set both values, in both key
// formats, and `--export` is refused with `--json` (JSON cannot be evaluated).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parsePrivateKey, parseProtocolId } from '@playgap/protocol/token';
import { describe, expect, it } from 'vitest';
import { playgap } from './run.js';

const bin = join(import.meta.dirname, '..', 'bin', 'playgap.js');

/** Evaluate `playgap keygen <flags>` in bash as the docs do, and read both variables back. */
async function evalInBash(flags: string): Promise<{ key: string; id: string }> {
  const script = `set -euo pipefail
eval "$("${process.execPath}" "${bin}" keygen ${flags})"
bash -c 'printf "%s\\n%s\\n" "$PLAYGAP_PRIVATE_KEY" "$PLAYGAP_PROTOCOL_ID"'`;
  const { stdout } = await promisify(execFile)('bash', ['-c', script], {
    env: { PATH: '/usr/bin:/bin' },
  });
  const [key = '', id = ''] = stdout.trimEnd().split('\n');
  return { key, id };
}

describe('playgap keygen --export', () => {
  it('prints export lines that set both variables for child processes (needs the build)', async () => {
    const { key, id } = await evalInBash('--export');
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(parsePrivateKey(key)).toHaveLength(32);
    expect(parseProtocolId(id)).toBeTypeOf('bigint');
  });

  it('keeps the quoted list form one value', async () => {
    const { key } = await evalInBash('--export --format list');
    expect(key.split(', ')).toHaveLength(32);
    expect(parsePrivateKey(key)).toHaveLength(32);
  });

  it('starts every line with export', async () => {
    const run = await playgap(['keygen', '--export']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^export PLAYGAP_PRIVATE_KEY=[0-9a-f]{64}\nexport PLAYGAP_PROTOCOL_ID=\d+\n$/,
    );
  });

  it('refuses --export with --json', async () => {
    const run = await playgap(['keygen', '--export', '--json']);
    expect(run.code).toBe(2);
    expect(run.json()).toEqual({
      error: { code: 'BAD_REQUEST', message: expect.stringContaining('--export') },
    });
  });
});
