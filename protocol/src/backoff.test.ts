import { describe, expect, it } from 'vitest';
import { Backoff, BackoffOptionsError, backoffCeilingMs, backoffDelayMs } from './backoff.js';

const base = { initialDelayMs: 250, maxDelayMs: 4_000 };

describe('backoff', () => {
  it('doubles the ceiling per attempt up to the max, and stays there', () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 50, 5_000].map((a) => backoffCeilingMs(a, base));
    expect(ceilings).toEqual([250, 500, 1_000, 2_000, 4_000, 4_000, 4_000, 4_000]);
    expect(backoffCeilingMs(3, { ...base, factor: 3 })).toBe(2_250);
  });

  it('waits the ceiling exactly with no jitter, and never more than it with any', () => {
    const none = { ...base, jitter: 0, random: () => 0.999 };
    expect([1, 2, 3].map((a) => backoffDelayMs(a, none))).toEqual([250, 500, 1_000]);
    for (const r of [0, 0.5, 0.999_999]) {
      for (const attempt of [1, 2, 3, 4, 5, 9]) {
        const delay = backoffDelayMs(attempt, { ...base, random: () => r });
        expect(delay).toBeLessThanOrEqual(backoffCeilingMs(attempt, base));
      }
    }
  });

  it('draws the default jitter from the upper half of the ceiling, full jitter from all of it', () => {
    expect(backoffDelayMs(3, { ...base, random: () => 0 })).toBe(500);
    expect(backoffDelayMs(3, { ...base, random: () => 0.5 })).toBe(750);
    expect(backoffDelayMs(3, { ...base, random: () => 0.999_999 })).toBe(999);
    expect(backoffDelayMs(3, { ...base, jitter: 1, random: () => 0 })).toBe(0);
    expect(backoffDelayMs(3, { ...base, jitter: 1, random: () => 0.25 })).toBe(250);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelayMs(5, base);
      expect(delay).toBeGreaterThanOrEqual(2_000);
      expect(delay).toBeLessThanOrEqual(4_000);
      seen.add(delay);
    }
    expect(seen.size).toBeGreaterThan(1); // Math.random by default: not one fixed delay
  });

  it('counts attempts in a Backoff and starts over from the first delay on reset', () => {
    const backoff = new Backoff({ ...base, jitter: 0 });
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([250, 500, 1_000]);
    expect(backoff.attempt).toBe(3);
    backoff.reset();
    expect(backoff.attempt).toBe(0);
    expect(backoff.next()).toBe(250);
    for (let i = 0; i < 20; i++) backoff.next();
    expect(backoff.next()).toBe(4_000);
  });

  it('refuses options that describe no backoff with BackoffOptionsError naming the option', () => {
    const bad: Array<[string, object]> = [
      ['initialDelayMs', { initialDelayMs: 0 }],
      ['initialDelayMs', { initialDelayMs: Number.NaN }],
      ['maxDelayMs', { maxDelayMs: 100 }],
      ['maxDelayMs', { maxDelayMs: Number.POSITIVE_INFINITY }],
      ['factor', { factor: 0.5 }],
      ['jitter', { jitter: 1.5 }],
      ['jitter', { jitter: -0.1 }],
      ['jitter', { jitter: Number.NaN }],
    ];
    for (const [option, override] of bad) {
      const error = (() => {
        try {
          new Backoff({ ...base, ...override });
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(BackoffOptionsError);
      expect(error).toMatchObject({
        option,
        message: expect.stringMatching(`^backoff ${option} `),
      });
    }
    for (const attempt of [0, -1, 1.5]) {
      expect(() => backoffDelayMs(attempt, base)).toThrow(BackoffOptionsError);
    }
  });
});
