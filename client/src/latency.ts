/**
 * Latency from the browser to each region: fetch the front's region list
 * (`GET /matchmaker/regions`), ping every region in parallel a few rounds, keep the median.
 * The first ping of each region only warms the connection up (DNS, TCP, TLS) and is not
 * counted. A region that does not answer is left out; no region can fail the measurement.
 */
import {
  ErrorCode,
  type Latencies,
  MAX_LATENCY_ENTRIES,
  MAX_LATENCY_MS,
  PingMethod,
  type Region,
  type RegionList,
} from '@playgap/protocol';
import { PlaygapClientError } from './errors.js';
import { cancelledError } from './step.js';

/** Measurement settings, every one with a default. */
export interface MeasureLatencyOptions {
  /**
   * Where the region list is: an http(s) URL, or the matchmaker's ws(s) URL (its
   * `/matchmaker/regions` is used). Default: this page's host.
   */
  matchmakerUrl?: string;
  /** Measure these regions instead of fetching the list. */
  regions?: readonly Region[];
  /** Counted pings per region (after the warm-up one); default 3. */
  rounds?: number;
  /** One ping's deadline, ms; a ping past it counts as no answer. Default 2000. */
  pingTimeoutMs?: number;
  /** Deadline of the region list fetch, ms; default 5000. */
  listTimeoutMs?: number;
  signal?: AbortSignal;
  /** Test seams: the fetch function and a millisecond clock (default performance.now). */
  fetchImpl?: typeof fetch;
  now?: () => number;
  /** The page's protocol (`https:` pages cannot ping `http:` URLs); default location.protocol. */
  pageProtocol?: string;
}

/** What `measureLatencies` found. */
export interface LatencyMeasurement {
  /** Median round trip per region that answered, ms (0.1 ms steps): send it as `latencies`. */
  latencies: Latencies;
  /** The regions that were measured. */
  regions: Region[];
  /** Region ids that did not answer (or that this page may not ping), with the reason. */
  failed: Record<string, string>;
}

/** Defaults of {@link MeasureLatencyOptions}. */
export const LATENCY_DEFAULTS = Object.freeze({
  rounds: 3,
  pingTimeoutMs: 2_000,
  listTimeoutMs: 5_000,
});

/**
 * The region list URL for a matchmaker URL (ws(s) or http(s), any path) or this page.
 *
 * @example
 * regionsUrlFor('ws://127.0.0.1:8080/matchmaker/ws'); // 'http://127.0.0.1:8080/matchmaker/regions'
 */
export function regionsUrlFor(
  matchmakerUrl: string | undefined,
  location: { protocol: string; host: string } | undefined = globalThis.location,
): string {
  const base = location ? `${location.protocol}//${location.host}` : undefined;
  if (matchmakerUrl === undefined && base === undefined) {
    throw new TypeError('matchmakerUrl is required outside a browser page.');
  }
  const url = new URL(matchmakerUrl ?? '/', base);
  if (url.protocol === 'ws:') url.protocol = 'http:';
  else if (url.protocol === 'wss:') url.protocol = 'https:';
  url.pathname = '/matchmaker/regions';
  url.search = '';
  return url.toString();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** A fetch bounded by `timeoutMs` and the caller's signal. */
async function boundedFetch(
  fetchImpl: typeof fetch,
  url: string,
  init: RequestInit,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<Response> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error(`no answer within ${timeoutMs} ms`)),
    timeoutMs,
  );
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await fetchImpl(url, { ...init, signal: controller.signal });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/** One round trip to `region`, ms; throws when there is no usable answer. */
async function pingOnce(
  region: Region,
  o: Required<Pick<MeasureLatencyOptions, 'pingTimeoutMs' | 'fetchImpl' | 'now'>> & {
    signal: AbortSignal | undefined;
  },
): Promise<number> {
  const started = o.now();
  if (region.ping === PingMethod.TCP) {
    // A TCP ping port does not speak HTTP: the fetch fails once the connection is made and
    // the first bytes were exchanged (about two round trips); only a timeout means no answer.
    try {
      await boundedFetch(
        o.fetchImpl,
        region.pingUrl,
        { mode: 'no-cors', cache: 'no-store' },
        o.pingTimeoutMs,
        o.signal,
      );
    } catch (error) {
      if (o.signal?.aborted || o.now() - started >= o.pingTimeoutMs) throw error;
    }
    return (o.now() - started) / 2;
  }
  const res = await boundedFetch(
    o.fetchImpl,
    region.pingUrl,
    { cache: 'no-store' },
    o.pingTimeoutMs,
    o.signal,
  );
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return o.now() - started;
}

