// Every command a user types answers --help and -h with its usage (exit 0) before checking
// anything else, and a bad flag with a short usage error (exit 2, one or two lines naming the
// flag and pointing at --help). Runs the real bins, so it needs the build (`npm test` builds).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { COMMANDS } from '@playgap/cli';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** [what the user types, script, arguments before the flag under test] */
const COMMAND_LINES: [string, string, string[]][] = [
  ['npm start', 'scripts/start.mjs', []],
  ['playgap', 'cli/bin/playgap.js', []],
  ...COMMANDS.map((c): [string, string, string[]] => [
    `playgap ${c.name}`,
    'cli/bin/playgap.js',
    c.name.split(' '),
  ]),
  ['playgap-sidecar', 'sidecar/bin/playgap-sidecar.js', []],
  ['playgap-sidecar run', 'sidecar/bin/playgap-sidecar.js', ['--local', 'run']],
  ['playgap-matchmaker', 'matchmaker/bin/playgap-matchmaker.js', []],
  ['edgegap-local', 'edgegap/bin/edgegap-local.js', []],
];

async function run(script: string, args: string[]) {
  // No PLAYGAP_*, NATS_* or EDGEGAP_* variables: help must not need any of them.
  const child = spawn(process.execPath, [join(ROOT, script), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const [code] = await once(child, 'exit');
  return { code, stdout, stderr };
}

describe.each(COMMAND_LINES)('%s', (name, script, before) => {
  it.each(['--help', '-h'])(`prints its usage and exits 0 on ${name} %s`, async (flag) => {
    const result = await run(script, [...before, flag]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: /);
  });

  it(`refuses ${name} --bogus in a line or two naming it and pointing at --help`, async () => {
    const result = await run(script, [...before, '--bogus']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines.length, result.stderr).toBeLessThanOrEqual(2);
    expect(result.stderr).toContain('--bogus');
    expect(result.stderr).toContain('--help');
  });
});
