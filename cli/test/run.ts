/** Runs the CLI in-process and captures what it prints, for the tests. */
import { PassThrough } from 'node:stream';
import { type CliEnvironment, runCli } from '../src/index.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for --json runs). */
  json: () => Record<string, unknown>;
}

/**
 * @example
 * const run = await playgap(['keygen', '--json']);
 * expect(run.code).toBe(0);
 */
export async function playgap(
  argv: string[],
  options: Omit<CliEnvironment, 'stdout' | 'stderr'> = {},
): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { out: '', err: '' };
  stdout.on('data', (c: Buffer) => {
    chunks.out += c.toString();
  });
  stderr.on('data', (c: Buffer) => {
    chunks.err += c.toString();
  });
  const code = await runCli(argv, { env: {}, ...options, stdout, stderr });
  return {
    code,
    stdout: chunks.out,
    stderr: chunks.err,
    json: () => JSON.parse(chunks.out) as Record<string, unknown>,
  };
}
