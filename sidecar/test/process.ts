/**
 * Runs the built sidecar CLI (dist) as a real child process for integration tests, and joins its
 * fixture game server as a player would.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FIXTURE_GAME_SERVER, trackChild } from '@playgap/testkit';

export const BIN = fileURLToPath(new URL('../bin/playgap-sidecar.js', import.meta.url));
/** The plain-Node fixture game server (it lives in testkit: other packages run it too). */
export const FIXTURE = FIXTURE_GAME_SERVER;

export interface SidecarProcess {
  child: ChildProcess;
  /** Resolves with the local API URL once it is printed. */
  url: Promise<string>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

export function spawnSidecar(args: string[], env: Record<string, string>): SidecarProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', PLAYGAP_SIDECAR_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  let text = '';
  let resolveUrl: (url: string) => void = () => {};
  let rejectUrl: (error: Error) => void = () => {};
  const url = new Promise<string>((resolve, reject) => {
    resolveUrl = resolve;
    rejectUrl = reject;
  });
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    const m = /playgap-sidecar listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
    if (m?.[1]) resolveUrl(m[1]);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      rejectUrl(new Error(`sidecar exited (${code ?? signal}) before listening:\n${text}`));
      resolve({ code, signal });
    });
  });
  url.catch(() => {});
  return { child, url, exit, output: () => text };
}

/**
 * Presents a connect token to the fixture game server's `/join` at `address` (host:port), the
 * way a player's client would; the fixture checks it with its sidecar and answers with the result.
 *
 * @example
 * const res = await joinFixture(`127.0.0.1:${gamePort}`, token.base64);
 * expect(res.status).toBe(200);
 */
export function joinFixture(address: string, token: string): Promise<Response> {
  return fetch(`http://${address}/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
}
