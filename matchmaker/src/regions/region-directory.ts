/**
 * The regions a browser can ping, from Edgegap's ping beacons (`GET /v1/locations/beacons`),
 * cached for `ttlMs`. The front serves them at `GET /matchmaker/regions`; placement turns the
 * player's fastest region into the coordinates a new deployment is placed near.
 *
 * A beacon with `ping_url` (edgegap-local) is pinged over HTTP. Edgegap's own beacons answer
 * TCP and UDP pings only, which a page cannot send: they are listed with `ping: "tcp"` and
 * their TCP port, and the browser estimates the round trip from a fetch to that port failing.
 */
import { fastestRegion, PingMethod, REGION_ID_PATTERN, type Region } from '@playgap/protocol';

/** A beacon as the Edgegap client returns it (structural, so tests can script one). */
export interface BeaconLike {
  host: string;
  fqdn?: string;
  tcpPort?: number;
  pingUrl?: string;
  location: {
    city?: string;
    country?: string;
    continent?: string;
    latitude?: number;
    longitude?: number;
  };
}

/** The one call the directory makes. */
export interface BeaconSource {
  listBeacons(): Promise<{ beacons: BeaconLike[] }>;
}

export interface RegionDirectoryOptions {
  source: BeaconSource;
  /** The list is fetched again after this long, ms. */
  ttlMs: number;
  /** After a failed fetch, the next try waits at least this long, ms; default 5000. */
  retryAfterFailureMs?: number;
  now?: () => number;
  /** Called with each failed fetch (the last good list is kept meanwhile). */
  onError?: (error: unknown) => void;
}

/** Where a player's fastest region is: what a deploy request's geo user needs. */
export interface RegionPlace {
  region: string;
  latitude: number;
  longitude: number;
}

/**
 * A region id from a city: lower case, runs of other characters as one `-`.
 *
 * @example
 * regionIdOf('São Paulo'); // 'sao-paulo'
 */
export function regionIdOf(city: string): string {
  const id = city
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  return id === '' ? 'region' : id;
}

/**
 * The regions of a beacon list, one per beacon that can be pinged; a second beacon in the same
 * city gets `-2`, `-3`... Beacons with neither a ping URL nor a TCP port are left out.
 *
 * @example
 * regionsOf([{ host: '127.0.0.1', pingUrl: 'http://127.0.0.1:4100/ping', location: { city: 'Tokyo' } }]);
 * // [{ id: 'tokyo', pingUrl: 'http://127.0.0.1:4100/ping', ping: 'http', city: 'Tokyo' }]
 */
export function regionsOf(beacons: readonly BeaconLike[]): Region[] {
  const seen = new Map<string, number>();
  const regions: Region[] = [];
  for (const beacon of beacons) {
    let pingUrl: string;
    let ping: PingMethod;
    if (beacon.pingUrl && /^https?:\/\//.test(beacon.pingUrl)) {
      pingUrl = beacon.pingUrl;
      ping = PingMethod.HTTP;
    } else if (beacon.tcpPort !== undefined && beacon.tcpPort > 0) {
      const host = beacon.host.includes(':') ? `[${beacon.host}]` : beacon.host;
      pingUrl = `http://${host}:${beacon.tcpPort}/`;
      ping = PingMethod.TCP;
    } else continue;
    const base = regionIdOf(beacon.location.city ?? beacon.fqdn ?? beacon.host);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    const id = n === 1 ? base : `${base}-${n}`;
    if (!REGION_ID_PATTERN.test(id)) continue;
    const { city, country, continent, latitude, longitude } = beacon.location;
    regions.push({
      id,
      pingUrl,
      ping,
      ...(city !== undefined ? { city } : {}),
      ...(country !== undefined ? { country } : {}),
      ...(continent !== undefined ? { continent } : {}),
      ...(latitude !== undefined ? { latitude } : {}),
      ...(longitude !== undefined ? { longitude } : {}),
    });
  }
  return regions;
}

/**
 * The cached region list.
 *
 * @example
 * const regions = new RegionDirectory({ source: edgegap, ttlMs: 60_000 });
 * await regions.list(); // [{ id: 'montreal', pingUrl, ping: 'http', ... }, ...]
 */
export class RegionDirectory {
  readonly #o: RegionDirectoryOptions;
  readonly #now: () => number;
  #regions: Region[] | undefined;
  #freshUntil = Number.NEGATIVE_INFINITY;
  #inFlight: Promise<void> | undefined;

  constructor(options: RegionDirectoryOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The regions, fetched when the cached list is older than `ttlMs`; undefined when no list
   * could be fetched yet (Edgegap unreachable). Concurrent callers share one fetch.
   */
  async list(): Promise<Region[] | undefined> {
    if (this.#now() >= this.#freshUntil) {
      this.#inFlight ??= this.#refresh().finally(() => {
        this.#inFlight = undefined;
      });
      await this.#inFlight;
    }
    return this.#regions;
  }

  async #refresh(): Promise<void> {
    try {
      const { beacons } = await this.#o.source.listBeacons();
      this.#regions = regionsOf(beacons);
      this.#freshUntil = this.#now() + this.#o.ttlMs;
    } catch (error) {
      this.#o.onError?.(error);
      this.#freshUntil = this.#now() + (this.#o.retryAfterFailureMs ?? 5_000);
    }
  }

  /**
   * Where the fastest measured region with known coordinates is; undefined when `latencies`
   * names none of them (the deploy then falls back to the player's IP).
   *
   * @example
   * await regions.place({ montreal: 18, tokyo: 160 }); // { region: 'montreal', latitude: 45.5, longitude: -73.56 }
   */
  async place(latencies: Record<string, number> | undefined): Promise<RegionPlace | undefined> {
    if (!latencies || Object.keys(latencies).length === 0) return undefined;
    const byId = new Map((await this.list())?.map((r) => [r.id, r]));
    const located = (id: string) => {
      const region = byId.get(id);
      return region?.latitude !== undefined && region.longitude !== undefined;
    };
    const id = fastestRegion(latencies, located);
    const region = id === undefined ? undefined : byId.get(id);
    if (id === undefined || region?.latitude === undefined || region.longitude === undefined) {
      return undefined;
    }
    return { region: id, latitude: region.latitude, longitude: region.longitude };
  }
}