async function fetchRegions(
  url: string,
  fetchImpl: typeof fetch,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<Region[]> {
  const res = await boundedFetch(fetchImpl, url, { cache: 'no-store' }, timeoutMs, signal);
  if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}`);
  const body = (await res.json()) as Partial<RegionList>;
  if (!Array.isArray(body.regions)) throw new Error(`${url} did not answer a region list`);
  return body.regions.filter(
    (r): r is Region => typeof r?.id === 'string' && typeof r.pingUrl === 'string',
  );
}

/**
 * Measure the round trip from this page to every region the matchmaker lists.
 *
 * @example
 * const { latencies } = await measureLatencies({ matchmakerUrl: 'https://mm.example.com' });
 * // { montreal: 18.2, frankfurt: 94.7, tokyo: 161.3 }
 */
export async function measureLatencies(
  options: MeasureLatencyOptions = {},
): Promise<LatencyMeasurement> {
  const { signal } = options;
  const fetchImpl = options.fetchImpl ?? globalThis.fetch.bind(globalThis);
  const now = options.now ?? (() => performance.now());
  const rounds = Math.max(1, Math.floor(options.rounds ?? LATENCY_DEFAULTS.rounds));
  const pingTimeoutMs = options.pingTimeoutMs ?? LATENCY_DEFAULTS.pingTimeoutMs;
  if (signal?.aborted) throw cancelledError('measuring latency');
  const regions = (
    options.regions
      ? [...options.regions]
      : await fetchRegions(
          regionsUrlFor(options.matchmakerUrl),
          fetchImpl,
          options.listTimeoutMs ?? LATENCY_DEFAULTS.listTimeoutMs,
          signal,
        ).catch((error: unknown) => {
          if (signal?.aborted) throw cancelledError('measuring latency');
          throw error;
        })
  ).slice(0, MAX_LATENCY_ENTRIES);
  const pageProtocol = options.pageProtocol ?? globalThis.location?.protocol;
  const latencies: Latencies = {};
  const failed: Record<string, string> = {};
  await Promise.all(
    regions.map(async (region) => {
      if (pageProtocol === 'https:' && region.pingUrl.startsWith('http:')) {
        failed[region.id] = 'an https page may not ping an http URL (mixed content)';
        return;
      }
      const samples: number[] = [];
      let lastError = 'no answer';
      for (let i = 0; i <= rounds; i++) {
        try {
          const ms = await pingOnce(region, { pingTimeoutMs, fetchImpl, now, signal });
          if (i > 0) samples.push(ms);
        } catch (error) {
          if (signal?.aborted) return;
          lastError = (error as Error).message || String(error);
        }
      }
      if (samples.length === 0) failed[region.id] = lastError;
      else latencies[region.id] = Math.min(MAX_LATENCY_MS, Math.round(median(samples) * 10) / 10);
    }),
  );
  if (signal?.aborted) throw cancelledError('measuring latency');
  return { latencies, regions, failed };
}

/**
 * `play()`'s measurement: the latencies to send, or undefined when nothing was measured (no
 * region list, no region answered). Only a cancel is an error.
 *
 * @example
 * const latencies = await measureForPlay('ws://127.0.0.1:8080/matchmaker/ws', true, signal);
 */
export async function measureForPlay(
  matchmakerWsUrl: string,
  options: true | Omit<MeasureLatencyOptions, 'signal'>,
  signal: AbortSignal | undefined,
): Promise<Latencies | undefined> {
  const given = options === true ? {} : options;
  try {
    const { latencies } = await measureLatencies({
      ...given,
      matchmakerUrl: given.matchmakerUrl ?? matchmakerWsUrl,
      ...(signal ? { signal } : {}),
    });
    return Object.keys(latencies).length > 0 ? latencies : undefined;
  } catch (error) {
    if (error instanceof PlaygapClientError && error.code === ErrorCode.CANCELLED) throw error;
    return undefined;
  }
}
