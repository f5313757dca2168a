// The docs test's own parts: markers are read (and wrong ones refused), console prompts are
// stripped, a failing block fails, and what one block exports is set in the next.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notRunBecause, shellBlocks } from './guide-blocks.js';
import { GuideShell } from './guide-shell.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'playgap-docs-blocks-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function guide(text: string): Promise<string> {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.md`);
  await writeFile(file, text);
  return file;
}

describe('shellBlocks', () => {
  it('reads the markers above a shell block and ignores other languages', async () => {
    const file = await guide(
      [
        '<!-- env: nats A=1 -->',
        '<!-- run: background, ready: ^up (?<URL>\\S+) -->',
        '```sh',
        'serve',
        '```',
        '```json',
        '{}',
        '```',
        '<!-- needs: edgegap -->',
        '```bash',
        'deploy',
        '```',
      ].join('\n'),
    );
    const [serve, deploy, ...rest] = shellBlocks(file);
    expect(rest).toEqual([]);
    expect(serve?.markers.env).toEqual(['nats', 'A=1']);
    expect(serve?.markers.background?.ready.exec('up http://x')?.groups?.URL).toBe('http://x');
    expect(serve && notRunBecause(serve)).toBeUndefined();
    expect(deploy && notRunBecause(deploy)).toBe('needs an Edgegap account and API key');
  });

  it('refuses an unknown need and a skip without a reason', async () => {
    expect(() => shellBlocks(join(dir, 'x'))).toThrow();
    const needs = await guide('<!-- needs: money -->\n```sh\nx\n```\n');
    expect(() => shellBlocks(needs)).toThrow(/needs "money" is not one of edgegap/);
    const skip = await guide('<!-- skip: -->\n```sh\nx\n```\n');
    expect(() => shellBlocks(skip)).toThrow(/needs a reason/);
  });

  it('runs only the $ lines of a console block', async () => {
    const file = await guide('```console\n$ echo a \\\n  b\na b\n$ true\n```\n');
    expect(shellBlocks(file)[0]?.script).toBe('echo a \\\n  b\ntrue');
  });
});

describe('GuideShell', () => {
  it('fails a block that fails and keeps what a block exports for the next', async () => {
    const file = await guide(
      '```sh\nexport DOCS_TEST_VALUE=42\n```\n```sh\ntest "$DOCS_TEST_VALUE" = 42\n```\n```sh\nfalse\necho never\n```\n',
    );
    const [set, check, fail] = shellBlocks(file);
    const shell = new GuideShell();
    try {
      await shell.run(set!);
      await shell.run(check!);
      await expect(shell.run(fail!)).rejects.toThrow(/exited with 1/);
    } finally {
      expect(await shell.close()).toEqual([]);
    }
  });

  it('waits for a background block’s ready line and stops it with Ctrl-C', async () => {
    const file = await guide(
      '<!-- run: background, ready: ^listening on (?<PORT>\\d+) -->\n```sh\necho "listening on 1234"; sleep 60\n```\n```sh\ntest "$PORT" = 1234\n```\n',
    );
    const [serve, check] = shellBlocks(file);
    const shell = new GuideShell();
    try {
      await shell.run(serve!);
      await shell.run(check!);
    } finally {
      expect(await shell.close()).toEqual([]);
    }
  });
});
