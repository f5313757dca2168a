/**
 * Latencies a browser measured to each region, as they travel with a play request, and the
 * region list the front serves for measuring them (`GET /matchmaker/regions`).
 */
import { ErrorCode, PlaygapError } from './error-codes.js';

/** Most regions a play request may carry latencies for. */
export const MAX_LATENCY_ENTRIES = 32;
/** Largest round trip accepted, ms; a region slower than that is better left out. */
export const MAX_LATENCY_MS = 10_000;
/** Region ids are safe in logs and keys: lower-case letters, digits, `.`, `_`, `-`. */
export const REGION_ID_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

/** Round-trip ms per region id, e.g. `{"montreal": 18, "frankfurt": 95}`. */
export type Latencies = Record<string, number>;

/** How a browser pings a region's `pingUrl`. */
export const PingMethod = {
  /** `fetch(pingUrl)` gets a real HTTP answer (CORS open): time to the answer. */
  HTTP: 'http',
  /**
   * The endpoint is a TCP port that does not speak HTTP (Edgegap's beacons): time until a
   * no-cors fetch to it fails, an estimate (connect plus one exchange, halved).
   */
  TCP: 'tcp',
} as const;
export type PingMethod = (typeof PingMethod)[keyof typeof PingMethod];

/** One region a browser can measure. */
export interface Region {
  /** Stable id used as the key of `latencies` (derived from the location's city). */
  id: string;
  pingUrl: string;
  ping: PingMethod;
  city?: string;
  country?: string;
  continent?: string;
  latitude?: number;
  longitude?: number;
}

/** `GET /matchmaker/regions` body. */
export interface RegionList {
  regions: Region[];
}

function fail(message: string): never {
  throw new PlaygapError(ErrorCode.LATENCIES_INVALID, message);
}

/**
 * Validate a play request's `latencies`: an object of at most {@link MAX_LATENCY_ENTRIES}
 * region ids (REGION_ID_PATTERN) to finite round trips from 0 to {@link MAX_LATENCY_MS} ms.
 * Throws LATENCIES_INVALID naming what is wrong.
 *
 * @example
 * parseLatencies({ montreal: 18.5, tokyo: 160 }); // { montreal: 18.5, tokyo: 160 }
 */
export function parseLatencies(value: unknown): Latencies {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('"latencies" must be an object of region id to round-trip milliseconds.');
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_LATENCY_ENTRIES) {
    fail(`"latencies" may name at most ${MAX_LATENCY_ENTRIES} regions (got ${entries.length}).`);
  }
  const out: Latencies = {};
  for (const [region, ms] of entries) {
    if (!REGION_ID_PATTERN.test(region)) {
      fail(
        `"latencies" has a bad region id ${JSON.stringify(region.slice(0, 40))}: use the ids of GET /matchmaker/regions.`,
      );
    }
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > MAX_LATENCY_MS) {
      fail(
        `"latencies.${region}" must be a number of milliseconds from 0 to ${MAX_LATENCY_MS} (leave a region out when it did not answer).`,
      );
    }
    out[region] = ms;
  }
  return out;
}

/**
 * The region with the lowest latency among `known` ones; undefined when none is measured.
 *
 * @example
 * fastestRegion({ montreal: 18, tokyo: 160 }); // 'montreal'
 */
export function fastestRegion(
  latencies: Latencies | undefined,
  known?: (id: string) => boolean,
): string | undefined {
  let best: string | undefined;
  let bestMs = Number.POSITIVE_INFINITY;
  for (const [region, ms] of Object.entries(latencies ?? {})) {
    if (known && !known(region)) continue;
    if (ms < bestMs || (ms === bestMs && best !== undefined && region < best)) {
      best = region;
      bestMs = ms;
    }
  }
  return best;
}
