import { describe, expect, it } from 'vitest';
import { type BeaconLike, RegionDirectory, regionIdOf, regionsOf } from './region-directory.js';

const tokyo: BeaconLike = {
  host: '127.0.0.1',
  tcpPort: 4102,
  pingUrl: 'http://127.0.0.1:4102/ping',
  location: { city: 'Tokyo', country: 'Japan', latitude: 35.68, longitude: 139.65 },
};
const montreal: BeaconLike = {
  host: '172.235.110.137',
  fqdn: 'b-51bfc6ad1864.pr.edgegap.net',
  tcpPort: 32561,
  location: { city: 'Montréal', latitude: 45.5, longitude: -73.56 },
};

describe('regionsOf', () => {
  it('names regions by city, pings ping_url over HTTP and Edgegap beacons by their TCP port', () => {
    expect(regionsOf([tokyo, montreal])).toEqual([
      {
        id: 'tokyo',
        pingUrl: 'http://127.0.0.1:4102/ping',
        ping: 'http',
        city: 'Tokyo',
        country: 'Japan',
        latitude: 35.68,
        longitude: 139.65,
      },
      {
        id: 'montreal',
        pingUrl: 'http://172.235.110.137:32561/',
        ping: 'tcp',
        city: 'Montréal',
        latitude: 45.5,
        longitude: -73.56,
      },
    ]);
  });

  it('numbers a second beacon of one city and leaves out beacons it cannot ping', () => {
    const ids = regionsOf([tokyo, tokyo, { host: '10.0.0.1', location: { city: 'Nowhere' } }]).map(
      (r) => r.id,
    );
    expect(ids).toEqual(['tokyo', 'tokyo-2']);
    expect(regionIdOf('São Paulo')).toBe('sao-paulo');
    expect(regionIdOf('???')).toBe('region');
  });
});

describe('RegionDirectory', () => {
  function directory(source: () => Promise<{ beacons: BeaconLike[] }>) {
    let now = 0;
    const errors: unknown[] = [];
    let calls = 0;
    const regions = new RegionDirectory({
      source: {
        listBeacons: () => {
          calls++;
          return source();
        },
      },
      ttlMs: 60_000,
      retryAfterFailureMs: 5_000,
      now: () => now,
      onError: (error) => errors.push(error),
    });
    return {
      regions,
      errors,
      calls: () => calls,
      advance: (ms: number) => {
        now += ms;
      },
    };
  }

  it('caches the list for its TTL and shares one fetch between concurrent callers', async () => {
    const d = directory(async () => ({ beacons: [tokyo] }));
    const [a, b] = await Promise.all([d.regions.list(), d.regions.list()]);
    expect(a).toEqual(b);
    expect(d.calls()).toBe(1);
    d.advance(59_999);
    await d.regions.list();
    expect(d.calls()).toBe(1);
    d.advance(1);
    await d.regions.list();
    expect(d.calls()).toBe(2);
  });

  it('keeps the last good list when a fetch fails and tries again after a pause', async () => {
    let fail = false;
    const d = directory(async () => {
      if (fail) throw new Error('Edgegap down');
      return { beacons: [tokyo] };
    });
    expect(await d.regions.list()).toHaveLength(1);
    fail = true;
    d.advance(60_000);
    expect(await d.regions.list()).toHaveLength(1);
    expect(d.errors).toHaveLength(1);
    d.advance(4_999);
    await d.regions.list();
    expect(d.calls()).toBe(2);
    d.advance(1);
    await d.regions.list();
    expect(d.calls()).toBe(3);
  });

  it('has no list before a first fetch works', async () => {
    const d = directory(async () => {
      throw new Error('Edgegap down');
    });
    expect(await d.regions.list()).toBeUndefined();
    expect(await d.regions.place({ tokyo: 10 })).toBeUndefined();
  });

  it("places near the fastest listed region's coordinates, ignoring ids it does not list", async () => {
    const d = directory(async () => ({ beacons: [tokyo, montreal] }));
    expect(await d.regions.place({ tokyo: 30, montreal: 120, atlantis: 1 })).toEqual({
      region: 'tokyo',
      latitude: 35.68,
      longitude: 139.65,
    });
    expect(await d.regions.place({ atlantis: 1 })).toBeUndefined();
    expect(await d.regions.place({})).toBeUndefined();
  });
});
