/**
 * Shared pieces of the browser end-to-end tests: the real local stack (the same module
 * `npm start` uses), headless Debian Chromium, a built client, page helpers that wait on the
 * page's `window.__playgap` hook, and artifact paths.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
// @ts-expect-error plain ESM module without types
import { buildClient, isClientBuilt } from '../../scripts/lib/client-build.mjs';
// @ts-expect-error plain ESM module without types
import { ROOT, startStack } from '../../scripts/lib/stack.mjs';

export { ROOT };
export const ARTIFACTS = join(ROOT, 'e2e/artifacts');
// Emptied once per run by artifacts-setup.ts (the project's global setup).
mkdirSync(ARTIFACTS, { recursive: true });

export interface Stack {
  url: string;
  natsUrl: string;
  edgegapUrl: string;
  app: string;
  version: string;
  close(): Promise<void>;
}

export function startLocalStack(options: Record<string, unknown>): Promise<Stack> {
  return startStack({ port: 0, log: () => {}, ...options }) as Promise<Stack>;
}

/**
 * Build client-template/dist unless it already holds a build of the current sources. The e2e
 * global setup calls it once before any file starts: two files building at once would swap
 * dist/ under the other's pages.
 */
export function ensureClientBuilt(): void {
  if (isClientBuilt(ROOT)) return;
  if (buildClient(ROOT).status !== 0) throw new Error('vite build of client-template failed');
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      // Two tabs side by side must both keep running their game loop.
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
      '--disable-backgrounding-occluded-windows',
    ],
  });
}

export interface HookState {
  state: string;
  stages: string[];
  playerName: string | null;
  transport: string | null;
  serverId: string | null;
  clientId: string | null;
  ships: number;
  names: string[];
  positions: { id: string; name: string; x: number; y: number }[];
  snapshots: number;
  firstSnapshotMs: number | null;
  lastError: { code: string; reason?: string; message: string; text: string } | null;
}

export function hook(page: Page): Promise<HookState> {
  return page.evaluate(() => JSON.parse(JSON.stringify(window.__playgap)) as HookState);
}

declare global {
  interface Window {
    __playgap: HookState;
  }
}

/** Wait (bounded) until the page's hook satisfies `predicate` (a function run in the page). */
export async function waitForHook(
  page: Page,
  predicate: string,
  timeoutMs = 30_000,
): Promise<HookState> {
  await page.waitForFunction(
    `(() => { const h = window.__playgap; return h && (${predicate}); })()`,
    null,
    {
      timeout: timeoutMs,
      polling: 50,
    },
  );
  return hook(page);
}

/** Every URL any page opened with openAndConnect requested, and every console line it wrote. */
export const pageTraffic: { urls: string[]; console: string[] } = { urls: [], console: [] };

/** How long a page may take to load and start its script. */
const PAGE_LOAD_TIMEOUT_MS = 60_000;

/**
 * Open `url` and wait until the page's script runs, with bounds for a busy machine: the bundle
 * can take a while to load. Polled on an interval, not on animation frames, which a page in the
 * background may not get. Each transport attempt gets 30 s instead of the SDK's 10 s: a WebRTC
 * handshake through edgegap-local's relay on a busy machine can take longer (the tests check
 * what happens, not how fast).
 */
export async function loadPage(page: Page, url: string): Promise<void> {
  const withTimeout = url.includes('connectTimeoutMs=') ? url : `${url}&connectTimeoutMs=30000`;
  await page.goto(withTimeout, { timeout: PAGE_LOAD_TIMEOUT_MS });
  await page.waitForFunction('window.__playgap !== undefined', null, {
    timeout: PAGE_LOAD_TIMEOUT_MS,
    polling: 50,
  });
}

/** Open the arena with query params and click Connect. */
export async function openAndConnect(browser: Browser, url: string, query: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 900, height: 720 } });
  page.on('pageerror', (error) => console.error(`[page ${query}] ${error.message}`));
  page.on('request', (request) => pageTraffic.urls.push(request.url()));
  page.on('websocket', (socket) => pageTraffic.urls.push(socket.url()));
  page.on('console', (message) => pageTraffic.console.push(message.text()));
  await loadPage(page, `${url}?${query}`);
  await page.click('#connect');
  return page;
}
