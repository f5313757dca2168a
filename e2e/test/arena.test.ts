/**
 * The arena in headless Chromium against the real local stack (nats-server, edgegap-local,
 * matchmaker, sidecar + server-template processes): connect, see each other, leave, idle stop,
 * WebSocket-only, refused tokens. Screenshots go to e2e/artifacts/.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { mintConnectToken, parsePrivateKey, readPublicToken } from '@playgap/protocol/token';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinAndStay, requestReply, standInFront, useTokenOnce } from './front-tools.js';
import {
  ARTIFACTS,
  ensureClientBuilt,
  hook,
  launchChromium,
  openAndConnect,
  pageTraffic,
  ROOT,
  type Stack,
  startLocalStack,
  waitForHook,
} from './harness.js';

const IDLE_TIMEOUT_MS = 4_000;
// Long enough for a new server to come up on a busy machine (12 s gave SERVER_NEVER_READY at
// load 16); the idle-stop test waits past it.
const DEPLOYMENT_DEADLINE_MS = 25_000;
// The stack's key and protocol id, known here so a test can mint an already expired token
// instead of waiting for a real one to expire (tokens keep their production lifetime: a page
// on a busy machine can take seconds to load before it presents one).
const PRIVATE_KEY = '5a'.repeat(32);
const PROTOCOL_ID = '4242';
let stack: Stack;
let browser: Browser;
const timings: Record<string, number | string | null> = {};

// One file, run in order: each stack is a nats-server, edgegap-local, matchmaker and game
// server processes, and the machine is small.
beforeAll(async () => {
  ensureClientBuilt();
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  writeFileSync(join(ARTIFACTS, 'timings.json'), `${JSON.stringify(timings, null, 2)}\n`);
  await browser?.close();
}, 60_000);

/** Screenshot every new connect state until the page plays or fails. */
async function captureStages(page: Page, prefix: string): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < 1200; i++) {
    const { state } = await hook(page);
    if (!seen.includes(state)) {
      seen.push(state);
      await page.screenshot({ path: join(ARTIFACTS, `${prefix}-${seen.length}-${state}.png`) });
    }
    if (state === 'playing' || state === 'error') break;
    await page.waitForTimeout(25);
  }
  return seen;
}

async function deploymentGone(requestId: string): Promise<boolean> {
  const response = await fetch(`${stack.edgegapUrl}/v1/status/${requestId}`, {
    headers: { authorization: 'token local-dev-key' },
  });
  if (response.status === 404 || response.status === 410) return true;
  const body = (await response.json()) as { current_status?: string };
  return body.current_status !== 'Status.READY' && body.current_status !== 'Status.DEPLOYING';
}

