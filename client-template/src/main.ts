/**
 * Page entry: the arena (src/game) and the playgap connect flow (src/net), wired together, with
 * the overlay and "Copy link" (src/hud) and, when the page asks, a simulated bad link.
 */

import { InputLatencyProbe } from './game/input-latency.js';
import { readSimLink, simulateLink } from './game/sim-link.js';
import { startArena } from './game/start-arena.js';
import { OVERLAY_KEY, overlayShownAtStart, PlayOverlay } from './hud/overlay.js';
import { setUpPartyBox } from './hud/party-box.js';
import { copyText, newPartyId, shareLink } from './hud/share-link.js';
import { setUpConnectFlow } from './net/connect-flow.js';
import { playerName, readPageOptions } from './net/query.js';
import { installTestHook } from './net/test-hook.js';

const hook = installTestHook();
const element = (id: string) => {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from index.html`);
  return found;
};

const page = readPageOptions(location.search);
// Every page plays in a party, so "Copy link" can bring a friend to the same server.
page.party ??= newPartyId();
hook.party = page.party;
const simulated = readSimLink(location.search);
hook.simulatedLink = simulated ?? null;

const overlay = new PlayOverlay(
  element('play-area'),
  overlayShownAtStart(location.search, import.meta.env.DEV),
);
const showOverlay = () => {
  hook.overlay = { visible: overlay.visible, text: overlay.text };
};
const simulatedText = simulated
  ? `${simulated.rttMs} ms RTT ± ${simulated.jitterMs}, ${simulated.lossPct} % loss`
  : undefined;
overlay.update(simulatedText ? { simulated: simulatedText } : {});
showOverlay();

const MOVE_KEYS = new Set([
  'ArrowUp',
  'ArrowDown',
  'ArrowLeft',
  'ArrowRight',
  'KeyW',
  'KeyA',
  'KeyS',
  'KeyD',
]);
const probe = new InputLatencyProbe();
let ownDrawn: { x: number; y: number } | undefined;
window.addEventListener('keydown', (event) => {
  if (event.code === OVERLAY_KEY) queueMicrotask(showOverlay);
  if (MOVE_KEYS.has(event.code) && !event.repeat) probe.keyDown(event.timeStamp, ownDrawn);
});
window.addEventListener('keyup', (event) => {
  if (MOVE_KEYS.has(event.code)) probe.keyUp();
});

/** performance.now() of the Connect click that led to the current connection. */
let clickedAt: number | undefined;
let lastPlayers = -1;
const arena = startArena(element('game'), {
  onShips: (ships) => {
    hook.ships = ships.length;
    hook.names = ships.map((ship) => ship.name);
    hook.positions = ships.map(({ id, name, x, y }) => ({ id, name, x, y }));
    ownDrawn = ships.find((ship) => ship.id === hook.clientId);
    const latency = probe.frame(performance.now(), ownDrawn);
    if (latency !== undefined) hook.inputToScreenMs.push(Math.round(latency * 10) / 10);
    if (ships.length !== lastPlayers) {
      lastPlayers = ships.length;
      overlay.update({ players: ships.length });
      showOverlay();
    }
  },
  onSnapshot: () => {
    hook.snapshots++;
    if (hook.firstSnapshotMs === null && clickedAt !== undefined) {
      hook.firstSnapshotMs = Math.round(performance.now() - clickedAt);
    }
  },
  onCorrection: ({ error, snapped }) => {
    const c = hook.corrections;
    c.count++;
    if (error > 0) c.nonZero++;
    if (snapped && error > 0) c.snapped++;
    c.maxError = Math.max(c.maxError, error);
  },
  onPing: (rttMs) => {
    hook.pingMs = Math.round(rttMs);
    overlay.update({ pingMs: rttMs });
    showOverlay();
  },
});

const copyButton = element('copy-link') as HTMLButtonElement;
copyButton.addEventListener('click', async () => {
  copyButton.blur();
  const link = hook.shareLink;
  if (!link) return;
  const copied = await copyText(link);
  hook.copiedLink = link;
  copyButton.textContent = copied ? 'Link copied' : 'Copy failed';
  copyButton.title = link;
  setTimeout(() => {
    copyButton.textContent = 'Copy link';
  }, 2_000);
});

const modePicker = element('mode') as HTMLSelectElement;
const flow = setUpConnectFlow({
  mode: () => modePicker.value,
  ui: {
    button: element('connect') as HTMLButtonElement,
    status: element('status'),
    error: element('error'),
  },
  page,
  hook,
  onConnected: (channel, clickTime) => {
    hook.snapshots = 0;
    hook.corrections = { count: 0, nonZero: 0, maxError: 0, snapped: 0 };
    hook.inputToScreenMs = [];
    clickedAt = clickTime;
    hook.shareLink = shareLink(location.href, page.party ?? '');
    copyButton.hidden = false;
    overlay.update({
      transport: channel.transport,
      serverId: channel.welcome.serverId,
    });
    showOverlay();
    const link = {
      selfId: channel.welcome.clientId,
      send: (message: Parameters<typeof channel.send>[0], reliable: boolean) =>
        channel.send(message, { reliable }),
      onMessage: (listener: (message: unknown) => void) => channel.on('message', listener),
    };
    const detach = arena.attach(simulated ? simulateLink(link, simulated, isUnreliable) : link);
    return () => {
      detach();
      copyButton.hidden = true;
      hook.pingMs = null;
      lastPlayers = -1;
      overlay.update(simulatedText ? { simulated: simulatedText } : {}, true);
      showOverlay();
    };
  },
});

setUpPartyBox({
  ui: {
    mode: modePicker,
    code: element('party-code') as HTMLInputElement,
    create: element('party-create') as HTMLButtonElement,
    join: element('party-join') as HTMLButtonElement,
    leave: element('party-leave') as HTMLButtonElement,
    copy: element('party-copy') as HTMLButtonElement,
    roster: element('party-roster'),
    error: element('error'),
  },
  page,
  hook,
  flow,
  name: hook.playerName ?? playerName(page),
});

/** The server sends snapshots and pongs unreliably, everything else reliably. */
function isUnreliable(message: unknown): boolean {
  const type = (message as { type?: unknown } | null)?.type;
  return type === 'snapshot' || type === 'pong';
}
