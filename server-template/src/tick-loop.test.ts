import { describe, expect, it } from 'vitest';
import { percentile, startTickLoop } from './tick-loop.js';

describe('tick loop', () => {
  it('ticks with a fixed dt and counts ticks skipped when a tick overran', async () => {
    let fake = 0;
    const dts: number[] = [];
    let resolveDone: () => void = () => {};
    const done = new Promise<void>((r) => (resolveDone = r));
    const loop = startTickLoop({
      hz: 100,
      now: () => fake,
      onTick: (tick, dt) => {
        dts.push(dt);
        fake += tick === 2 ? 55 : 10; // tick 2 takes 5.5 periods of (fake) time
        if (tick >= 8) resolveDone();
      },
    });
    await done;
    loop.stop();
    expect(new Set(dts)).toEqual(new Set([10]));
    expect(loop.stats.missed).toBe(3); // ticks 3, 4 and 5 were due before tick 2 ended at t=65
    expect(Math.max(...loop.stats.durationsMs)).toBe(55);
  });

  it('percentile picks the nearest-rank value', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(v, 99)).toBe(99);
    expect(percentile(v, 50)).toBe(50);
    expect(percentile([], 99)).toBe(0);
  });
});
