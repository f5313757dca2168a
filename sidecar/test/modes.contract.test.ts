// One contract, two ways to run the sidecar: `--local` (facts from flags) and inside a real
// edgegap-local deployment (facts from ARBITRIUM_* and the context API). Both must register the
// server with its port numbers, admit a player whose token names publicIp:external, refuse a
// token for another server, and remove their records when stopped.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { type KV, Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { EdgegapClient, type EdgegapLocal, startEdgegapLocal } from '@playgap/edgegap';
import { buckets, type ServerRecord, seatKey } from '@playgap/protocol';
import { generatePrivateKey, mintConnectToken } from '@playgap/protocol/token';
import { freePort, type RunningNatsServer, startNatsServer, waitFor } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reserveSeat } from './harness.js';
import { BIN, FIXTURE, joinFixture, spawnSidecar } from './process.js';

const privateKey = generatePrivateKey();
const keyHex = Buffer.from(privateKey).toString('hex');
let nats: RunningNatsServer;
let nc: NatsConnection;
let local: EdgegapLocal;
let edgegap: EdgegapClient;
let certRoot: string;

interface Running {
  serverId: string;
  stop(): Promise<void>;
  /** What the sidecar printed, for failure messages. */
  output(): Promise<string>;
}
interface Mode {
  name: string;
  app: string;
  start(): Promise<Running>;
}

const sharedEnv = () => ({
  NATS_URL: nats.url,
  PLAYGAP_PROTOCOL_ID: '4242',
  PLAYGAP_PRIVATE_KEY: keyHex,
  PLAYGAP_SIDECAR_PORT: '0',
  PLAYGAP_SERVER_HEARTBEAT_MS: '300',
  FIXTURE_HEARTBEAT_MS: '200',
});

const modes: Mode[] = [
  {
    name: '--local mode',
    app: `ml${process.pid}`,
    async start() {
      const serverId = `contract-${Date.now()}`;
      const port = await freePort();
      const certDir = await mkdtemp(joinPath(certRoot, 'c-'));
      const proc = spawnSidecar(
        [
          '--local',
          '--server-id',
          serverId,
          '--public-ip',
          '127.0.0.1',
          '--port',
          `game:TCP:${port}`,
          'run',
          '--',
          process.execPath,
          FIXTURE,
        ],
        { ...sharedEnv(), PLAYGAP_APP: this.app, PLAYGAP_CERT_DIR: certDir },
      );
      return {
        serverId,
        async stop() {
          proc.child.kill('SIGTERM');
          await proc.exit;
        },
        output: async () => proc.output(),
      };
    },
  },
  {
    name: 'edgegap-local deployment',
    app: `me${process.pid}`,
    async start() {
      const { requestId } = await edgegap.deploy({
        application: this.app,
        version: 'v1',
        users: [{ ipAddress: '127.0.0.1' }],
      });
      return {
        serverId: requestId,
        async stop() {
          await edgegap.stopDeployment(requestId);
        },
        async output() {
          const res = await fetch(`${local.url}/v1/deployment/${requestId}/container-logs`, {
            headers: { authorization: `token ${local.apiKey}` },
          });
          return res.text();
        },
      };
    },
  },
];

beforeAll(async () => {
  certRoot = await mkdtemp(joinPath(tmpdir(), 'sidecar-contract-'));
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  const edgegapMode = modes[1] as Mode;
  local = await startEdgegapLocal({
    portMode: 'mapped',
    timing: { statusStepMs: 5, udpReadyAfterMs: 50, readyTimeoutMs: 10_000 },
    apps: [
      {
        name: edgegapMode.app,
        versions: [
          {
            name: 'v1',
            command: process.execPath,
            arguments: [BIN, 'run', '--', process.execPath, FIXTURE],
            ports: [{ name: 'game', port: 7000, protocol: 'TCP' }],
            envs: Object.entries({
              ...sharedEnv(),
              PLAYGAP_APP: edgegapMode.app,
              PLAYGAP_VERSION: 'v1',
            }).map(([key, value]) => ({ key, value })),
          },
        ],
      },
    ],
  });
  edgegap = new EdgegapClient({ apiUrl: local.url, apiKey: local.apiKey });
});

afterAll(async () => {
  await local?.close();
  await nc?.close();
  await nats?.stop();
  await rm(certRoot, { recursive: true, force: true });
});

async function readRecord(servers: KV, id: string): Promise<ServerRecord | undefined> {
  const e = await servers.get(id).catch(() => null);
  return e?.operation === 'PUT' ? e.json<ServerRecord>() : undefined;
}

describe.each(modes)('sidecar contract: $name', (mode) => {
  it('registers, admits a player for its own address only, and cleans up when stopped', async () => {
    const running = await mode.start();
    const kvm = new Kvm(nc);
    const servers = await waitFor(
      () => kvm.open(buckets(mode.app).servers).catch(() => undefined),
      { what: 'servers bucket', timeoutMs: 20_000, intervalMs: 25 },
    );
    const record = await waitFor(
      async () => {
        const r = await readRecord(servers, running.serverId);
        return r?.state === 'ready' ? r : undefined;
      },
      { what: 'ready record', timeoutMs: 20_000, intervalMs: 25 },
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await running.output()}`);
    });
    const game = record.ports.game;
    expect(game).toMatchObject({ name: 'game', protocol: 'TCP' });
    expect(record.transports).toEqual([{ kind: 'websocket', port: 'game', path: '/' }]);

    const seats = await kvm.open(buckets(mode.app).seats);
    const join = async (clientId: bigint, seatIndex: number, address: string) => {
      await reserveSeat(seats, running.serverId, clientId, seatIndex);
      const token = mintConnectToken({
        protocolId: 4242n,
        privateKey,
        clientId,
        serverAddresses: [address],
      });
      const res = await joinFixture(`127.0.0.1:${game?.external}`, token.base64);
      return {
        status: res.status,
        body: (await res.json()) as { clientId?: string; code?: string },
      };
    };
    const ok = await join(1n, 0, `${record.publicIp}:${game?.external}`);
    expect(ok).toMatchObject({ status: 200, body: { clientId: '1' } });
    const other = await join(2n, 1, '198.51.100.77:31000');
    expect(other).toMatchObject({ status: 401, body: { code: 'TOKEN_ADDRESS_NOT_LISTED' } });

    await running.stop();
    await waitFor(async () => (await readRecord(servers, running.serverId)) === undefined, {
      what: 'record removed',
      timeoutMs: 20_000,
      intervalMs: 25,
    });
    const seat = await seats.get(seatKey(running.serverId, 0)).catch(() => null);
    expect(seat?.operation ?? 'DEL').not.toBe('PUT');
  });
});
