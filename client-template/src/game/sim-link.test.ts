import { describe, expect, it } from 'vitest';
import type { GameLink } from './arena-scene.js';
import { readSimLink, simulateLink } from './sim-link.js';

function harness(random: () => number) {
  let now = 0;
  const timers: { at: number; run: () => void }[] = [];
  const sent: unknown[] = [];
  const listeners = new Set<(m: unknown) => void>();
  const raw: GameLink = {
    selfId: '1',
    send: (m) => sent.push(m),
    onMessage: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  const deps = {
    now: () => now,
    random,
    schedule: (run: () => void, ms: number) => timers.push({ at: now + ms, run }),
  };
  const advance = (ms: number) => {
    now += ms;
    timers.sort((a, b) => a.at - b.at);
    while (timers[0] && timers[0].at <= now) timers.shift()?.run();
  };
  const fromServer = (m: unknown) => {
    for (const l of listeners) l(m);
  };
  return { raw, deps, sent, advance, fromServer };
}

const isUnreliable = (m: unknown) => (m as { type: string }).type === 'snapshot';

describe('simulateLink', () => {
  it('delays each way by half the round trip plus jitter', () => {
    const h = harness(() => 0.5);
    const link = simulateLink(
      h.raw,
      { rttMs: 150, jitterMs: 20, lossPct: 0 },
      isUnreliable,
      h.deps,
    );
    const got: unknown[] = [];
    link.onMessage((m) => got.push(m));
    link.send({ type: 'input', seq: 1, x: 0, y: 0, moves: [4] }, false);
    h.fromServer({ type: 'snapshot' });
    h.advance(84);
    expect([h.sent.length, got.length]).toEqual([0, 0]);
    h.advance(1);
    expect([h.sent.length, got.length]).toEqual([1, 1]);
  });

  it('drops unreliable messages at the loss rate, delays reliable ones a round trip instead', () => {
    const h = harness(() => 0.01); // every draw is "lost" at 2 %
    const link = simulateLink(h.raw, { rttMs: 100, jitterMs: 0, lossPct: 2 }, isUnreliable, h.deps);
    const got: unknown[] = [];
    link.onMessage((m) => got.push(m));
    h.fromServer({ type: 'snapshot' });
    h.fromServer({ type: 'roster' });
    h.advance(149);
    expect(got).toEqual([]);
    h.advance(1);
    expect(got).toEqual([{ type: 'roster' }]);
  });

  it('keeps reliable messages in order whatever their delays; unreliable ones may overtake', () => {
    // Reliable 1 draws a long delay, reliable 2 a short one; the order holds anyway.
    const draws = [0.9, 0.5, 0.1, 0.5, 0.9, 0.5, 0.1, 0.5];
    const h = harness(() => draws.shift() ?? 0.5);
    const link = simulateLink(h.raw, { rttMs: 0, jitterMs: 100, lossPct: 1 }, isUnreliable, h.deps);
    const got: string[] = [];
    link.onMessage((m) =>
      got.push((m as { type: string; n: number }).type + (m as { n: number }).n),
    );
    h.fromServer({ type: 'roster', n: 1 });
    h.fromServer({ type: 'roster', n: 2 });
    h.fromServer({ type: 'snapshot', n: 1 });
    h.fromServer({ type: 'snapshot', n: 2 });
    h.advance(200);
    expect(got.filter((t) => t.startsWith('roster'))).toEqual(['roster1', 'roster2']);
  });
});

describe('readSimLink', () => {
  it('reads the three options and ignores bad values', () => {
    expect(readSimLink('?simRttMs=150&simJitterMs=20&simLossPct=2.5')).toEqual({
      rttMs: 150,
      jitterMs: 20,
      lossPct: 2.5,
    });
    expect(readSimLink('?simRttMs=150')).toEqual({ rttMs: 150, jitterMs: 0, lossPct: 0 });
    expect(readSimLink('')).toBeUndefined();
    expect(readSimLink('?simRttMs=-5&simLossPct=80&simJitterMs=1e3')).toBeUndefined();
  });
});
