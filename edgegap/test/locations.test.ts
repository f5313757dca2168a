// edgegap-local's locations: deployments placed by their users (coordinates nearest, or a
// listed IP), every report naming that location, and one browser-usable ping endpoint per
// location listed as beacons, read through the typed client.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_LOCATIONS,
  EdgegapClient,
  EdgegapConfigError,
  type EdgegapLocal,
  type LocalLocationConfig,
} from '../src/index.js';
import { resolveLocalConfig } from '../src/local/config.js';
import { placeDeployment } from '../src/local/locations.js';
import { parseCliArgs } from '../src/main.js';
import { nodeVersion, startLocal } from './helpers.js';

const [montreal, frankfurt, tokyo] = DEMO_LOCATIONS as LocalLocationConfig[];
const locations: LocalLocationConfig[] = [
  { ...(montreal as LocalLocationConfig), ping_delay_ms: 150 },
  { ...(frankfurt as LocalLocationConfig), ping_delay_ms: 0, ips: ['198.51.100.9'] },
  { ...(tokyo as LocalLocationConfig), ping_delay_ms: 300 },
];
const dir = mkdtempSync(join(tmpdir(), 'edgegap-locations-'));
let local: EdgegapLocal;
let edgegap: EdgegapClient;

beforeAll(async () => {
  local = await startLocal({
    locations,
    apps: [{ name: 'geo', versions: [nodeVersion('v1', 'tcp-server.mjs')] }],
  });
  edgegap = new EdgegapClient({ apiUrl: local.url, apiKey: local.apiKey });
});

