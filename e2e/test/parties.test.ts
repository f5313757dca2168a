/**
 * Parties by code in headless Chromium against the real local stack with the template's
 * matchmaking config (quick play, free-for-all, 2v2): Ada creates a 2v2 party, Bob opens its
 * "Copy party link", Ada queues, her page shows the queue state, two solo pages queue 2v2 too,
 * and all four play on one server with the party on one team. Screenshots go to e2e/artifacts/.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ARTIFACTS,
  ensureClientBuilt,
  hook,
  launchChromium,
  loadPage,
  type Stack,
  startLocalStack,
  waitForHook,
} from './harness.js';

let stack: Stack;
let browser: Browser;
const pages: Page[] = [];

beforeAll(async () => {
  ensureClientBuilt();
  browser = await launchChromium();
  stack = await startLocalStack({ idleTimeoutMs: 5_000, deploymentDeadlineMs: 25_000 });
}, 120_000);

afterAll(async () => {
  for (const page of pages) await page.close().catch(() => {});
  await browser?.close();
  await stack?.close();
}, 60_000);

async function open(url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 900, height: 720 } });
  pages.push(page);
  page.on('pageerror', (error) => console.error(`[page ${url}] ${error.message}`));
  await loadPage(page, url);
  return page;
}

interface PartyHook {
  partyByCode: { code: string; leader: boolean; state: string; members: string[] } | null;
  partyLink: string | null;
  status: string;
  ticket: { mode: string; expansion: number; waitedSeconds: number; matchId?: string } | null;
}
const partyHook = (page: Page) =>
  page.evaluate(() => JSON.parse(JSON.stringify(window.__playgap)) as unknown as PartyHook);

describe('parties by code in the template', { timeout: 180_000 }, () => {
  it('two pages form a party by code, queue 2v2 with two solo pages, and all four play on one server, the party on one team', async () => {
    const ada = await open(`${stack.url}?transport=websocket&name=Ada`);
    await ada.selectOption('#mode', '2v2');
    await ada.click('#party-create');
    await waitForHook(ada, 'h.partyByCode !== null');
    const { partyLink, partyByCode } = await partyHook(ada);
    expect(partyByCode).toMatchObject({ leader: true, state: 'open', members: ['Ada'] });
    expect(partyLink).toContain(`partyCode=${partyByCode?.code}`);
    expect(partyLink).toContain('mode=2v2');

    // Bob opens the shared link: he joins at once.
    const bob = await open(`${partyLink}&transport=websocket&name=Bob`);
    await waitForHook(bob, 'h.partyByCode !== null && h.partyByCode.members.length === 2');
    await waitForHook(ada, 'h.partyByCode.members.length === 2');
    expect(await bob.textContent('#connect')).toBe('Waiting for the leader');
    expect(await ada.textContent('#party-roster')).toContain('Bob');
    await ada.screenshot({ path: join(ARTIFACTS, 'party-1-formed.png') });

    await ada.click('#connect'); // "Queue"
    const searching = await waitForHook(
      ada,
      "h.state === 'searching' && h.ticket !== null",
      60_000,
    );
    expect(searching.stages).toContain('searching');
    const queued = await partyHook(ada);
    expect(queued.ticket?.mode).toBe('2v2');
    expect(queued.status).toMatch(/^Looking for players for 2v2… \d+ s/);
    expect(await ada.textContent('#status')).toBe(queued.status);
    expect(await ada.textContent('#connect')).toBe('Cancel queue');
    await waitForHook(bob, "h.state === 'searching'", 60_000);
    await ada.screenshot({ path: join(ARTIFACTS, 'party-2-searching.png') });

    const solos = [];
    for (const name of ['Cara', 'Dan']) {
      const page = await open(`${stack.url}?transport=websocket&name=${name}&mode=2v2`);
      await page.click('#connect');
      solos.push(page);
    }
    const everyone = [ada, bob, ...solos];
    const states = [];
    for (const page of everyone) {
      states.push(await waitForHook(page, "h.state === 'playing' || h.state === 'error'", 120_000));
    }
    expect(states.map((s) => s.state)).toEqual(['playing', 'playing', 'playing', 'playing']);
    expect(new Set(states.map((s) => s.serverId)).size).toBe(1);
    // Match found, then the server starting (the first match of the stack needs a new one).
    expect(states[0]?.stages).toEqual(expect.arrayContaining(['searching', 'match_found']));
    expect((await partyHook(ada)).ticket?.matchId).toBeTruthy();

    // Every ship is labelled with its team (server-template reads it from the token).
    const seen = await waitForHook(ada, 'h.ships === 4', 60_000);
    await ada.screenshot({ path: join(ARTIFACTS, 'party-3-playing.png') });
    const teamOf = (name: string) =>
      seen.names.find((n) => n.startsWith(`${name} (`))?.slice(name.length + 2, -1);
    expect(teamOf('Ada')).toMatch(/^team-[12]$/);
    expect(teamOf('Bob')).toBe(teamOf('Ada'));
    expect(teamOf('Cara')).toBe(teamOf('Dan'));
    expect(teamOf('Cara')).not.toBe(teamOf('Ada'));
    expect((await hook(bob)).names).toHaveLength(4);
  });
});