describe('arena in the browser', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    // deploymentDeadlineMs: the matchmaker (96be4eb) keeps a deployment record joinable until
    // its deadline even after that server stopped; a short deadline lets the restart test start
    // a new server instead of waiting on the terminated one.
    // reconnectGraceMs: a closed page's seat is held this long for a reconnect (reconnect.test.ts
    // covers that); short here, so the page-close and idle-stop tests do not wait 20 s for it.
    stack = await startLocalStack({
      idleTimeoutMs: IDLE_TIMEOUT_MS,
      reconnectGraceMs: 3_000,
      deploymentDeadlineMs: DEPLOYMENT_DEADLINE_MS,
      env: { ...process.env, PLAYGAP_PRIVATE_KEY: PRIVATE_KEY, PLAYGAP_PROTOCOL_ID: PROTOCOL_ID },
    });
  }, 120_000);
  afterAll(() => stack?.close(), 60_000);

  let ada: Page;
  let bob: Page;
  let firstServer: string | null = null;
  let firstDeployAt = 0;

  it('two pages connect and each sees the other ship move', async () => {
    firstDeployAt = Date.now();
    ada = await openAndConnect(browser, stack.url, 'name=Ada');
    await captureStages(ada, 'stages-cold');
    const adaState = await waitForHook(ada, "h.state === 'playing' && h.snapshots > 0", 60_000);
    timings.coldClickToFirstSnapshotMs = adaState.firstSnapshotMs;
    expect(adaState.lastError).toBeNull();
    // A cold start: the matchmaker had to start a server.
    expect(adaState.stages).toEqual(
      expect.arrayContaining(['matchmaking', 'deploying', 'connecting', 'playing']),
    );
    firstServer = adaState.serverId;

    bob = await openAndConnect(browser, stack.url, 'name=Bob');
    const bobState = await waitForHook(bob, "h.state === 'playing' && h.snapshots > 0", 30_000);
    timings.warmClickToFirstSnapshotMs = bobState.firstSnapshotMs;
    expect(bobState.serverId).toBe(firstServer);
    timings.transport = adaState.transport;
    await waitForHook(ada, "h.names.includes('Bob') && h.names.includes('Ada')");
    await waitForHook(bob, "h.names.includes('Bob') && h.names.includes('Ada')");

    const before = (await hook(bob)).positions.find((p) => p.name === 'Ada');
    expect(before).toBeDefined();
    await ada.bringToFront();
    await ada.keyboard.down(before && before.x > 400 ? 'ArrowLeft' : 'ArrowRight');
    const moved = `Math.abs(h.positions.find((p) => p.name === 'Ada').x - ${before?.x}) > 60`;
    await waitForHook(bob, moved, 10_000);
    await ada.keyboard.up('ArrowLeft');
    await ada.keyboard.up('ArrowRight');

    const bobBefore = (await hook(ada)).positions.find((p) => p.name === 'Bob');
    expect(bobBefore).toBeDefined();
    await bob.bringToFront();
    await bob.keyboard.down(bobBefore && bobBefore.y > 300 ? 'ArrowUp' : 'ArrowDown');
    const bobMoved = `Math.abs(h.positions.find((p) => p.name === 'Bob').y - ${bobBefore?.y}) > 60`;
    await waitForHook(ada, bobMoved, 10_000);
    await bob.keyboard.up('ArrowUp');
    await bob.keyboard.up('ArrowDown');
    await ada.screenshot({ path: join(ARTIFACTS, 'two-ships-ada.png') });
    await bob.screenshot({ path: join(ARTIFACTS, 'two-ships-bob.png') });
    console.log(
      `e2e: transport ${adaState.transport}; click→first snapshot cold ${timings.coldClickToFirstSnapshotMs} ms, warm ${timings.warmClickToFirstSnapshotMs} ms`,
    );
  });

  it('a player who closes the page vanishes for the other', async () => {
    await bob.close();
    await waitForHook(ada, "h.ships === 1 && !h.names.includes('Bob')", 20_000);
  });

  it('a WebSocket-only page still plays, and its status names the ship as the server labels it', async () => {
    // No ?name: the page picks one, and the server's label and the status line must agree.
    const page = await openAndConnect(browser, stack.url, 'transport=websocket');
    const state = await waitForHook(
      page,
      "h.state === 'playing' && h.snapshots > 2 && h.positions.some((p) => p.id === h.clientId && p.name)",
      30_000,
    );
    expect(state.transport).toBe('websocket');
    const label = state.positions.find((p) => p.id === state.clientId)?.name;
    expect(label).toBe(state.playerName);
    expect(await page.textContent('#status')).toBe(`Playing (websocket) as ${label}`);
    await page.close();
  });

  /**
   * Join with one player (so the server does not stop for being idle), get a second reply,
   * spoil it with `spoil`, hand it to the page through a stand-in front, and expect the
   * refusal `reason` shown with `text`.
   */
  async function expectRefusal(
    spoil: (reply: Awaited<ReturnType<typeof requestReply>>) => Promise<void>,
    reason: string,
    text: string,
    screenshot: string,
  ): Promise<void> {
    const request = { game: stack.app, version: stack.version, transports: ['websocket'] };
    const leave = await joinAndStay(await requestReply(stack.url, request));
    const reply = await requestReply(stack.url, request);
    await spoil(reply);
    const front = await standInFront(reply);
    try {
      const page = await openAndConnect(
        browser,
        stack.url,
        `transport=websocket&matchmaker=${encodeURIComponent(front.url)}`,
      );
      const state = await waitForHook(page, "h.state === 'error'", 20_000);
      expect(state.lastError?.code).toBe('TOKEN_REFUSED');
      expect(state.lastError?.reason).toBe(reason);
      expect(await page.isVisible('#error')).toBe(true);
      expect(await page.textContent('#error')).toContain(text);
      await page.screenshot({ path: join(ARTIFACTS, screenshot) });
      await page.close();
    } finally {
      await front.close();
      await leave();
    }
  }

  it('refuses a replayed token with a visible message', async () => {
    await expectRefusal(useTokenOnce, 'TOKEN_REPLAYED', 'already used', 'token-replayed.png');
  });

  it('refuses an expired token with a visible message', async () => {
    // Take the seat with the real token, then hand the page the same player's token minted two
    // minutes ago for the same server: long expired, otherwise valid.
    const expire = async (reply: Awaited<ReturnType<typeof requestReply>>) => {
      await useTokenOnce(reply);
      const minted = mintConnectToken({
        protocolId: BigInt(PROTOCOL_ID),
        privateKey: parsePrivateKey(PRIVATE_KEY),
        clientId: BigInt(reply.clientId),
        serverAddresses: readPublicToken(reply.token).serverAddresses,
        now: () => Date.now() - 120_000,
      });
      reply.token = minted.base64;
    };
    await expectRefusal(expire, 'TOKEN_EXPIRED', 'expired', 'token-expired.png');
  });

  it('the server stops once empty and the next Connect starts a new one', async () => {
    await ada.close();
    expect(firstServer).toBeTruthy();
    const deadline = Date.now() + IDLE_TIMEOUT_MS + 30_000;
    while (!(await deploymentGone(firstServer as string))) {
      if (Date.now() > deadline) throw new Error(`server ${firstServer} still running`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // Past the first deployment's deadline, so the matchmaker no longer offers its record.
    const pastDeadline = firstDeployAt + DEPLOYMENT_DEADLINE_MS + 1_000 - Date.now();
    if (pastDeadline > 0) await new Promise((resolve) => setTimeout(resolve, pastDeadline));
    const page = await openAndConnect(browser, stack.url, 'name=Again');
    await captureStages(page, 'stages-restart');
    const state = await waitForHook(page, "h.state === 'playing' && h.snapshots > 0", 60_000);
    expect(state.serverId).not.toBe(firstServer);
    expect(state.stages).toContain('deploying');
    timings.coldAfterIdleClickToFirstSnapshotMs = state.firstSnapshotMs;
    await page.close();
  });

  // After the idle-stop test: this page's reservation is never used and would keep its server
  // up until the token expires.
  it('tells a page that asks for WebTransport why it cannot have it here (no HTTP/3)', async () => {
    const page = await openAndConnect(browser, stack.url, 'transport=webtransport');
    const state = await waitForHook(page, "h.state === 'error'", 30_000);
    expect(state.lastError?.message).toContain(
      'This page allows webtransport, but the game server offers webrtc, websocket',
    );
    await page.close();
  });

  it('never puts a connect token in a URL or a console line', () => {
    expect(pageTraffic.urls.length).toBeGreaterThan(0);
    // A token's base64 starts with its version info, "NETCODE 1.02".
    const leaks = [...pageTraffic.urls, ...pageTraffic.console].filter((text) =>
      /[?&]token=|TkVUQ09ERSAxLjAy/.test(text),
    );
    expect(leaks).toEqual([]);
  });
});

