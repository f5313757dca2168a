import { describe, expect, it } from 'vitest';
import { ReplayGuard } from './replay-guard.js';

describe('ReplayGuard', () => {
  it('lets a nonce be claimed once until it expires, then again', () => {
    const guard = new ReplayGuard();
    expect(guard.claim('n1', 2_000, 1_000)).toBe(true);
    expect(guard.claim('n1', 2_000, 1_500)).toBe(false);
    expect(guard.claim('n1', 9_000, 2_000)).toBe(true);
  });

  it('forgets expired nonces so memory stays bounded', () => {
    const guard = new ReplayGuard();
    for (let i = 0; i < 100; i++) guard.claim(`n${i}`, 1_500, 1_000);
    guard.claim('late', 10_000, 5_000);
    expect(guard.size).toBe(1);
  });

  it('makes a released claim usable again', () => {
    const guard = new ReplayGuard();
    guard.claim('n', 2_000, 1_000);
    guard.release('n');
    expect(guard.claim('n', 2_000, 1_000)).toBe(true);
  });
});
