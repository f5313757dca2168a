import { describe, expect, it } from 'vitest';
import { createSystemClock, ManualClock, sleepOn } from './index.js';

describe('ManualClock', () => {
  it('fires due timers in time order, including ones they schedule, and only when advanced', () => {
    const clock = new ManualClock(1_000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b@50'), 50);
    clock.setTimeout(() => {
      fired.push('a@20');
      clock.setTimeout(() => fired.push('c@40'), 20);
    }, 20);
    const cancelled = clock.setTimeout(() => fired.push('never'), 30);
    cancelled.cancel();
    expect(clock.pending()).toBe(2);
    clock.advance(19);
    expect(fired).toEqual([]);
    clock.advance(31);
    expect(fired).toEqual(['a@20', 'c@40', 'b@50']);
    expect(clock.now()).toBe(1_050);
    expect(clock.pending()).toBe(0);
  });

  it('resolves sleepOn when advanced that far', async () => {
    const clock = new ManualClock();
    let done = false;
    const slept = sleepOn(clock, 100).then(() => {
      done = true;
    });
    clock.advance(99);
    await Promise.resolve();
    expect(done).toBe(false);
    clock.advance(1);
    await slept;
    expect(done).toBe(true);
  });
});

describe('createSystemClock', () => {
  it('runs a timer on real time and lets it be cancelled', async () => {
    const clock = createSystemClock({ unref: false });
    let cancelledRan = false;
    clock
      .setTimeout(() => {
        cancelledRan = true;
      }, 0)
      .cancel();
    await sleepOn(clock, 5);
    expect(cancelledRan).toBe(false);
    expect(Math.abs(clock.now() - Date.now())).toBeLessThan(1_000);
  });
});
