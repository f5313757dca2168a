/**
 * The Connect button in headless Chromium against a stand-in stack (stand-in-stack.ts): keys
 * while flying, calm Cancel and Disconnect, a banner that moves nothing, the name in the status
 * line, the favicon, one stage entry per stage, and the visible retry when the server turns out
 * to be stopping.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureClientBuilt, hook, launchChromium, loadPage, waitForHook } from './harness.js';
import { type StandInStack, startStandInStack } from './stand-in-stack.js';

let browser: Browser;
let stack: StandInStack;
const pages: Page[] = [];

beforeAll(async () => {
  ensureClientBuilt();
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
}, 60_000);

beforeEach(async () => {
  stack = await startStandInStack();
});

afterEach(async () => {
  for (const page of pages.splice(0)) await page.close();
  await stack.close();
});

async function openPage(query = ''): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 900, height: 720 } });
  pages.push(page);
  page.on('pageerror', (error) => console.error(`[page] ${error.message}`));
  await loadPage(page, `${stack.url}?transport=websocket${query}`);
  return page;
}

/** The front keeps the player waiting on a server that is "starting", never answering. */
function frontThatDeploysForever(s: StandInStack): void {
  s.front = (socket) => {
    let elapsedMs = 0;
    const tick = setInterval(() => {
      elapsedMs += 100;
      socket.send(
        JSON.stringify({ type: 'progress', stage: 'deploying', elapsedMs, message: 'Starting' }),
      );
    }, 100);
    socket.on('close', () => clearInterval(tick));
  };
}

const errorShown = (page: Page) => page.isVisible('#error');
const status = (page: Page) => page.textContent('#status');

describe('the Connect button', { timeout: 60_000 }, () => {
  it('does not disconnect on Space or Enter while playing', async () => {
    const page = await openPage('&name=Ada');
    await page.click('#connect');
    await waitForHook(page, "h.state === 'playing'");
    await page.keyboard.press('Space');
    await page.keyboard.press('Enter');
    // A key the game uses after them: once its input arrives, the two were handled too.
    await page.keyboard.down('ArrowRight');
    const deadline = Date.now() + 10_000;
    while (!stack.gameMessages.some((m) => (m as { x?: number }).x === 1)) {
      if ((await hook(page)).state !== 'playing' || Date.now() > deadline) break;
      await page.waitForTimeout(25);
    }
    await page.keyboard.up('ArrowRight');
    expect((await hook(page)).state).toBe('playing');
    expect(await page.textContent('#connect')).toBe('Disconnect');
    // Still the first connection (a Space that disconnected and an Enter that connected again
    // would also end up playing).
    expect(stack.playRequests).toHaveLength(1);
  });

  it('shows a Disconnect as calm status, not as an error', async () => {
    const page = await openPage('&name=Ada');
    await page.click('#connect');
    await waitForHook(page, "h.state === 'playing'");
    await page.click('#connect');
    const state = await waitForHook(page, "h.state === 'closed'");
    expect(state.lastError).toBeNull();
    expect(await errorShown(page)).toBe(false);
    expect(await status(page)).toBe('Disconnected.');
  });

  it('shows a Cancel as calm status, not as an error', async () => {
    frontThatDeploysForever(stack);
    const page = await openPage();
    await page.click('#connect');
    await waitForHook(page, "h.state === 'deploying'");
    await page.click('#connect');
    const state = await waitForHook(page, "h.state === 'idle'");
    expect(state.lastError).toBeNull();
    expect(await errorShown(page)).toBe(false);
    expect(await status(page)).toBe('Cancelled.');
    expect(await page.textContent('#connect')).toBe('Connect');
  });

  it('connects on a double click instead of cancelling', async () => {
    const page = await openPage();
    await page.dblclick('#connect');
    const state = await waitForHook(page, "h.state === 'playing' || h.state === 'error'");
    expect(state.state).toBe('playing');
    expect(await errorShown(page)).toBe(false);
  });

  it('shows an error banner without moving the arena', async () => {
    stack.game = () => ({ close: 4001, code: 'TOKEN_EXPIRED', message: 'expired' });
    const page = await openPage();
    const canvas = page.locator('#game canvas');
    await canvas.waitFor();
    const before = await canvas.boundingBox();
    await page.click('#connect');
    await waitForHook(page, "h.state === 'error'");
    expect(await errorShown(page)).toBe(true);
    expect(await canvas.boundingBox()).toEqual(before);
  });

  it('names the player in the status line as the ship is labelled, with or without ?name', async () => {
    const page = await openPage();
    await page.click('#connect');
    const state = await waitForHook(page, "h.state === 'playing' && h.names.length > 0");
    expect(state.playerName).toMatch(/^Pilot \d{3}$/);
    expect(stack.playRequests[0]?.name).toBe(state.playerName);
    expect(state.names).toEqual([state.playerName]);
    expect(await status(page)).toBe(`Playing (websocket) as ${state.playerName}`);
  });

  it('loads without a 404 and ships a favicon', async () => {
    const page = await openPage();
    await page.locator('#game canvas').waitFor();
    const icon = await page.getAttribute('link[rel="icon"]', 'href');
    expect(icon).toBeTruthy();
    const response = await page.request.get(new URL(icon as string, stack.url).toString());
    expect(response.status()).toBe(200);
    expect(stack.requests.filter((r) => r.status === 404)).toEqual([]);
  });

  it('records each stage once, however many progress messages repeat it', async () => {
    stack.front = (socket, _request, index) => {
      for (let i = 1; i <= 5; i++) {
        const progress = { type: 'progress', stage: 'deploying', elapsedMs: i * 1000, message: '' };
        socket.send(JSON.stringify(progress));
      }
      socket.send(JSON.stringify(stack.replyFor(index)));
    };
    const page = await openPage();
    await page.click('#connect');
    const state = await waitForHook(page, "h.state === 'playing'");
    expect(state.stages).toEqual(['matchmaking', 'deploying', 'connecting', 'playing']);
  });

  it('finds another server, visibly, when the first one is stopping', async () => {
    stack.game = (n) =>
      n === 0
        ? { close: 4003, code: 'SERVER_DRAINING', message: 'The server is stopping.' }
        : 'welcome';
    const page = await openPage();
    await page.click('#connect');
    const state = await waitForHook(page, "h.state === 'playing' || h.state === 'error'");
    expect(state.lastError).toBeNull();
    expect(state.serverId).toBe('server-1');
    expect(stack.playRequests).toHaveLength(2);
    expect(state.stages).toEqual([
      'matchmaking',
      'connecting',
      'retrying',
      'matchmaking',
      'connecting',
      'playing',
    ]);
  });
});
