// The sidecar inside a real edgegap-local deployment: supervisor mode around the fixture game
// server, facts from the injected ARBITRIUM_* env and the context API, a player admitted
// through the mapped external port, and idle self-stop that really ends the deployment.
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { EdgegapClient, type EdgegapLocal, startEdgegapLocal } from '@playgap/edgegap';
import { buckets, type ServerRecord } from '@playgap/protocol';
import { encodeUserData, generatePrivateKey, mintConnectToken } from '@playgap/protocol/token';
import { type RunningNatsServer, startNatsServer, waitFor } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reserveSeat } from './harness.js';
import { BIN, FIXTURE, joinFixture } from './process.js';

const APP = `eg${process.pid}`;
const privateKey = generatePrivateKey();
let nats: RunningNatsServer;
let nc: NatsConnection;
let local: EdgegapLocal;
let edgegap: EdgegapClient;

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  local = await startEdgegapLocal({
    portMode: 'mapped',
    timing: { statusStepMs: 5, udpReadyAfterMs: 50, readyTimeoutMs: 10_000 },
    apps: [
      {
        name: APP,
        versions: [
          {
            name: 'v1',
            command: process.execPath,
            arguments: [BIN, 'run', '--', process.execPath, FIXTURE],
            ports: [{ name: 'game', port: 7000, protocol: 'TCP', to_check: true }],
            envs: [
              { key: 'NATS_URL', value: nats.url },
              { key: 'PLAYGAP_APP', value: APP },
              { key: 'PLAYGAP_VERSION', value: 'v1' },
              { key: 'PLAYGAP_PROTOCOL_ID', value: '0x5151' },
              { key: 'PLAYGAP_PRIVATE_KEY', value: Buffer.from(privateKey).toString('hex') },
              { key: 'PLAYGAP_SIDECAR_PORT', value: '0' },
              { key: 'PLAYGAP_IDLE_TIMEOUT_MS', value: '1500' },
              { key: 'PLAYGAP_SERVER_HEARTBEAT_MS', value: '300' },
              { key: 'FIXTURE_HEARTBEAT_MS', value: '200' },
            ],
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
});

/** The deployment's container logs (edgegap-local keeps stdout/stderr), for failure messages. */
async function logs(requestId: string): Promise<string> {
  const res = await fetch(`${local.url}/v1/deployment/${requestId}/container-logs`, {
    headers: { authorization: `token ${local.apiKey}` },
  });
  return res.text();
}

describe('sidecar under edgegap-local', () => {
  it('registers the deployment, admits a player through the external port, then self-stops when idle', async () => {
    const { requestId } = await edgegap.deploy({
      application: APP,
      version: 'v1',
      users: [{ ipAddress: '127.0.0.1' }],
    });
    const status = await waitFor(
      async () => {
        const s = await edgegap.getStatus(requestId);
        if (s.error)
          throw new Error(`deployment failed: ${s.errorDetail}\n${await logs(requestId)}`);
        return s.ready ? s : undefined;
      },
      { what: 'deployment ready', timeoutMs: 20_000, intervalMs: 25 },
    );
    const game = status.ports.game;
    expect(game).toBeDefined();
    expect(game?.external).not.toBe(game?.internal);

    const servers = await new Kvm(nc).open(buckets(APP).servers);
    const record = await waitFor(
      async () => {
        const e = await servers.get(requestId).catch(() => null);
        const r = e?.operation === 'PUT' ? e.json<ServerRecord>() : undefined;
        return r?.state === 'ready' ? r : undefined;
      },
      { what: 'ready record', timeoutMs: 20_000, intervalMs: 25 },
    );
    expect(record).toMatchObject({
      id: requestId,
      app: APP,
      version: 'v1',
      publicIp: status.publicIp ?? '127.0.0.1',
    });
    // The fqdn is not in the injected env: it came from the context API.
    expect(record.fqdn).toBe(status.fqdn);
    expect(record.ports.game).toMatchObject({ internal: game?.internal, external: game?.external });
    expect(record.certDigest).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);

    const seats = await new Kvm(nc).open(buckets(APP).seats);
    await reserveSeat(seats, requestId, 900n, 0);
    const token = mintConnectToken({
      protocolId: 0x5151n,
      privateKey,
      clientId: 900n,
      serverAddresses: [`${record.publicIp}:${game?.external}`],
      userData: encodeUserData({ playerId: 'p900' }),
    });
    const join = await joinFixture(`127.0.0.1:${game?.external}`, token.base64);
    expect(join.status).toBe(200);
    expect(((await join.json()) as { clientId: string }).clientId).toBe('900');
    const leave = await fetch(`http://127.0.0.1:${game?.external}/leave`, {
      method: 'POST',
      body: JSON.stringify({ clientId: '900' }),
    });
    expect(leave.status).toBe(200);

    // Idle for PLAYGAP_IDLE_TIMEOUT_MS → self-stop through ARBITRIUM_DELETE_URL → deployment ends.
    await waitFor(
      async () => {
        const s = await edgegap.getStatus(requestId).catch(() => undefined);
        return s === undefined || s.status === 'Status.TERMINATED' || !s.running;
      },
      { what: 'deployment terminated', timeoutMs: 20_000, intervalMs: 25 },
    );
    await waitFor(
      async () => {
        const e = await servers.get(requestId).catch(() => null);
        return e?.operation !== 'PUT';
      },
      { what: 'record removed', timeoutMs: 10_000, intervalMs: 25 },
    );
  });
});
