/**
 * Test helper: real NATS, fake sidecars. Writes ServerRecords the way a sidecar does, so
 * placement can be tested before (and independently of) real game-server processes.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { KV_DEFAULTS, type ServerRecord } from '@playgap/protocol';
import { startNatsServer } from '@playgap/testkit';
import { type AppBuckets, openAppBuckets } from '../src/buckets.js';
import type { MatchmakerConfig } from '../src/config.js';
import { loadConfig } from '../src/config.js';
import { type RunningMatchmaker, startMatchmaker } from '../src/matchmaker.js';
import { parseMatchmakingConfig } from '../src/queues/matchmaking-config.js';

export const APP = 'arena';
export const VERSION = '1.0.0';
/** Every instance in a test serves the same versions (they share one queue group). */
export const VERSIONS = [
  VERSION,
  'pack',
  'race',
  'expiry',
  'cold',
  'burst',
  'fail',
  'party',
  'again',
  'rejoin',
];
export const PRIVATE_KEY_HEX = '11'.repeat(32);
export const DIGEST = Array.from({ length: 32 }, () => 'AB').join(':');

export function serverRecord(id: string, overrides: Partial<ServerRecord> = {}): ServerRecord {
  const now = Date.now();
  return {
    id,
    app: APP,
    version: VERSION,
    state: 'ready',
    publicIp: '127.0.0.1',
    ports: {
      game: { name: 'game', internal: 7000, external: 31000, protocol: 'TCP' },
      wt: { name: 'wt', internal: 7001, external: 31001, protocol: 'UDP' },
    },
    transports: [
      { kind: 'webtransport', port: 'wt', path: '/wt' },
      { kind: 'websocket', port: 'game', path: '/ws' },
    ],
    certDigest: DIGEST,
    capacity: 4,
    players: 0,
    startedAt: now,
    updatedAt: now,
    ...overrides,
  };
}

export interface TestNats {
  url: string;
  nc: NatsConnection;
  kv: AppBuckets;
  putServer(record: ServerRecord): Promise<void>;
  stop(): Promise<void>;
}

/** A real nats-server with the app's buckets open. */
export async function startTestNats(): Promise<TestNats> {
  const server = await startNatsServer();
  const nc = await connect({ servers: server.url });
  const kv = await openAppBuckets(nc, APP);
  return {
    url: server.url,
    nc,
    kv,
    async putServer(record) {
      await kv.servers.put(record.id, JSON.stringify(record));
    },
    async stop() {
      await nc.close();
      await server.stop();
    },
  };
}

/** A config for tests: all-in-one on a free port, short timings. */
export function testConfig(
  natsUrl: string,
  overrides: Partial<MatchmakerConfig> = {},
): Readonly<MatchmakerConfig> {
  return loadConfig(
    ['--all-in-one', '--listen', '127.0.0.1:0'],
    {
      PLAYGAP_APP: APP,
      PLAYGAP_VERSIONS: VERSIONS.join(','),
      PLAYGAP_PROTOCOL_ID: '7',
      PLAYGAP_PRIVATE_KEY: PRIVATE_KEY_HEX,
      NATS_URL: natsUrl,
    },
    { rateLimitPerWindow: 10_000, maxConcurrentPerIp: 10_000, ...overrides },
  );
}

/** A real nats-server and an all-in-one matchmaker listening on a free port. */
export interface QueueStack {
  nats: TestNats;
  mm: RunningMatchmaker;
  /** The front's socket URL, `ws://…/matchmaker/ws`. */
  wsUrl: string;
  close(): Promise<void>;
}

/**
 * Start nats, a listening all-in-one matchmaker with `modes` (matchmaking.json's `modes`,
 * matched every 20 ms) and the ServerRecords of `servers`.
 *
 * @example
 * const stack = await startQueueStack({ duo: { minPlayers: 2, maxPlayers: 2 } }, [serverRecord('s1')]);
 */
export async function startQueueStack(
  modes: Record<string, unknown>,
  servers: ServerRecord[] = [],
): Promise<QueueStack> {
  const nats = await startTestNats();
  const mm = await startMatchmaker(
    testConfig(nats.url, {
      matchmaking: parseMatchmakingConfig({ modes }),
      matchIntervalMs: 20,
    }),
    {},
    { listen: true },
  );
  for (const record of servers) await nats.putServer(record);
  return {
    nats,
    mm,
    wsUrl: `${(mm.url as string).replace(/^http/, 'ws')}/matchmaker/ws`,
    async close() {
      await mm.close();
      await nats.stop();
    },
  };
}

export { KV_DEFAULTS };
