/**
 * Round-trip time on the game channel: a ping carries the page's clock, the server echoes it in
 * a pong, and the difference is the ping the overlay shows (smoothed, so it reads steadily).
 */
import type { PingMessage } from './messages.js';

/**
 * Times pings and their pongs.
 *
 * @example
 * const meter = new PingMeter(1000);
 * const ping = meter.due(performance.now()); // a message to send, once a second
 * meter.pong(echoed, performance.now());      // on {"type":"pong","t":echoed}
 * meter.rttMs;                                 // smoothed round trip
 */
export class PingMeter {
  #lastSentAt = Number.NEGATIVE_INFINITY;
  #rtt: number | undefined;
  #last: number | undefined;

  /** `intervalMs` between pings; `smoothing` is the weight of each new sample (0–1). */
  constructor(
    private readonly intervalMs = 1_000,
    private readonly smoothing = 0.25,
  ) {}

  /** A ping to send now, or undefined when the last one went out less than intervalMs ago. */
  due(now: number): PingMessage | undefined {
    if (now - this.#lastSentAt < this.intervalMs) return undefined;
    this.#lastSentAt = now;
    return { type: 'ping', t: now };
  }

  /** Take a pong echoing `t` at `now`; returns that sample's round trip (ms). */
  pong(t: number, now: number): number | undefined {
    const sample = now - t;
    if (!(sample >= 0) || sample > 60_000) return undefined;
    this.#last = sample;
    this.#rtt =
      this.#rtt === undefined ? sample : this.#rtt + (sample - this.#rtt) * this.smoothing;
    return sample;
  }

  /** Smoothed round trip, ms; undefined before the first pong. */
  get rttMs(): number | undefined {
    return this.#rtt;
  }

  /** The latest sample, ms. */
  get lastRttMs(): number | undefined {
    return this.#last;
  }
}
