// The command line itself: help on every command, usage errors with exit code 2, JSON output,
// keygen output that the token codec accepts, and the real bin as a process.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parsePrivateKey, parseProtocolId } from '@playgap/protocol/token';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/index.js';
import { playgap } from './run.js';

describe('playgap help', () => {
  it('lists every command with --help and exits 0', async () => {
    const run = await playgap(['--help']);
    expect(run.code).toBe(0);
    for (const command of COMMANDS) expect(run.stdout).toContain(command.name);
  });

  it('prints the list and exits 2 without a command', async () => {
    const run = await playgap([]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('Usage: playgap <command>');
  });

  it.each(COMMANDS.map((c) => c.name))('"%s --help" prints its usage and exits 0', async (name) => {
    const run = await playgap([...name.split(' '), '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Usage: playgap ${name}`);
    expect(run.stdout).toContain('Example:');
  });

  it('lists the subcommands of a group and exits 2 when none is given', async () => {
    const run = await playgap(['deployments']);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('deployments stop');
  });
});

describe('playgap usage errors', () => {
  it('rejects an unknown command with BAD_REQUEST and exit 2', async () => {
    const run = await playgap(['deploy-everything']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error BAD_REQUEST: Unknown command "deploy-everything"/);
  });

  it('rejects an unknown flag, naming it', async () => {
    const run = await playgap(['keygen', '--colour', 'blue']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'error BAD_REQUEST: Unknown flag --colour. Run `playgap keygen --help`.\n',
    );
    expect((await playgap(['keygen', '--format'])).stderr).toContain('--format needs a value.');
  });

  it('rejects an extra positional argument', async () => {
    const run = await playgap(['keygen', 'extra']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Unexpected argument "extra"');
  });

  it('puts the error on stdout as JSON with --json', async () => {
    const run = await playgap(['keygen', '--format', 'base64', '--json']);
    expect(run.code).toBe(2);
    expect(run.json()).toEqual({
      error: { code: 'BAD_REQUEST', message: expect.stringContaining('--format') },
    });
  });

  it('needs EDGEGAP_API_KEY for Edgegap commands', async () => {
    const run = await playgap(['check-key'], { env: {} });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('EDGEGAP_API_KEY is not set');
  });
});

describe('playgap keygen', () => {
  it('prints a hex key and a protocol id the token codec accepts', async () => {
    const run = await playgap(['keygen']);
    expect(run.code).toBe(0);
    const key = /^PLAYGAP_PRIVATE_KEY=([0-9a-f]{64})$/m.exec(run.stdout)?.[1];
    const id = /^PLAYGAP_PROTOCOL_ID=(\d+)$/m.exec(run.stdout)?.[1];
    expect(parsePrivateKey(key!)).toHaveLength(32);
    expect(parseProtocolId(id!)).toBeTypeOf('bigint');
  });

  it('prints Bevygap’s list form with --format list', async () => {
    const run = await playgap(['keygen', '--format', 'list', '--json']);
    const { privateKey, format } = run.json() as { privateKey: string; format: string };
    expect(format).toBe('list');
    expect(privateKey.split(', ')).toHaveLength(32);
    expect(parsePrivateKey(privateKey)).toHaveLength(32);
  });

  it('never prints the same key twice', async () => {
    const a = (await playgap(['keygen', '--json'])).json().privateKey;
    const b = (await playgap(['keygen', '--json'])).json().privateKey;
    expect(a).not.toBe(b);
  });
});

describe('bin/playgap.js', () => {
  const bin = join(import.meta.dirname, '..', 'bin', 'playgap.js');
  const built = join(import.meta.dirname, '..', 'dist', 'main.js');

  it('runs as a process and exits with the command’s code (needs the build)', async () => {
    expect(existsSync(built), 'run `npx tsc -b` first').toBe(true);
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, [bin, 'keygen', '--json']);
    expect(JSON.parse(stdout)).toHaveProperty('protocolId');
    await expect(run(process.execPath, [bin, 'nope'])).rejects.toMatchObject({ code: 2 });
  });

  // `playgap keygen | head -1`: the reader closes the pipe, the CLI ends quietly with 0. The pipe
  // is closed before the child writes, so every write meets EPIPE.
  it.each([['keygen'], ['--help']])(
    'ends with 0 and no output when stdout is closed: %s',
    async (arg) => {
      const child = spawn(process.execPath, [bin, arg], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      const [code] = await once(child, 'exit');
      expect(stderr).toBe('');
      expect(code).toBe(0);
    },
  );
});
