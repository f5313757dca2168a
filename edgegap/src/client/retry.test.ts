import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './retry.js';

const opts = { baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.999 };

describe('backoffDelayMs', () => {
  it('doubles the jitter ceiling per attempt up to the cap', () => {
    expect(backoffDelayMs(1, null, opts)).toBe(99);
    expect(backoffDelayMs(2, null, opts)).toBe(199);
    expect(backoffDelayMs(3, null, opts)).toBe(399);
    expect(backoffDelayMs(10, null, opts)).toBe(999);
  });

  it('uses full jitter (random 0 gives 0)', () => {
    expect(backoffDelayMs(3, null, { ...opts, random: () => 0 })).toBe(0);
  });

  it('honours Retry-After seconds, capped, and ignores a malformed one', () => {
    expect(backoffDelayMs(1, '0.5', opts)).toBe(500);
    expect(backoffDelayMs(1, '120', opts)).toBe(1000);
    expect(backoffDelayMs(1, 'Wed, 21 Oct 2015 07:28:00 GMT', opts)).toBe(99);
  });
});