afterAll(async () => {
  await local?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('edgegap-local locations', () => {
  it('lists one beacon per location, each with its own HTTP ping endpoint', async () => {
    const { beacons, count } = await edgegap.listBeacons();
    expect(count).toBe(3);
    expect(beacons.map((b) => b.location.city)).toEqual(['Montreal', 'Frankfurt', 'Tokyo']);
    const ports = new Set(beacons.map((b) => b.tcpPort));
    expect(ports.size).toBe(3);
    for (const beacon of beacons) {
      expect(beacon).toMatchObject({ host: '127.0.0.1', fqdn: 'localhost' });
      expect(beacon.pingUrl).toBe(`http://127.0.0.1:${beacon.tcpPort}/ping`);
      expect(beacon.location.latitude).toBeTypeOf('number');
    }
  });

  it('answers pings with CORS open and no caching, after the location delay', async () => {
    const { beacons } = await edgegap.listBeacons();
    const timed = async (url: string) => {
      const started = performance.now();
      const res = await fetch(url, { headers: { origin: 'http://game.example' } });
      return { res, ms: performance.now() - started, body: await res.json() };
    };
    const tokyoPing = await timed(beacons[2]?.pingUrl as string);
    expect(tokyoPing.res.status).toBe(200);
    expect(tokyoPing.res.headers.get('access-control-allow-origin')).toBe('*');
    expect(tokyoPing.res.headers.get('cache-control')).toBe('no-store');
    expect(tokyoPing.body).toEqual({ city: 'Tokyo' });
    // A delay is a lower bound whatever the machine's load.
    expect(tokyoPing.ms).toBeGreaterThanOrEqual(290);
    const preflight = await fetch(beacons[0]?.pingUrl as string, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    const other = await fetch(`http://127.0.0.1:${beacons[0]?.tcpPort}/nope`);
    expect(other.status).toBe(404);
  });

  it('places a deployment in the location nearest its geo_coordinates user and reports it everywhere', async () => {
    const outFile = join(dir, 'env.json');
    const { requestId } = await edgegap.deploy({
      application: 'geo',
      version: 'v1',
      users: [{ latitude: 34.69, longitude: 135.5 }], // Osaka: Tokyo is nearest
      environmentVariables: [{ key: 'OUT_FILE', value: outFile }],
    });
    await waitFor(async () => (await edgegap.getStatus(requestId)).ready, {
      timeoutMs: 20_000,
      what: 'deployment READY',
    });
    const status = await edgegap.getStatus(requestId);
    expect(status.location).toMatchObject({ city: 'Tokyo', country: 'Japan', continent: 'Asia' });
    await waitFor(
      () => {
        try {
          return JSON.parse(readFileSync(outFile, 'utf8'));
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 10_000, what: 'the game process wrote its env' },
    );
    const written = JSON.parse(readFileSync(outFile, 'utf8'));
    expect(JSON.parse(written.env.ARBITRIUM_DEPLOYMENT_LOCATION)).toMatchObject({ city: 'Tokyo' });
    expect(written.context.body.location).toMatchObject({ city: 'Tokyo' });
    await edgegap.stopDeployment(requestId);
  });

  it('places an ip_address user by the location listing that IP, else in the first location', async () => {
    const listed = await edgegap.deploy({
      application: 'geo',
      version: 'v1',
      users: [{ ipAddress: '198.51.100.9' }],
    });
    const unknown = await edgegap.deploy({
      application: 'geo',
      version: 'v1',
      users: [{ ipAddress: '203.0.113.1' }],
    });
    expect((await edgegap.getStatus(listed.requestId)).location?.city).toBe('Frankfurt');
    expect((await edgegap.getStatus(unknown.requestId)).location?.city).toBe('Montreal');
    await edgegap.stopDeployment(listed.requestId);
    await edgegap.stopDeployment(unknown.requestId);
  });
});

describe('placeDeployment', () => {
  it('minimizes the total distance to every user', () => {
    const near = (latitude: number, longitude: number) => ({
      user_type: 'geo_coordinates' as const,
      user_data: { latitude, longitude },
    });
    // Two players in Europe and one in Canada: Frankfurt.
    expect(
      placeDeployment(locations, [near(48.8, 2.3), near(52.5, 13.4), near(43.7, -79.4)])?.city,
    ).toBe('Frankfurt');
    expect(placeDeployment([], [near(0, 0)])).toBeUndefined();
  });
});

describe('locations config', () => {
  it('takes demo, a JSON list or a JSON file on the command line, or EDGEGAP_LOCAL_LOCATIONS', async () => {
    expect(parseCliArgs(['--locations', 'demo'], {}).locations).toBe('demo');
    const file = join(dir, 'locations.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, JSON.stringify(locations));
    expect(parseCliArgs(['--locations', file], {}).locations).toEqual(locations);
    expect(
      parseCliArgs([], { EDGEGAP_LOCAL_LOCATIONS: JSON.stringify(locations) }).locations,
    ).toEqual(locations);
    expect(() => parseCliArgs(['--locations', '[nope'], {})).toThrow(
      /--locations is not valid JSON/,
    );
    expect(() => parseCliArgs(['--locations', join(dir, 'missing.json')], {})).toThrow(
      /--locations must be demo/,
    );
    const demo = await resolveLocalConfig({ locations: 'demo' });
    expect(demo.locations.map((l) => l.city)).toEqual(['Montreal', 'Frankfurt', 'Tokyo']);
  });

  it.each([
    ['not a list', 'somewhere', /locations must be "demo" or a list/],
    [
      'no city',
      [{ country: 'X', continent: 'Y', latitude: 0, longitude: 0 }],
      /locations\[0\]\.city/,
    ],
    ['a latitude out of range', [{ ...montreal, latitude: 91 }], /locations\[0\]\.latitude/],
    ['a NaN longitude', [{ ...montreal, longitude: Number.NaN }], /locations\[0\]\.longitude/],
    ['a negative ping delay', [{ ...montreal, ping_delay_ms: -1 }], /ping_delay_ms/],
    ['ips that are not strings', [{ ...montreal, ips: [1] }], /ips must be a list/],
    ['a city twice', [montreal, montreal], /"Montreal" is used twice/],
  ])('refuses %s with the field named', async (_what, value, message) => {
    await expect(resolveLocalConfig({ locations: value as never })).rejects.toThrow(
      EdgegapConfigError,
    );
    await expect(resolveLocalConfig({ locations: value as never })).rejects.toThrow(message);
  });

  it('reports the one "Localhost" location and lists no beacon when none is configured', async () => {
    const plain = await startLocal({
      apps: [{ name: 'geo', versions: [nodeVersion('v1', 'tcp-server.mjs')] }],
    });
    try {
      const client = new EdgegapClient({ apiUrl: plain.url, apiKey: plain.apiKey });
      expect(await client.listBeacons()).toMatchObject({ beacons: [], count: 0 });
      const { requestId } = await client.deploy({
        application: 'geo',
        version: 'v1',
        users: [{ latitude: 1, longitude: 1 }],
      });
      expect((await client.getStatus(requestId)).location?.city).toBe('Localhost');
    } finally {
      await plain.close();
    }
  });
});
