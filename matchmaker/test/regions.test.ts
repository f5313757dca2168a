/**
 * Latency-based placement with real parts: nats-server, edgegap-local with three locations
 * (each with its own ping endpoint), real sidecars and the matchmaker. The front lists the
 * regions from edgegap-local's beacons; a play request's latencies send the new deployment to
 * the fastest region; bad latencies are refused with their codes.
 */
import {
  DEMO_LOCATIONS,
  EdgegapClient,
  type EdgegapLocal,
  startEdgegapLocal,
} from '@playgap/edgegap';
import { ErrorCode, MAX_LATENCY_ENTRIES, type PlayReply, type RegionList } from '@playgap/protocol';
import { FIXTURE_GAME_SERVER as FIXTURE } from '@playgap/testkit';
import { SIDECAR_BIN as SIDECAR } from '@playgap/testkit/real-sidecar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type RunningMatchmaker, startMatchmaker } from '../src/index.js';
import { PRIVATE_KEY_HEX, startTestNats, type TestNats, testConfig } from './fake-fleet.js';

let nats: TestNats;
let local: EdgegapLocal;
let mm: RunningMatchmaker;
let edgegap: EdgegapClient;
const VERSIONS = ['near', 'fallback'];

function version(name: string, natsUrl: string) {
  return {
    name,
    command: process.execPath,
    arguments: [SIDECAR, 'run', '--', process.execPath, FIXTURE],
    ports: [{ name: 'game', port: 7000, protocol: 'TCP' as const, to_check: true }],
    envs: [
      { key: 'PLAYGAP_APP', value: 'arena' },
      { key: 'PLAYGAP_VERSION', value: name },
      { key: 'PLAYGAP_PROTOCOL_ID', value: '7' },
      { key: 'PLAYGAP_PRIVATE_KEY', value: PRIVATE_KEY_HEX, is_hidden: true },
      { key: 'PLAYGAP_CAPACITY', value: '4' },
      { key: 'PLAYGAP_SIDECAR_PORT', value: '0' },
      { key: 'PLAYGAP_IDLE_TIMEOUT_MS', value: '600000' },
      { key: 'NATS_URL', value: natsUrl },
    ],
  };
}

