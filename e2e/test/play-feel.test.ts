/**
 * Play feel in headless Chromium against the real local stack: the overlay (ping, transport,
 * server, players), "Copy link" putting a friend on the same server even when another server
 * is fuller, and the own ship's reconciliation under a simulated bad link (150 ms RTT ±20 ms,
 * 2 % loss each way) measured in world units. Screenshots go to e2e/artifacts/.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@playgap/testkit';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinAndStay, requestReply } from './front-tools.js';
import {
  ARTIFACTS,
  ensureClientBuilt,
  launchChromium,
  loadPage,
  type Stack,
  startLocalStack,
  waitForHook,
} from './harness.js';

/** The play-feel part of the page's hook (client-template/src/net/test-hook.ts). */
interface FeelState {
  state: string;
  serverId: string | null;
  clientId: string | null;
  transport: string | null;
  pingMs: number | null;
  shareLink: string | null;
  copiedLink: string | null;
  overlay: { visible: boolean; text: string };
  corrections: { count: number; nonZero: number; maxError: number; snapped: number };
  inputToScreenMs: number[];
  positions: { id: string; x: number; y: number }[];
}

const feel = (page: Page) =>
  page.evaluate(() => JSON.parse(JSON.stringify(window.__playgap)) as unknown as FeelState);

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
const results: Record<string, unknown> = {};

beforeAll(async () => {
  ensureClientBuilt();
  browser = await launchChromium();
  context = await browser.newContext({
    viewport: { width: 900, height: 720 },
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  // Three seats a server: three stand-in players fill the first one, so the page gets a second.
  stack = await startLocalStack({ capacity: 3 });
}, 180_000);

afterAll(async () => {
  writeFileSync(join(ARTIFACTS, 'play-feel.json'), `${JSON.stringify(results, null, 2)}\n`);
  await context?.close();
  await browser?.close();
  await stack?.close();
}, 60_000);

async function open(query: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[page ${query}] ${error.message}`));
  await loadPage(page, `${stack.url}?${query}`);
  return page;
}

async function openLink(link: string, extra: string): Promise<Page> {
  const page = await context.newPage();
  await loadPage(page, `${link}&${extra}`);
  return page;
}

describe('play feel in the browser', { timeout: 180_000 }, () => {
  let ada: Page;
  /** Stand-in players (WebSocket, no party) holding seats on the first server. */
  const fillers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const leave of fillers.splice(0)) await leave();
  });

  it('the overlay shows ping, transport, server id and player count', async () => {
    // Fill a first server with three players who are in no party.
    const request = { game: stack.app, version: stack.version, transports: ['websocket'] };
    for (let i = 0; i < 3; i++)
      fillers.push(await joinAndStay(await requestReply(stack.url, request)));

    ada = await open('name=Ada&overlay=1');
    await ada.click('#connect');
    const state = await waitForHook(
      ada,
      "h.state === 'playing' && h.pingMs !== null && h.snapshots > 2",
      90_000,
    );
    const overlay = (await feel(ada)).overlay;
    expect(overlay.visible).toBe(true);
    expect(overlay.text).toMatch(/ping\s+\d+ ms/);
    expect(overlay.text).toContain(`transport ${state.transport}`);
    expect(overlay.text).toContain(`server    ${state.serverId}`);
    expect(overlay.text).toMatch(/players\s+1/);
    await ada.screenshot({ path: join(ARTIFACTS, 'overlay.png') });
    // The backquote key hides it and shows it again.
    await ada.keyboard.press('Backquote');
    expect((await feel(ada)).overlay.visible).toBe(false);
    await ada.keyboard.press('Backquote');
    expect((await feel(ada)).overlay.visible).toBe(true);

    // Free one seat on the first server: it is now the fullest with room (2 of 3). The next
    // test needs the matchmaker to have seen that, so wait on its own view (the dashboard's).
    await fillers.pop()?.();
    await waitFor(
      async () => {
        const view = (await (await fetch(new URL('dashboard/state', stack.url))).json()) as {
          servers: { id: string; used: number }[];
        };
        return view.servers.some((s) => s.id !== state.serverId && s.used === 2);
      },
      { what: 'the matchmaker to see a seat freed on the first server', timeoutMs: 30_000 },
    );
  });

  it('"Copy link" puts a friend on the same server, not on the fuller one', async () => {
    const adaState = await feel(ada);
    // Without the link a player goes to the fullest server with room: the first one.
    const plain = await requestReply(stack.url, {
      game: stack.app,
      version: stack.version,
      transports: ['websocket'],
    });
    expect(plain.serverId).not.toBe(adaState.serverId);
    await (await joinAndStay(plain))();

    await ada.click('#copy-link');
    await waitForHook(ada, 'h.copiedLink !== null');
    const clipboard = await ada.evaluate(() => navigator.clipboard.readText());
    expect(clipboard).toBe(adaState.shareLink);
    expect(clipboard).toMatch(/\?party=p-[0-9a-z]{10}$/);

    const bob = await openLink(clipboard, 'name=Bob');
    await bob.click('#connect');
    const bobState = await waitForHook(bob, "h.state === 'playing' && h.snapshots > 2", 60_000);
    expect(bobState.serverId).toBe(adaState.serverId);
    await waitForHook(ada, "h.names.includes('Bob')");
    await waitForHook(ada, '/players\\s+2/.test(h.overlay.text)');
    await ada.screenshot({ path: join(ARTIFACTS, 'overlay-two-players.png') });
    await bob.close();
    for (const leave of fillers.splice(0)) await leave();
  });

  it('under 150 ms RTT, ±20 ms jitter and 2 % loss the own ship is not corrected (no rubber-banding)', async () => {
    const page = await open('name=Cy&overlay=1&simRttMs=150&simJitterMs=20&simLossPct=2');
    await page.click('#connect');
    await waitForHook(
      page,
      "h.state === 'playing' && h.corrections.count > 5 && h.pingMs !== null",
      90_000,
    );
    await page.bringToFront();
    // Fly a square, key by key, letting each key settle: every change is predicted at once
    // and must match what the server applies a round trip later.
    for (const key of [
      'ArrowDown',
      'ArrowRight',
      'ArrowUp',
      'ArrowLeft',
      'ArrowDown',
      'ArrowRight',
    ]) {
      await page.keyboard.down(key);
      await page.waitForTimeout(700);
      await page.keyboard.up(key);
      await page.waitForTimeout(200);
    }
    await waitForHook(page, 'h.corrections.count > 60', 30_000);
    const state = await feel(page);
    results.simulatedLink = {
      corrections: state.corrections,
      pingMs: state.pingMs,
      inputToScreenMs: state.inputToScreenMs,
    };
    console.log(`e2e play feel under the simulated link: ${JSON.stringify(results.simulatedLink)}`);
    expect(state.pingMs).toBeGreaterThanOrEqual(150);
    // World units, not time: the server applied what the page predicted.
    expect(state.corrections.snapped).toBe(0);
    expect(state.corrections.maxError).toBeLessThan(12);
    expect(state.inputToScreenMs.length).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTIFACTS, 'overlay-simulated-link.png') });
    await page.close();
  });
});
