// No orphans, ever: SIGKILL the edgegap-local CLI (built dist) while it runs a deployment, and
// the game process dies too; SIGTERM it and it stops its deployments before exiting.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trackChild, waitFor } from '@playgap/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EdgegapClient } from '../src/index.js';
import { alive, nodeVersion } from './helpers.js';

const bin = fileURLToPath(new URL('../bin/edgegap-local.js', import.meta.url));
let dir: string;
let configFile: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'edgegap-orphans-'));
  configFile = join(dir, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      apps: [{ name: 'game', versions: [nodeVersion('v1', 'ignore-sigterm.mjs')] }],
    }),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function startCli(): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [bin, '--config', configFile, '--api-key', 'k'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  // Wait for the last start-up line (the URL and key hint): stdout may deliver the two lines
  // in separate chunks.
  const url = await waitFor(() => /use: EDGEGAP_API_URL=(http:\/\/\S+)/.exec(output)?.[1], {
    what: 'CLI URL',
    timeoutMs: 25_000,
    retryErrors: true,
  });
  return { child, url, output: () => output };
}

async function deployAndGetPid(url: string): Promise<number> {
  const edgegap = new EdgegapClient({ apiUrl: url, apiKey: 'k' });
  const { requestId } = await edgegap.deploy({
    application: 'game',
    version: 'v1',
    users: [{ ipAddress: '1.2.3.4' }],
  });
  await waitFor(async () => (await edgegap.getStatus(requestId)).ready, {
    what: 'READY',
    timeoutMs: 20_000,
    retryErrors: true,
  });
  const res = await fetch(`${url}/_local/deployments`, { headers: { authorization: 'token k' } });
  const [d] = (await res.json()) as { pid: number }[];
  return d!.pid;
}

it('kills the game process when edgegap-local is SIGKILLed', async () => {
  const { child, url } = await startCli();
  const pid = await deployAndGetPid(url);
  expect(alive(pid)).toBe(true);
  child.kill('SIGKILL');
  // The game ignores SIGTERM: the guard SIGKILLs it after the 1 s grace period.
  await waitFor(() => !alive(pid), {
    what: 'game process to die',
    timeoutMs: 10_000,
    retryErrors: true,
  });
});

it('stops every deployment on SIGTERM and exits 0', async () => {
  const { child, url, output } = await startCli();
  expect(output()).toContain('EDGEGAP_API_KEY=k');
  const pid = await deployAndGetPid(url);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(alive(pid)).toBe(false);
});
