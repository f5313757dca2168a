/**
 * Time for the sidecar: every timeout and interval goes through an injected Clock, so tests
 * drive time by hand instead of sleeping.
 */

/** A cancellable timer handle. */
export interface TimerHandle {
  cancel(): void;
}

/**
 * Wall time (Unix ms) plus timers.
 *
 * @example
 * const t = systemClock.setTimeout(() => console.log('late'), 1000); t.cancel();
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
}

/**
 * The real clock (Date.now + unref'd node timers, so a pending timer never keeps a process alive).
 *
 * @example
 * const startedAt = systemClock.now();
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    // Node caps timers at 2^31-1 ms; longer delays are re-armed in steps.
    const max = 2_147_483_647;
    let timer: NodeJS.Timeout;
    const arm = (remaining: number) => {
      timer = setTimeout(
        () => (remaining > max ? arm(remaining - max) : fn()),
        Math.min(Math.max(0, remaining), max),
      );
      timer.unref();
    };
    arm(ms);
    return { cancel: () => clearTimeout(timer) };
  },
};

/**
 * A clock tests move by hand: `advance(ms)` runs every timer that falls due, in order.
 *
 * @example
 * const clock = new ManualClock(1_000); clock.setTimeout(fn, 50); clock.advance(50); // fn ran
 */
export class ManualClock implements Clock {
  private current: number;
  private timers: { at: number; seq: number; fn: () => void; live: boolean }[] = [];
  private seq = 0;
  constructor(startMs = 1_700_000_000_000) {
    this.current = startMs;
  }
  now(): number {
    return this.current;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { at: this.current + Math.max(0, ms), seq: this.seq++, fn, live: true };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.live = false;
      },
    };
  }
  /** Move time forward, firing due timers (including ones they schedule) in time order. */
  advance(ms: number): void {
    const end = this.current + ms;
    for (;;) {
      const due = this.timers
        .filter((t) => t.live && t.at <= end)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      due.live = false;
      this.current = Math.max(this.current, due.at);
      due.fn();
    }
    this.timers = this.timers.filter((t) => t.live);
    this.current = end;
  }
}
