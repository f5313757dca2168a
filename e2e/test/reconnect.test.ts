/**
 * Reconnects in headless Chromium on the real local stack (nats-server, edgegap-local, the
 * matchmaker, sidecar + server-template processes): a reloaded page rejoins its seat and flies
 * the same ship; a page whose socket drops wins the same seat back; a page whose connection
 * dropped and whose server was then stopped during the grace lands on a new server through the
 * matchmaker.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureClientBuilt,
  hook,
  launchChromium,
  loadPage,
  openAndConnect,
  type Stack,
  startLocalStack,
  waitForHook,
} from './harness.js';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  ensureClientBuilt();
  browser = await launchChromium();
}, 180_000);

beforeAll(async () => {
  stack = await startLocalStack({ reconnectGraceMs: 20_000, idleTimeoutMs: 60_000 });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
}, 60_000);

/** Record every WebSocket the page opens (`window.__sockets`), so a test can drop one. */
async function trackSockets(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const Native = window.WebSocket;
    const sockets: WebSocket[] = [];
    (window as unknown as { __sockets: WebSocket[] }).__sockets = sockets;
    window.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        sockets.push(this);
      }
    } as typeof WebSocket;
  });
}

describe('reconnects in the browser', { timeout: 180_000 }, () => {
  it('a reloaded page rejoins its seat and flies the same ship', async () => {
    const page = await openAndConnect(browser, stack.url, 'name=Rita&transport=websocket');
    const before = await waitForHook(page, "h.state === 'playing' && h.snapshots > 2", 60_000);
    await page.reload();
    const after = await waitForHook(
      page,
      "h.state === 'playing' && h.snapshots > 2 && h.positions.some((p) => p.id === h.clientId)",
      60_000,
    );
    expect(after.stages[0]).toBe('reconnecting');
    expect(after.stages).not.toContain('matchmaking');
    expect(after.clientId).toBe(before.clientId);
    expect(after.serverId).toBe(before.serverId);
    // One ship named Rita: the held one, not a second ship for a second seat.
    expect(after.names.filter((n) => n === 'Rita')).toHaveLength(1);
    expect(after.positions.find((p) => p.id === after.clientId)?.name).toBe('Rita');
    expect(await page.textContent('#status')).toBe('Playing (websocket) as Rita');
    await page.close();
  });

  it('a page whose socket drops wins the same seat and ship back', async () => {
    const page = await openTracked('Uma');
    const before = await waitForHook(page, "h.state === 'playing' && h.snapshots > 2", 60_000);
    await dropGameSocket(page);
    await waitForHook(page, "h.stages.includes('reconnecting')", 20_000);
    const after = await waitForHook(
      page,
      "h.state === 'playing' && h.positions.some((p) => p.id === h.clientId && p.name === 'Uma')",
      60_000,
    );
    expect(after.clientId).toBe(before.clientId);
    expect(after.serverId).toBe(before.serverId);
    expect(after.names.filter((n) => n === 'Uma')).toHaveLength(1);
    expect(after.lastError).toBeNull();
    await page.close();
  });

  it('a dropped page whose server stops during the grace lands on a new server', async () => {
    const tracked = await openTracked('Tess');
    const before = await waitForHook(tracked, "h.state === 'playing' && h.snapshots > 2", 60_000);
    // Drop the game socket as a network would (3000: not a goodbye), then stop its server.
    await tracked.evaluate(() => {
      const sockets = (window as unknown as { __sockets: WebSocket[] }).__sockets;
      sockets
        .filter((s) => s.url.endsWith('/ws'))
        .at(-1)
        ?.close(3000, 'network gone');
    });
    await waitForHook(tracked, "h.state === 'reconnecting'", 20_000);
    const stopped = await fetch(`${stack.edgegapUrl}/v1/stop/${before.serverId}`, {
      method: 'DELETE',
      headers: { authorization: 'token local-dev-key' },
    });
    expect(stopped.status).toBeLessThan(300);
    const after = await waitForHook(
      tracked,
      `h.state === 'playing' && h.serverId !== ${JSON.stringify(before.serverId)} && h.snapshots > 0`,
      120_000,
    );
    expect(after.stages).toContain('reconnecting');
    expect(after.lastError).toBeNull();
    expect((await hook(tracked)).names).toContain('Tess');
    await tracked.close();
  });
});

/** Close the page's game socket with 3000: for both ends a drop, not a goodbye. */
async function dropGameSocket(page: Page): Promise<void> {
  await page.evaluate(() => {
    const sockets = (window as unknown as { __sockets: WebSocket[] }).__sockets;
    sockets
      .filter((s) => s.url.endsWith('/ws'))
      .at(-1)
      ?.close(3000, 'network gone');
  });
}

async function openTracked(name: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 900, height: 720 } });
  await trackSockets(page);
  page.on('pageerror', (error) => console.error(`[page] ${error.message}`));
  await loadPage(page, `${stack.url}?name=${name}&transport=websocket`);
  await page.click('#connect');
  return page;
}
