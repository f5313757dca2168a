/**
 * Time for the sidecar: every timeout and interval goes through an injected Clock (the shared
 * one of @playgap/protocol/clock, timers unref'd), so tests drive time by hand.
 */
export {
  type Clock,
  ManualClock,
  systemClock,
  type TimerHandle,
} from '@playgap/protocol/clock';