async function wannaplay(
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${mm.url}/matchmaker/wannaplay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function beaconCalls(): Promise<number> {
  const res = await fetch(`${local.url}/_local/calls`, {
    headers: { authorization: `token ${local.apiKey}` },
  });
  const calls = (await res.json()) as Array<{ path: string }>;
  return calls.filter((c) => c.path === '/v1/locations/beacons').length;
}

beforeAll(async () => {
  nats = await startTestNats();
  local = await startEdgegapLocal({
    apps: [{ name: 'arena', versions: VERSIONS.map((v) => version(v, nats.url)) }],
    locations: 'demo',
    timing: { statusStepMs: 20 },
  });
  edgegap = new EdgegapClient({ apiUrl: local.url, apiKey: local.apiKey });
  mm = await startMatchmaker(
    testConfig(nats.url, {
      edgegapApiUrl: local.url,
      edgegapApiKey: local.apiKey,
      versions: VERSIONS,
      statusPollMs: 100,
      seatsPerServer: 4,
    }),
    {},
    { listen: true },
  );
}, 60_000);

afterAll(async () => {
  await mm?.close();
  await local?.close();
  await nats?.stop();
});

describe('regions and latencies', () => {
  it("lists edgegap-local's locations as regions with HTTP ping URLs, fetched once per TTL", async () => {
    const before = await beaconCalls();
    const lists: RegionList[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${mm.url}/matchmaker/regions`, {
        headers: { origin: 'http://game.example' },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('http://game.example');
      lists.push((await res.json()) as RegionList);
    }
    const { regions } = lists[0] as RegionList;
    expect(regions.map((r) => r.id)).toEqual(['montreal', 'frankfurt', 'tokyo']);
    for (const [i, region] of regions.entries()) {
      expect(region.ping).toBe('http');
      expect(region.pingUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ping$/);
      expect(region).toMatchObject({
        city: DEMO_LOCATIONS[i]?.city,
        latitude: DEMO_LOCATIONS[i]?.latitude,
        longitude: DEMO_LOCATIONS[i]?.longitude,
      });
    }
    expect(new Set(regions.map((r) => r.pingUrl)).size).toBe(3);
    expect(lists[2]).toEqual(lists[0]);
    // The first list may have been fetched at start already; three GETs add at most one.
    expect((await beaconCalls()) - before).toBeLessThanOrEqual(1);
  });

  it('starts the new deployment in the region with the lowest latency, and its server says so', async () => {
    const { status, body } = await wannaplay({
      game: 'arena',
      version: 'near',
      latencies: { montreal: 140, frankfurt: 95.5, tokyo: 12 },
    });
    expect(status).toBe(200);
    const reply = body as unknown as PlayReply;
    expect((await edgegap.getStatus(reply.serverId)).location?.city).toBe('Tokyo');
    // The sidecar read ARBITRIUM_DEPLOYMENT_LOCATION into its server record.
    expect(mm.fleet?.server(reply.serverId)?.location?.city).toBe('Tokyo');
  });

  it("falls back to the player's IP when the request has no latencies", async () => {
    const { status, body } = await wannaplay({ game: 'arena', version: 'fallback' });
    expect(status).toBe(200);
    // 127.0.0.1 is listed by no location: edgegap-local uses its first one.
    const id = (body as unknown as PlayReply).serverId;
    expect((await edgegap.getStatus(id)).location?.city).toBe('Montreal');
  });

  const tooMany = Object.fromEntries(
    Array.from({ length: MAX_LATENCY_ENTRIES + 1 }, (_, i) => [`r${i}`, 5]),
  );
  it.each([
    ['a list', [12], ErrorCode.LATENCIES_INVALID],
    ['a string round trip', { tokyo: '12' }, ErrorCode.LATENCIES_INVALID],
    ['a negative round trip', { tokyo: -3 }, ErrorCode.LATENCIES_INVALID],
    ['too many regions', tooMany, ErrorCode.LATENCIES_INVALID],
    ['an unsafe region id', { 'tokyo<script>': 12 }, ErrorCode.LATENCIES_INVALID],
    ['a region nobody lists', { atlantis: 12 }, ErrorCode.UNKNOWN_REGION],
  ])('refuses %s with %s and starts nothing', async (_what, latencies, code) => {
    const { status, body } = await wannaplay({ game: 'arena', version: 'near', latencies });
    expect(status).toBe(400);
    expect(body).toMatchObject({ type: 'error', code });
    expect(String(body.message)).toMatch(/latencies|region/);
  });

  it('refuses an infinite round trip (1e999 in the JSON text) with LATENCIES_INVALID', async () => {
    const { status, body } = await wannaplay(
      '{"game":"arena","version":"near","latencies":{"tokyo":1e999}}',
    );
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: ErrorCode.LATENCIES_INVALID });
  });

  it('answers bad latencies on the WebSocket with the code as the final message', async () => {
    const url = `${mm.url?.replace('http', 'ws')}/matchmaker/ws`;
    const messages = await new Promise<Array<Record<string, unknown>>>((resolve, reject) => {
      const got: Array<Record<string, unknown>> = [];
      const socket = new WebSocket(url);
      socket.on('open', () =>
        socket.send(JSON.stringify({ game: 'arena', version: 'near', latencies: { tokyo: -1 } })),
      );
      socket.on('message', (data) => got.push(JSON.parse(String(data))));
      socket.on('close', () => resolve(got));
      socket.on('error', reject);
    });
    expect(messages.at(-1)).toMatchObject({ type: 'error', code: ErrorCode.LATENCIES_INVALID });
  });
});
