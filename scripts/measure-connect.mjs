#!/usr/bin/env node
// Measures the time from a Connect click to the first snapshot in headless Chromium against
// the local stack: on a cold server (the click starts one) and on a warm one (already running),
// per transport. Run after a build: `node scripts/measure-connect.mjs [--rounds 3]`.
// cold and warmDefault use the default order (WebTransport, WebRTC, WebSocket): in Chromium
// against a server without HTTP/3 the WebTransport attempt fails and WebRTC wins.
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { startStack } from './lib/stack.mjs';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const rounds = Number(values.rounds);
const IDLE_TIMEOUT_MS = 1_500;
const DEPLOYMENT_DEADLINE_MS = 8_000;

const stack = await startStack({
  port: 0,
  idleTimeoutMs: IDLE_TIMEOUT_MS,
  deploymentDeadlineMs: DEPLOYMENT_DEADLINE_MS,
  log: () => {},
});
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});

async function connect(query) {
  const page = await browser.newPage();
  await page.goto(`${stack.url}?${query}`);
  await page.waitForFunction('window.__playgap !== undefined');
  await page.click('#connect');
  await page.waitForFunction(
    "window.__playgap.firstSnapshotMs !== null || window.__playgap.state === 'error'",
    null,
    { timeout: 60_000, polling: 20 },
  );
  const hook = await page.evaluate(() => window.__playgap);
  if (hook.state === 'error') throw new Error(JSON.stringify(hook.lastError));
  return { page, ms: hook.firstSnapshotMs, serverId: hook.serverId, transport: hook.transport };
}

async function serverGone(id) {
  for (;;) {
    const res = await fetch(`${stack.edgegapUrl}/v1/status/${id}`, {
      headers: { authorization: 'token local-dev-key' },
    });
    const body = await res.json().catch(() => ({}));
    if (res.status >= 400 || body.current_status === 'Status.TERMINATED') return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const samples = { cold: [], warmDefault: [], warmWebrtc: [], warmWebsocket: [] };
try {
  for (let round = 0; round < rounds; round++) {
    const startedAt = Date.now();
    const first = await connect('name=cold');
    samples.cold.push(first.ms);
    const auto = await connect('name=warm-default');
    samples.warmDefault.push(auto.ms);
    const rtc = await connect('name=warm-rtc&transport=webrtc');
    samples.warmWebrtc.push(rtc.ms);
    const ws = await connect('name=warm-ws&transport=websocket');
    samples.warmWebsocket.push(ws.ms);
    for (const { page } of [first, auto, rtc, ws]) await page.close();
    await serverGone(first.serverId);
    // The matchmaker keeps a started deployment joinable until its deadline (see the report).
    const wait = startedAt + DEPLOYMENT_DEADLINE_MS + 500 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
} finally {
  await browser.close();
  await stack.close();
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [name, xs] of Object.entries(samples)) {
  console.log(`${name.padEnd(14)} median ${median(xs)} ms  samples ${xs.join(', ')}`);
}