describe('WebRTC behind a port mapping', { timeout: 120_000 }, () => {
  let mapped: Stack;
  beforeAll(async () => {
    mapped = await startLocalStack({ portMode: 'mapped', idleTimeoutMs: 5_000 });
  }, 120_000);
  afterAll(() => mapped?.close(), 60_000);

  // edgegap-local in `mapped` mode gives every port an external number different from the
  // internal one and relays it, as Edgegap does: a WebRTC-only page can only play if the server
  // announces the external UDP port in its ICE candidates.
  it('a WebRTC-only page plays when external ports differ from internal ones', async () => {
    const page = await openAndConnect(browser, mapped.url, 'transport=webrtc&name=Mapped');
    const state = await waitForHook(
      page,
      "(h.state === 'playing' && h.snapshots > 2) || h.state === 'error'",
      60_000,
    );
    expect(state.lastError).toBeNull();
    expect(state.transport).toBe('webrtc');
    await page.screenshot({ path: join(ARTIFACTS, 'webrtc-mapped.png') });
    await page.close();
  });
});

describe('npm start (scripts/start.mjs)', { timeout: 120_000 }, () => {
  // Ctrl-C must stop everything, game servers included: after SIGINT the game server's port
  // no longer answers and nothing the script started is left.
  it('prints its URL, serves the page and leaves no process behind on SIGINT', async () => {
    const child = spawn(
      process.execPath,
      [join(ROOT, 'scripts/start.mjs'), '--no-build', '--port', '0', '--idle-timeout-ms', '60000'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    try {
      let out = '';
      child.stderr.on('data', (chunk) => {
        out += chunk;
      });
      const ready = await new Promise<{ url: string; natsUrl: string }>((resolve, reject) => {
        child.stdout.on('data', (chunk) => {
          out += chunk;
          const line = /PLAYGAP_READY (.*)/.exec(out);
          if (line?.[1]) resolve(JSON.parse(line[1]));
        });
        child.once('exit', () => reject(new Error(`start.mjs exited early:\n${out}`)));
      });
      expect((await fetch(ready.url)).status).toBe(200);
      const reply = await requestReply(ready.url, {
        game: 'arena',
        version: '1.0.0',
        transports: ['websocket'],
      });
      const gamePort = reply.transports.find((t) => t.kind === 'websocket')?.port;
      expect(await accepts(gamePort as number)).toBe(true);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(await accepts(gamePort as number)).toBe(false);
      expect(await accepts(Number(new URL(ready.natsUrl).port))).toBe(false);
    } finally {
      // Stop it the way a user does, so it stops what it started; SIGKILL only as a last resort.
      if (child.exitCode === null) {
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }
    }
  });
});

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
