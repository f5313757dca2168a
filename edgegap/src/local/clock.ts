/**
 * Time for edgegap-local: deployment status steps, READY polling, max_duration, empty_ttl,
 * webhook timeouts, fault latency and every timestamp it reports go through one injected
 * clock (the shared one of @playgap/protocol/clock), so tests drive time by hand instead of
 * sleeping. Timers that guard real child processes (process-runner.ts) stay on real time on
 * purpose. The Local* names are edgegap's exports of the shared types.
 */
import { type Clock, createSystemClock, type TimerHandle } from '@playgap/protocol/clock';

export { ManualClock as ManualLocalClock, sleepOn } from '@playgap/protocol/clock';

/** A cancellable timer handle (the shared TimerHandle). */
export type LocalTimer = TimerHandle;

/** Wall time plus timers (the shared Clock). @example const t = clock.setTimeout(fn, 1000); */
export type LocalClock = Clock;

/**
 * The real clock. Timers stay ref'd, as edgegap-local's always were (a pending status step
 * keeps an un-listened app's process alive until it is closed).
 *
 * @example
 * await startEdgegapLocal({ clock: systemLocalClock }); // the default
 */
export const systemLocalClock: LocalClock = createSystemClock({ unref: false });
