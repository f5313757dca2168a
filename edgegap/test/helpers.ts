// Shared test helpers: fixture paths, an edgegap-local with a small app, and authenticated
// JSON calls to it (the bounded poll is testkit's waitFor).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type EdgegapLocal, type LocalVersionConfig, startEdgegapLocal } from '../src/index.js';
import type { EdgegapLocalOptions } from '../src/local/config.js';

export const fixture = (name: string) =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** A TCP game server version running the given fixture with `node`. */
export function nodeVersion(
  name: string,
  script: string,
  extra: Partial<LocalVersionConfig> = {},
): LocalVersionConfig {
  return {
    name,
    command: process.execPath,
    arguments: [fixture(script)],
    ports: [{ name: 'game', port: 7777, protocol: 'TCP', to_check: true }],
    termination_grace_period_seconds: 1,
    ...extra,
  };
}

export function startLocal(options: EdgegapLocalOptions): Promise<EdgegapLocal> {
  return startEdgegapLocal({ timing: { statusStepMs: 5, udpReadyAfterMs: 50 }, ...options });
}

/** Is a process alive (running, not a zombie waiting to be reaped)? */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** `method path` on edgegap-local with its API key (and a JSON body when given); the JSON answer. */
export async function callLocal(
  local: EdgegapLocal,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const res = await fetch(local.url + path, {
    method,
    headers: {
      authorization: `token ${local.apiKey}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return res.json();
}
