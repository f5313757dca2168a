/**
 * Remembers the nonces of consumed connect tokens until the tokens expire, so a token cannot be
 * used twice while it is valid (netcode's "connect token already used" rule).
 */

/**
 * Nonce memory with expiry.
 *
 * @example
 * const guard = new ReplayGuard(); guard.claim('ab12', expiresAtMs, now); // true once, then false
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();
  private nextSweepAt = 0;

  /** Claim `nonce` until `expiresAtMs`; false when it is already claimed and not expired. */
  claim(nonce: string, expiresAtMs: number, nowMs: number): boolean {
    this.sweep(nowMs);
    const until = this.seen.get(nonce);
    if (until !== undefined && until > nowMs) return false;
    this.seen.set(nonce, expiresAtMs);
    return true;
  }

  /** Give a claim back (the consume failed for another reason, so the token stays usable). */
  release(nonce: string): void {
    this.seen.delete(nonce);
  }

  get size(): number {
    return this.seen.size;
  }

  private sweep(nowMs: number): void {
    if (nowMs < this.nextSweepAt) return;
    this.nextSweepAt = nowMs + 1_000;
    for (const [nonce, until] of this.seen) if (until <= nowMs) this.seen.delete(nonce);
  }
}
