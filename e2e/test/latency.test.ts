/**
 * Latency in headless Chromium against the real local stack with three edgegap-local regions,
 * each with its own ping endpoint and an artificial delay: the page fetches the region list,
 * pings every region, sends the round trips with its play request, and the new server starts in
 * the region its pings favoured (not the first one, where the player's IP alone would put it).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureClientBuilt,
  launchChromium,
  loadPage,
  type Stack,
  startLocalStack,
  waitForHook,
} from './harness.js';

const LOCATIONS = [
  {
    city: 'Montreal',
    country: 'Canada',
    continent: 'North America',
    latitude: 45.51,
    longitude: -73.56,
    ping_delay_ms: 250,
  },
  {
    city: 'Frankfurt',
    country: 'Germany',
    continent: 'Europe',
    latitude: 50.11,
    longitude: 8.68,
    ping_delay_ms: 0,
  },
  {
    city: 'Tokyo',
    country: 'Japan',
    continent: 'Asia',
    latitude: 35.68,
    longitude: 139.65,
    ping_delay_ms: 500,
  },
];

let stack: Stack;
let browser: Browser;
let page: Page | undefined;

beforeAll(async () => {
  ensureClientBuilt();
  browser = await launchChromium();
  stack = await startLocalStack({ locations: LOCATIONS, idleTimeoutMs: 5_000 });
}, 120_000);

afterAll(async () => {
  await page?.close();
  await browser?.close();
  await stack?.close();
}, 60_000);

describe('latency from the browser', { timeout: 120_000 }, () => {
  it('measures every region, sends the latencies, and the server starts in the fastest region', async () => {
    const sent: string[] = [];
    const pinged: string[] = [];
    page = await browser.newPage();
    page.on('pageerror', (error) => console.error(`[page] ${error.message}`));
    page.on('websocket', (socket) => {
      if (socket.url().includes('/matchmaker/ws')) {
        socket.on('framesent', (frame) => sent.push(String(frame.payload)));
      }
    });
    page.on('request', (request) => {
      if (request.url().endsWith('/ping')) pinged.push(request.url());
    });
    await loadPage(page, `${stack.url}?transport=websocket&latency=1&name=Lat`);
    await page.click('#connect');
    const state = await waitForHook(page, "h.state === 'playing' || h.state === 'error'", 90_000);
    expect(state.lastError).toBeNull();
    expect(state.state).toBe('playing');
    expect(state.stages[0]).toBe('measuring_latency');

    const { regions } = (await (await fetch(`${stack.url}matchmaker/regions`)).json()) as {
      regions: Array<{ id: string; pingUrl: string }>;
    };
    expect(regions.map((r) => r.id)).toEqual(['montreal', 'frankfurt', 'tokyo']);
    // Every region's own endpoint was pinged from the page: a warm-up and three counted rounds.
    for (const region of regions) {
      expect(pinged.filter((url) => url === region.pingUrl)).toHaveLength(4);
    }

    const request = JSON.parse(sent[0] as string) as { latencies: Record<string, number> };
    const { montreal, frankfurt, tokyo } = request.latencies;
    // Delays are lower bounds whatever the machine's load; Frankfurt answers at once.
    expect(montreal).toBeGreaterThanOrEqual(240);
    expect(tokyo).toBeGreaterThanOrEqual(490);
    expect(frankfurt).toBeLessThan(montreal as number);

    const status = (await (
      await fetch(`${stack.edgegapUrl}/v1/status/${state.serverId}`, {
        headers: { authorization: 'token local-dev-key' },
      })
    ).json()) as { location: { city: string } };
    expect(status.location.city).toBe('Frankfurt');
  });
});
