/**
 * Fixed-rate tick loop with a drift-free schedule: tick n is due at start + n·period. When a
 * tick runs late by more than a whole period, the missed ticks are counted (not replayed: the
 * simulation steps by the real elapsed fixed steps, capped) so a bench can see it fall behind.
 */

export interface TickStats {
  ticks: number;
  /** Ticks skipped because the loop fell more than one period behind. */
  missed: number;
  /** Durations (ms) of the recent ticks' work, newest last (bounded). */
  durationsMs: number[];
}

export interface TickLoopOptions {
  hz: number;
  onTick: (tick: number, dtMs: number) => void;
  /** High-resolution clock in ms. Default performance.now. */
  now?: () => number;
  /** Keep this many recent durations. Default 2000. */
  keepDurations?: number;
}

/**
 * Start ticking; returns stats and a stop function.
 *
 * @example
 * const loop = startTickLoop({ hz: 20, onTick: (tick, dt) => arena.step(dt) });
 * loop.stop();
 */
export function startTickLoop(options: TickLoopOptions): { stats: TickStats; stop(): void } {
  const now = options.now ?? (() => performance.now());
  const periodMs = 1000 / options.hz;
  const keep = options.keepDurations ?? 2000;
  const stats: TickStats = { ticks: 0, missed: 0, durationsMs: [] };
  const start = now();
  let tick = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const run = () => {
    if (stopped) return;
    const t0 = now();
    const due = Math.floor((t0 - start) / periodMs);
    if (due > tick + 1) {
      stats.missed += due - tick - 1;
      tick = due - 1;
    }
    tick++;
    options.onTick(tick, periodMs);
    const took = now() - t0;
    stats.ticks++;
    stats.durationsMs.push(took);
    if (stats.durationsMs.length > keep) stats.durationsMs.shift();
    const next = start + (tick + 1) * periodMs;
    timer = setTimeout(run, Math.max(0, next - now()));
  };
  timer = setTimeout(run, periodMs);
  return {
    stats,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** p-th percentile (0..100) of `values`; 0 for none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)] ?? 0;
}
