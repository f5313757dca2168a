import { describe, expect, it } from 'vitest';
import { type Clock, SlidingWindowLimiter } from './rate-limit.js';

/** A manual clock: sleep resolves when the test advances time past its deadline. */
function fakeClock(): Clock & { advance(ms: number): Promise<void> } {
  let now = 0;
  let sleepers: { until: number; resolve: () => void }[] = [];
  return {
    now: () => now,
    sleep: (ms) => new Promise((resolve) => sleepers.push({ until: now + ms, resolve })),
    async advance(ms) {
      now += ms;
      const due = sleepers.filter((s) => s.until <= now);
      sleepers = sleepers.filter((s) => s.until > now);
      for (const s of due) s.resolve();
      await new Promise((r) => setImmediate(r));
    },
  };
}

describe('SlidingWindowLimiter', () => {
  it('lets perSecond calls start at once and holds the next until the window slides', async () => {
    const clock = fakeClock();
    const limiter = new SlidingWindowLimiter(3, clock);
    const started: number[] = [];
    const all = Array.from({ length: 7 }, () =>
      limiter.acquire().then(() => started.push(clock.now())),
    );
    await clock.advance(0);
    for (let i = 0; i < 30 && started.length < 7; i++) await clock.advance(100);
    await Promise.all(all);
    expect(started.slice(0, 3)).toEqual([0, 0, 0]);
    for (const t of started) {
      expect(started.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(3);
    }
    expect(started[3]).toBeGreaterThanOrEqual(1000);
    expect(started[6]).toBeGreaterThanOrEqual(2000);
  });

  it('counts a slot from when the request was really sent', async () => {
    const clock = fakeClock();
    const limiter = new SlidingWindowLimiter(1, clock);
    const sent = await limiter.acquire();
    await clock.advance(300); // slow to send: the slot starts at 300, not 0
    sent();
    let granted = false;
    const next = limiter.acquire().then(() => {
      granted = true;
    });
    await clock.advance(1000); // t = 1300: still inside 300 + 1000 (+ safety)
    expect(granted).toBe(false);
    for (let i = 0; i < 10 && !granted; i++) await clock.advance(10);
    await next;
    expect(clock.now()).toBeGreaterThanOrEqual(1300);
    expect(clock.now()).toBeLessThan(1500);
  });

  it('rejects a waiting call when its signal aborts, without blocking the next', async () => {
    const clock = fakeClock();
    const limiter = new SlidingWindowLimiter(1, clock);
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort(new Error('stop'));
    // The fake sleep ignores the signal; the limiter checks it when it wakes.
    await clock.advance(1001);
    await expect(waiting).rejects.toThrow('stop');
    const next = limiter.acquire();
    await clock.advance(1001);
    await expect(next).resolves.toBeTypeOf('function');
  });
});
