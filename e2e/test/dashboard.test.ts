/**
 * The operator dashboard in headless Chromium against a real matchmaker (all-in-one, its
 * dashboard on) and a real nats-server, while players join and leave: the page follows the KV
 * watches live, with names, seats, a deployment starting and a placement error with its code.
 * Server and seat records are written the way sidecars write them. Screenshots go to
 * e2e/artifacts/dashboard-*.png.
 */
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { loadConfig, type RunningMatchmaker, startMatchmaker } from '@playgap/matchmaker';
import type { DeploymentRecord, SeatRecord, ServerRecord } from '@playgap/protocol';
import { openAppBuckets } from '@playgap/protocol/kv';
import { type RunningNatsServer, startNatsServer } from '@playgap/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launchChromium } from './harness.js';

const APP = 'arena';
const VERSION = '1.0.0';
const TOKEN = 'dashboard-test-token-0123456789';

let nats: RunningNatsServer;
let nc: NatsConnection;
let kv: Awaited<ReturnType<typeof openBuckets>>;
let mm: RunningMatchmaker;
let browser: Browser;

const openBuckets = (c: NatsConnection) =>
  openAppBuckets(c, APP, ['servers', 'seats', 'deployments']);

function server(id: string, capacity: number): ServerRecord {
  const now = Date.now();
  return {
    id,
    app: APP,
    version: VERSION,
    state: 'ready',
    publicIp: '127.0.0.1',
    ports: { game: { name: 'game', internal: 7000, external: 31000, protocol: 'TCP' } },
    transports: [{ kind: 'websocket', port: 'game', path: '/ws' }],
    certDigest: Array.from({ length: 32 }, () => 'AB').join(':'),
    location: { city: 'Montréal', country: 'Canada' },
    capacity,
    players: 0,
    startedAt: now - 90_000,
    updatedAt: now,
  };
}

