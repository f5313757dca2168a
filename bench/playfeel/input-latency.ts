/**
 * Input-to-screen latency of the arena in headless Chromium against the real local stack
 * (`npm start`'s stack on free ports): keydown → the first animation frame that draws your ship
 * moved (the page's own probe, client-template/src/game/input-latency.ts), locally and through
 * the simulated bad link. Prints p50/p99/max per link, with the reconciliation counts and ping.
 *
 *   npx tsc -b && npx tsx bench/playfeel/input-latency.ts [--presses 40] [--hz 20]
 *
 * Build first (`npx tsc -b`: the stack runs server-template/dist); the client is rebuilt when
 * its sources are newer than client-template/dist.
 */
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import {
  ensureClientBuilt,
  launchChromium,
  loadPage,
  startLocalStack,
  waitForHook,
} from '../../e2e/test/harness.js';

const { values } = parseArgs({
  options: {
    presses: { type: 'string', default: '40' },
    link: { type: 'string', multiple: true },
  },
});
const presses = Number(values.presses);
const LINKS: Record<string, string> = {
  local: '',
  '150ms-2%': 'simRttMs=150&simJitterMs=20&simLossPct=2',
};
const chosen = values.link?.length ? values.link : Object.keys(LINKS);

interface Feel {
  inputToScreenMs: number[];
  corrections: { count: number; nonZero: number; maxError: number; snapped: number };
  pingMs: number | null;
  transport: string | null;
  clientId: string | null;
  positions: { id: string; x: number; y: number }[];
}

const feel = (page: Page) =>
  page.evaluate(() => JSON.parse(JSON.stringify(window.__playgap)) as unknown as Feel);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0
  );
}

async function measure(page: Page): Promise<number[]> {
  for (let i = 0; i < presses; i++) {
    const state = await feel(page);
    const own = state.positions.find((p) => p.id === state.clientId);
    // Fly away from the nearer wall on a random axis, so the ship can always move.
    const horizontal = i % 2 === 0;
    const key = horizontal
      ? (own?.x ?? 0) > 400
        ? 'ArrowLeft'
        : 'ArrowRight'
      : (own?.y ?? 0) > 300
        ? 'ArrowUp'
        : 'ArrowDown';
    const before = state.inputToScreenMs.length;
    await page.keyboard.down(key);
    await waitForHook(page, `h.inputToScreenMs.length > ${before}`, 10_000);
    await page.waitForTimeout(120);
    await page.keyboard.up(key);
    await page.waitForTimeout(150 + Math.random() * 100); // keydowns land at random tick phases
  }
  return (await feel(page)).inputToScreenMs;
}

ensureClientBuilt();
const stack = await startLocalStack({});
const browser = await launchChromium();
try {
  const rows: string[] = [];
  for (const name of chosen) {
    const query = LINKS[name];
    if (query === undefined)
      throw new Error(`--link ${name}: one of ${Object.keys(LINKS).join(', ')}`);
    const page = await browser.newPage({ viewport: { width: 900, height: 720 } });
    await loadPage(page, `${stack.url}?name=Bench&${query}`);
    await page.click('#connect');
    await waitForHook(
      page,
      "h.state === 'playing' && h.corrections.count > 5 && h.pingMs !== null",
      90_000,
    );
    await page.bringToFront();
    const samples = await measure(page);
    const state = await feel(page);
    const c = state.corrections;
    rows.push(
      `${name.padEnd(9)} ${state.transport?.padEnd(12)} n=${samples.length} p50 ${percentile(samples, 50).toFixed(1)} ms  p99 ${percentile(samples, 99).toFixed(1)} ms  max ${Math.max(...samples).toFixed(1)} ms  | ping ${state.pingMs} ms | corrections ${c.nonZero}/${c.count} non-zero, max ${c.maxError.toFixed(1)} units, ${c.snapped} snapped`,
    );
    await page.close();
  }
  console.log('link      transport    input-to-screen (keydown → first frame showing the move)');
  for (const row of rows) console.log(row);
} finally {
  await browser.close();
  await stack.close();
}
