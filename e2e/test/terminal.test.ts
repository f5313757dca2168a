/**
 * What `npm start` shows after PLAYGAP_READY: the real local stack (scripts/lib/stack.mjs) with
 * the terminal logger (scripts/lib/terminal.mjs) writing to a captured, non-TTY stream. A
 * placement gives readable lines for the deployment and the placement, and the game server's
 * and sidecar's own output arrives prefixed with the deployment id; nothing is coloured and no
 * secret shows. The same stack pointed at an Edgegap that refuses the key does not start.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM module without types
import { startStack } from '../../scripts/lib/stack.mjs';
// @ts-expect-error plain ESM module without types
import { terminalLogger } from '../../scripts/lib/terminal.mjs';
import type { Stack } from './harness.js';

const PRIVATE_KEY = '6b'.repeat(32);
const PROTOCOL_ID = '4343';

/** A writable that keeps what it got and tells waiters, like a terminal that is not a TTY. */
class Capture extends Writable {
  text = '';
  readonly #waiters = new Set<() => void>();
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += String(chunk);
    for (const waiter of this.#waiters) waiter();
    done();
  }
  /** Resolves once the text matches `pattern`; rejects after `timeoutMs` with what it has. */
  until(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = this.text.match(pattern);
        if (!match) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(match);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`no ${pattern} within ${timeoutMs} ms in:\n${this.text}`));
      }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }
}

const terminal = new Capture();
const staticDir = mkdtempSync(join(tmpdir(), 'playgap-terminal-static-'));
let stack: Stack;

// Not harness.ts's startLocalStack: importing harness.ts empties e2e/artifacts, which the
// browser tests may be writing to at the same time.
const startLocalStack = (options: Record<string, unknown>): Promise<Stack> =>
  startStack({ port: 0, log: () => {}, ...options });

beforeAll(async () => {
  stack = await startLocalStack({
    logger: await terminalLogger({ stream: terminal }),
    staticDir,
    env: { ...process.env, PLAYGAP_PRIVATE_KEY: PRIVATE_KEY, PLAYGAP_PROTOCOL_ID: PROTOCOL_ID },
  });
});

afterAll(async () => {
  await stack?.close();
  rmSync(staticDir, { recursive: true, force: true });
});

describe('the npm start terminal', () => {
  it('shows the placement and the new server’s own lines prefixed with its id, without colour', async () => {
    const res = await fetch(new URL('matchmaker/wannaplay', stack.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ game: stack.app, version: stack.version }),
    });
    const reply = (await res.json()) as { type: string; serverId: string; token: string };
    expect(reply.type, JSON.stringify(reply)).toBe('ready');
    const id = reply.serverId;
    // The placement line is written before the reply is sent.
    expect(terminal.text).toMatch(new RegExp(`INFO: deployment started .*"serverId":"${id}"`));
    expect(terminal.text).toMatch(
      new RegExp(`INFO: player placed .*"app":"arena","version":"1.0.0","serverId":"${id}"`),
    );
    // The sidecar and the game server print their own lines once they are up.
    await terminal.until(new RegExp(`INFO: \\[${id}\\] playgap-sidecar listening on`), 10_000);
    await terminal.until(new RegExp(`\\[${id}\\] \\[arena\\] ${id} up`), 10_000);
    expect(terminal.text).not.toContain('\u001b[');
    expect(terminal.text).not.toContain(reply.token);
    expect(terminal.text).not.toContain(PRIVATE_KEY);
  });

  it('is coloured on a TTY', async () => {
    const tty = Object.assign(new Capture(), { isTTY: true });
    const logger = await terminalLogger({ stream: tty });
    logger.info({ event: 'placed', serverId: 'abc' }, 'player placed');
    expect(tty.text).toContain('\u001b[');
    expect(tty.text).toContain('player placed');
  });

  it('refuses an unknown PLAYGAP_LOG_LEVEL by name', async () => {
    await expect(terminalLogger({ stream: new Capture(), level: 'loud' })).rejects.toThrow(
      'PLAYGAP_LOG_LEVEL must be one of',
    );
  });

  it('does not start against an Edgegap that refuses the key, and says why', async () => {
    const starting = startLocalStack({
      staticDir,
      env: {
        PATH: process.env.PATH,
        EDGEGAP_API_KEY: 'bogus-key-7',
        EDGEGAP_API_URL: stack.edgegapUrl,
        NATS_URL: stack.natsUrl,
        PLAYGAP_PRIVATE_KEY: PRIVATE_KEY,
        PLAYGAP_PROTOCOL_ID: PROTOCOL_ID,
      },
    });
    const error = (await starting.catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(
      /^EDGEGAP_API_KEY is not accepted: Edgegap refused the API key \(HTTP 401\) at http:\/\/127\.0\.0\.1:\d+: "Unauthorized"/,
    );
    expect(error.message).not.toContain('bogus-key-7');
  });
});
