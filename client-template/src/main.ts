/**
 * Page entry: the arena (src/game) and the playgap connect flow (src/net), wired together.
 */

import { startArena } from './game/start-arena.js';
import { setUpConnectFlow } from './net/connect-flow.js';
import { readPageOptions } from './net/query.js';
import { installTestHook } from './net/test-hook.js';

const hook = installTestHook();
const element = (id: string) => {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from index.html`);
  return found;
};

/** performance.now() of the Connect click that led to the current connection. */
let clickedAt: number | undefined;
const arena = startArena(element('game'), {
  onShips: (ships) => {
    hook.ships = ships.length;
    hook.names = ships.map((ship) => ship.name);
    hook.positions = ships.map(({ id, name, x, y }) => ({ id, name, x, y }));
  },
  onSnapshot: () => {
    hook.snapshots++;
    if (hook.firstSnapshotMs === null && clickedAt !== undefined) {
      hook.firstSnapshotMs = Math.round(performance.now() - clickedAt);
    }
  },
});

setUpConnectFlow({
  ui: {
    button: element('connect') as HTMLButtonElement,
    status: element('status'),
    error: element('error'),
  },
  page: readPageOptions(location.search),
  hook,
  onConnected: (channel, clickTime) => {
    hook.snapshots = 0;
    clickedAt = clickTime;
    return arena.attach({
      selfId: channel.welcome.clientId,
      send: (message, reliable) => channel.send(message, { reliable }),
      onMessage: (listener) => channel.on('message', listener),
    });
  },
});
