/**
 * @playgap/protocol/clock — the one injectable clock of playgap's Node services (sidecar,
 * edgegap-local): wall time plus cancellable timers, so every timeout and interval is driven
 * by hand in tests instead of slept through. Node only (node timers).
 */

/** A cancellable timer handle; cancelling twice or after it fired is harmless. */
export interface TimerHandle {
  cancel(): void;
}

/**
 * Wall time (Unix ms) plus timers.
 *
 * @example
 * const timer = clock.setTimeout(() => console.log('late'), 1000);
 * timer.cancel();
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
}

/** Node caps a timer at 2^31-1 ms (and fires a longer one at once); longer delays re-arm. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The real clock: Date.now and node timers. With `unref`, a pending timer never keeps the
 * process alive (a sidecar's timers must not hold it open); without, timers are ordinary.
 *
 * @example
 * const clock = createSystemClock({ unref: false });
 */
export function createSystemClock(options: { unref: boolean }): Clock {
  return {
    now: () => Date.now(),
    setTimeout(fn, ms) {
      let timer: NodeJS.Timeout;
      const arm = (remaining: number) => {
        timer = setTimeout(
          () => (remaining > MAX_TIMER_MS ? arm(remaining - MAX_TIMER_MS) : fn()),
          Math.min(Math.max(0, remaining), MAX_TIMER_MS),
        );
        if (options.unref) timer.unref();
      };
      arm(ms);
      return { cancel: () => clearTimeout(timer) };
    },
  };
}

/**
 * The real clock with unref'd timers.
 *
 * @example
 * const startedAt = systemClock.now();
 */
export const systemClock: Clock = createSystemClock({ unref: true });

/**
 * Resolve after `ms` on `clock` (a manual clock resolves when it is advanced that far).
 *
 * @example
 * await sleepOn(clock, 250);
 */
export function sleepOn(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => {
    clock.setTimeout(resolve, ms);
  });
}

/**
 * A clock tests move by hand: `advance(ms)` runs every timer that falls due, in time order,
 * including timers those timers schedule. Nothing fires unless advanced.
 *
 * @example
 * const clock = new ManualClock(1_000);
 * clock.setTimeout(fn, 50);
 * clock.advance(50); // fn ran
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

  /** Timers scheduled and not yet fired or cancelled. */
  pending(): number {
    return this.timers.filter((t) => t.live).length;
  }

  /** Move time forward by `ms`, firing due timers (and ones they schedule) in time order. */
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