async function place(name: string): Promise<{ serverId: string; clientId: string }> {
  const res = await fetch(`${mm.url}/matchmaker/wannaplay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ game: APP, version: VERSION, name }),
  });
  const body = (await res.json()) as { type: string; serverId: string; clientId: string };
  expect(body.type).toBe('ready');
  return body;
}

/** What the sidecar does when the player's token checks out: the seat becomes connected. */
async function connectSeat(serverId: string, clientId: string): Promise<string> {
  for await (const key of await kv.seats.keys(`${serverId}.*`)) {
    const entry = await kv.seats.get(key);
    const seat = entry?.operation === 'PUT' ? entry.json<SeatRecord>() : undefined;
    if (!entry || seat?.clientId !== clientId) continue;
    const now = Date.now();
    const connected: SeatRecord = { ...seat, state: 'connected', connectedAt: now, updatedAt: now };
    await kv.seats.update(key, JSON.stringify(connected), entry.revision);
    return key;
  }
  throw new Error(`no seat for client ${clientId}`);
}

async function waitForPage(page: Page, predicate: string, timeoutMs = 30_000): Promise<void> {
  await page.waitForFunction(
    `(() => { const d = window.__dashboard; const s = d && d.last; return !!s && (${predicate}); })()`,
    null,
    { timeout: timeoutMs, polling: 50 },
  );
}

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  kv = await openBuckets(nc);
  const config = loadConfig(['--all-in-one', '--listen', '127.0.0.1:0'], {
    PLAYGAP_APP: APP,
    PLAYGAP_VERSIONS: VERSION,
    PLAYGAP_PROTOCOL_ID: '7',
    PLAYGAP_PRIVATE_KEY: '22'.repeat(32),
    PLAYGAP_DASHBOARD_TOKEN: TOKEN,
    NATS_URL: nats.url,
  });
  mm = await startMatchmaker(config, {}, { listen: true });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await mm?.close();
  await nc?.close();
  await nats?.stop();
}, 60_000);

describe('the operator dashboard', { timeout: 90_000 }, () => {
  it('wants its token, and keeps it in a cookie instead of the address bar', async () => {
    expect((await fetch(`${mm.url}/dashboard`)).status).toBe(401);
    const refused = await fetch(`${mm.url}/dashboard/state?token=wrong-token-wrong-token`);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: 'DASHBOARD_TOKEN_REQUIRED' });
    const bearer = await fetch(`${mm.url}/dashboard/state`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(bearer.status).toBe(200);
    expect(await bearer.json()).toMatchObject({ app: APP, versions: [VERSION], servers: [] });
    const page = await browser.newPage();
    await page.goto(`${mm.url}/dashboard?token=${TOKEN}`);
    expect(page.url()).toBe(`${mm.url}/dashboard`);
    await waitForPage(page, 's.app === "arena"');
    await page.close();
  });

  it('follows players joining and leaving live, with names, seats and errors', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${mm.url}/dashboard?token=${TOKEN}`);
    await waitForPage(page, 's.servers.length === 0');
    expect(await page.textContent('#servers')).toContain('No servers yet');

    await kv.servers.put('srv-montreal-1', JSON.stringify(server('srv-montreal-1', 4)));
    await kv.servers.put('srv-montreal-2', JSON.stringify(server('srv-montreal-2', 8)));
    await waitForPage(page, 's.servers.length === 2');

    const ada = await place('Ada');
    const bob = await place('Bob');
    const grace = await place('Grace');
    const adaSeat = await connectSeat(ada.serverId, ada.clientId);
    await connectSeat(bob.serverId, bob.clientId);
    const now = Date.now();
    const starting: DeploymentRecord = {
      requestId: 'dep-0a1b2c3d',
      app: APP,
      version: VERSION,
      state: 'starting',
      capacity: 8,
      promised: 2,
      startedBy: 'test',
      startedAt: now - 4_000,
      deadlineAt: now + 60_000,
      updatedAt: now,
    };
    await kv.deployments.put(starting.requestId, JSON.stringify(starting));
    const wrong = await fetch(`${mm.url}/matchmaker/wannaplay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ game: APP, version: '9.9.9' }),
    });
    expect(wrong.status).toBeGreaterThanOrEqual(400);

    await waitForPage(
      page,
      "s.players.filter((p) => p.state === 'connected').length === 2 && s.players.length === 3 && s.deployments.length === 1 && s.errors.length === 1",
    );
    const players = await page.textContent('#players');
    for (const name of ['Ada', 'Bob', 'Grace']) expect(players).toContain(name);
    expect(await page.textContent('#c-players')).toBe('2');
    expect(await page.textContent('#c-reserved')).toBe('1 on their way');
    expect(await page.textContent('#servers')).toContain('3 / 4');
    expect(await page.textContent('#servers')).toContain('Montréal');
    expect(await page.textContent('#deployments')).toContain('dep-0a1b2c3d');
    expect(await page.textContent('#errors')).toContain('UNKNOWN_VERSION');
    expect(await page.textContent('#c-total')).toBe('3 placed since start');
    // The charts drew a line for the placements of this step.
    expect(await page.locator('#chart-rate path').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-players.png'), fullPage: true });
    expect(grace.serverId).toBe(ada.serverId);

    // Ada leaves: the sidecar deletes her seat; the page drops her without a reload.
    const before = await page.evaluate(() => window.__dashboard.updates);
    await kv.seats.delete(adaSeat);
    await waitForPage(page, "!s.players.some((p) => p.name === 'Ada')");
    expect(await page.evaluate(() => window.__dashboard.updates)).toBeGreaterThan(before);
    expect(await page.textContent('#players')).not.toContain('Ada');
    expect(await page.textContent('#c-players')).toBe('1');
    await kv.deployments.delete(starting.requestId);
    await waitForPage(page, 's.deployments.length === 0');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-after-leave.png'), fullPage: true });
    await page.close();
  });
});

declare global {
  interface Window {
    __dashboard: { updates: number; last: unknown };
  }
}
