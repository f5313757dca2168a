/**
 * A simulated bad link between the game and the server, in the page: every message each way
 * waits half the round trip plus a random jitter, and `lossPct` of them are lost. Messages the
 * game sends unreliably (inputs, snapshots, pings) are dropped and may overtake each other, as
 * on UDP; reliable ones (welcome, roster) are never dropped: a "lost" one arrives a round trip
 * later, as a retransmission would, and they stay in order. It sits on top of whatever transport
 * carries the game, so even a WebSocket page plays as over a lossy UDP link.
 * Page options: `?simRttMs=150&simJitterMs=20&simLossPct=2`.
 */
import type { GameLink } from './arena-scene.js';

export interface SimLinkOptions {
  /** Added round trip, ms (half each way). */
  rttMs: number;
  /** Extra random delay each way, 0 to this many ms. */
  jitterMs: number;
  /** Share of messages lost each way, percent. */
  lossPct: number;
}

/** Where the simulated link gets time, chance and timers (the page's by default). */
export interface SimLinkDeps {
  now(): number;
  random(): number;
  schedule(run: () => void, delayMs: number): void;
}

const BOUNDS = { rttMs: 2_000, jitterMs: 1_000, lossPct: 50 } as const;
const PARAMS = { rttMs: 'simRttMs', jitterMs: 'simJitterMs', lossPct: 'simLossPct' } as const;

/**
 * The simulated link a query string asks for; undefined when it asks for none. A value that is
 * not a number within bounds (RTT ≤ 2000 ms, jitter ≤ 1000 ms, loss ≤ 50 %) counts as 0.
 *
 * @example
 * readSimLink('?simRttMs=150&simLossPct=2'); // { rttMs: 150, jitterMs: 0, lossPct: 2 }
 */
export function readSimLink(search: string): SimLinkOptions | undefined {
  const params = new URLSearchParams(search);
  const options: SimLinkOptions = { rttMs: 0, jitterMs: 0, lossPct: 0 };
  for (const key of Object.keys(PARAMS) as (keyof SimLinkOptions)[]) {
    const raw = params.get(PARAMS[key]) ?? '';
    const value = /^[0-9]{1,4}(\.[0-9]{1,2})?$/.test(raw) ? Number(raw) : 0;
    options[key] = value <= BOUNDS[key] ? value : 0;
  }
  return options.rttMs || options.jitterMs || options.lossPct ? options : undefined;
}

const pageDeps: SimLinkDeps = {
  now: () => performance.now(),
  random: Math.random,
  schedule: (run, delayMs) => setTimeout(run, delayMs),
};

/**
 * Wrap `link` in the simulated link. `isUnreliable(message)` says which server messages are
 * sent unreliably (the link cannot see it: the game knows its own messages).
 *
 * @example
 * const bad = simulateLink(link, { rttMs: 150, jitterMs: 20, lossPct: 2 }, (m) => m.type === 'snapshot');
 */
export function simulateLink(
  link: GameLink,
  options: SimLinkOptions,
  isUnreliable: (message: unknown) => boolean,
  deps: SimLinkDeps = pageDeps,
): GameLink {
  const lost = () => deps.random() * 100 < options.lossPct;
  const oneWay = () => options.rttMs / 2 + deps.random() * options.jitterMs;
  /** Returns when to deliver (ms from now), or undefined when the message is lost. */
  const direction = () => {
    let lastReliableAt = 0;
    return (reliable: boolean): number | undefined => {
      const now = deps.now();
      if (!reliable) return lost() ? undefined : oneWay();
      const at = Math.max(now + oneWay() + (lost() ? options.rttMs : 0), lastReliableAt);
      lastReliableAt = at;
      return at - now;
    };
  };
  const up = direction();
  const down = direction();
  const listeners = new Set<(message: unknown) => void>();
  let unsubscribe: (() => void) | undefined;
  const deliver = (message: unknown) => {
    const delay = down(!isUnreliable(message));
    if (delay === undefined) return;
    deps.schedule(() => {
      for (const listener of listeners) listener(message);
    }, delay);
  };
  return {
    selfId: link.selfId,
    send(message, reliable) {
      const delay = up(reliable);
      if (delay !== undefined) deps.schedule(() => link.send(message, reliable), delay);
    },
    onMessage(listener) {
      listeners.add(listener);
      unsubscribe ??= link.onMessage(deliver);
      return () => {
        listeners.delete(listener);
        if (listeners.size > 0) return;
        unsubscribe?.();
        unsubscribe = undefined;
      };
    },
  };
}
