import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { canTieChildren, spawnTracked } from './cleanup.js';
import { waitFor } from './wait-for.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('spawnTracked', () => {
  it('runs the command itself (same pid, its output, its exit code)', async () => {
    const child = spawnTracked(
      process.execPath,
      ['-e', 'console.log(process.pid); process.exit(3)'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk;
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(3);
    expect(Number(out.trim())).toBe(child.pid);
  });

  it.runIf(canTieChildren())(
    'takes the child down when its parent is SIGKILLed (no exit handler runs)',
    async () => {
      const parent = spawn(
        process.execPath,
        [
          '--conditions=source',
          '--import',
          'tsx',
          new URL('../fixtures/tie-parent.ts', import.meta.url).pathname,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const grandchild = await new Promise<number>((resolve, reject) => {
        parent.stdout!.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim())));
        parent.once('exit', (code) => reject(new Error(`fixture exited with ${code}`)));
      });
      expect(alive(grandchild)).toBe(true);
      parent.kill('SIGKILL');
      await waitFor(() => !alive(grandchild), {
        what: 'the orphaned grandchild to be killed',
        timeoutMs: 10_000,
        intervalMs: 20,
      });
    },
  );
});
