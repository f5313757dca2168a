import { describe, expect, it } from 'vitest';
import type { FleetCache } from '../fleet-cache.js';
import { DashboardState, RECENT_ERRORS, SERIES_POINTS, SERIES_STEP_MS } from './dashboard-state.js';

/** An empty fleet: the series and errors do not need one. */
const fleet = {
  onChange: () => () => {},
  liveServers: () => [],
  seats: () => [],
  occupiedSeats: () => 0,
} as unknown as FleetCache;

function state(clock: { now: number }): DashboardState {
  return new DashboardState({
    app: 'arena',
    versions: ['1.0.0'],
    instanceId: 'test',
    fleet,
    seatStaleMs: 60_000,
    now: () => clock.now,
  });
}

describe('DashboardState', () => {
  it('keeps five minutes of placements per step with p50 and p99, empty steps included', () => {
    const clock = { now: 1_000_000 * SERIES_STEP_MS };
    const s = state(clock);
    for (let ms = 1; ms <= 100; ms++) s.recordPlacement('ok', ms);
    s.recordPlacement('NO_CAPACITY', 500, 'full');
    clock.now += 2 * SERIES_STEP_MS;
    s.recordPlacement('ok', 7);
    const { series, totals } = s.snapshot();
    expect(series).toHaveLength(SERIES_POINTS);
    expect(series.at(-1)).toMatchObject({ placements: 1, errors: 0, p50Ms: 7, p99Ms: 7 });
    expect(series.at(-2)).toMatchObject({ placements: 0, errors: 0, p50Ms: null });
    expect(series.at(-3)).toMatchObject({ placements: 100, errors: 1, p50Ms: 51, p99Ms: 100 });
    expect(totals).toEqual({ placements: 101, errors: 1 });
    clock.now += SERIES_POINTS * SERIES_STEP_MS;
    expect(s.snapshot().series.every((p) => p.placements === 0)).toBe(true);
    expect(s.snapshot().totals).toEqual({ placements: 101, errors: 1 });
  });

  it('keeps the most recent errors first, a bounded number of them', () => {
    const clock = { now: 5_000 };
    const s = state(clock);
    for (let i = 0; i < RECENT_ERRORS + 5; i++) {
      clock.now++;
      s.recordPlacement('PLACEMENT_TIMEOUT', 10, `try ${i}`);
    }
    const { errors } = s.snapshot();
    expect(errors).toHaveLength(RECENT_ERRORS);
    expect(errors[0]).toEqual({
      at: clock.now,
      code: 'PLACEMENT_TIMEOUT',
      message: `try ${RECENT_ERRORS + 4}`,
    });
  });

  it('tells its listeners about each placement', () => {
    const s = state({ now: 0 });
    let calls = 0;
    const off = s.onChange(() => calls++);
    s.recordPlacement('ok', 1);
    off();
    s.recordPlacement('ok', 1);
    expect(calls).toBe(1);
  });
});
