/**
 * The sidecar drop-in, for real: the sidecar image's /opt/playgap `COPY --from=`'d into a
 * foreign image (plain Debian with Node removed, a bash game server using no SDK), deployed
 * through edgegap-local's container runtime against a real nats-server. The bash server checks
 * players' connect tokens through the sidecar's local HTTP API; a good token gets in once, a
 * replayed one and one sealed with another key are refused with their codes.
 */
import { join } from 'node:path';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { EdgegapClient, type EdgegapLocal, startEdgegapLocal } from '@playgap/edgegap';
import { buckets, type SeatRecord, type ServerRecord, seatKey } from '@playgap/protocol';
import { mintConnectToken, parsePrivateKey } from '@playgap/protocol/token';
import { type RunningNatsServer, startNatsServer } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerRemoved, containerSupport, docker, IMAGES, until } from './engine.js';

const BASE = `playgap-base/node:${process.versions.node}-bookworm-slim`;
const DROPIN = 'playgap-test/dropin:local';
const APP = 'dropin';
const PRIVATE_KEY = '7c'.repeat(32);
const PROTOCOL_ID = 4343n;
const support = containerSupport([IMAGES.sidecar, BASE]);

describe.skipIf(!support.ok)(
  'the sidecar dropped into a foreign image',
  { timeout: 300_000 },
  () => {
    let nats: RunningNatsServer;
    let nc: NatsConnection;
    let local: EdgegapLocal;
    let edgegap: EdgegapClient;
    let requestId: string;
    let gamePort: number;

    beforeAll(async () => {
      // The fixtures folder (game.sh and the Dockerfile) is the whole build context.
      const fixtures = join(import.meta.dirname, 'fixtures');
      await docker(
        'build',
        '--network',
        'host',
        '-t',
        DROPIN,
        '--build-arg',
        `BASE=${BASE}`,
        '-f',
        join(fixtures, 'dropin.Dockerfile'),
        fixtures,
      );
      nats = await startNatsServer();
      nc = await connect({ servers: nats.url });
      local = await startEdgegapLocal({
        portMode: 'mapped',
        apps: [
          {
            name: APP,
            versions: [
              {
                name: 'v1',
                docker_image: 'playgap-test/dropin',
                docker_tag: 'local',
                ports: [{ name: 'game', port: 4000, protocol: 'TCP' }],
                envs: [
                  { key: 'PLAYGAP_APP', value: APP },
                  { key: 'PLAYGAP_VERSION', value: 'v1' },
                  { key: 'PLAYGAP_PROTOCOL_ID', value: String(PROTOCOL_ID) },
                  { key: 'PLAYGAP_PRIVATE_KEY', value: PRIVATE_KEY, is_hidden: true },
                  { key: 'NATS_URL', value: nats.url },
                ],
              },
            ],
          },
        ],
      });
      edgegap = new EdgegapClient({ apiUrl: local.url, apiKey: local.apiKey });
      ({ requestId } = await edgegap.deploy({
        application: APP,
        version: 'v1',
        users: [{ ipAddress: '127.0.0.1' }],
      }));
    }, 240_000);

    afterAll(async () => {
      await local?.close();
      await nc?.close();
      await nats?.stop();
    }, 60_000);

    const logs = async () => (await edgegap.getLogs(requestId)).logs;

    it('comes up: the bash server marks itself ready and its sidecar publishes a ready record', async () => {
      const kv = await new Kvm(nc).open(buckets(APP).servers);
      const record = await until(
        'a ready server record',
        async () => {
          const entry = await kv.get(requestId);
          const value = entry?.value.length ? (entry.json() as ServerRecord) : undefined;
          return value?.state === 'ready' ? value : undefined;
        },
        90_000,
      ).catch(async (error: Error) => {
        throw new Error(`${error.message}\n${await logs()}`);
      });
      expect(record.id).toBe(requestId);
      const status = await edgegap.getStatus(requestId);
      gamePort = status.ports.game!.external;
      // The record turns ready as the sidecar takes POST /v1/ready, a moment before the bash
      // server prints the answer it got: wait for the line, not for luck.
      const ready = /^game: ready \{.*"state":"ready"/m;
      const text = await until(
        'the game server printing its ready answer',
        async () => {
          const text = await logs();
          return ready.test(text) ? text : undefined;
        },
        30_000,
      ).catch(async (error: Error) => {
        throw new Error(`${error.message}\n${await logs()}`);
      });
      expect(text).toMatch(ready);
    });

    /** Drop a token into the running container as player `name`; resolves with the verdict JSON. */
    async function play(name: string, token: string): Promise<Record<string, unknown>> {
      const container = `edgegap-local-${requestId}`;
      await docker(
        'exec',
        container,
        'bash',
        '-c',
        'printf %s "$1" > "/tmp/players/$2.tmp" && mv "/tmp/players/$2.tmp" "/tmp/players/$2.token"',
        '_',
        token,
        name,
      );
      const line = await until(`the verdict on ${name}`, async () =>
        (await logs()).split('\n').find((l) => l.startsWith(`game: ${name} `)),
      );
      return JSON.parse(line.slice(`game: ${name} `.length)) as Record<string, unknown>;
    }

    async function reserve(clientId: bigint, seatIndex: number): Promise<void> {
      const seats = await new Kvm(nc).open(buckets(APP).seats);
      const now = Date.now();
      const record: SeatRecord = {
        serverId: requestId,
        seatIndex,
        state: 'reserved',
        clientId: String(clientId),
        expiresAt: now + 30_000,
        updatedAt: now,
      };
      await seats.create(seatKey(requestId, seatIndex), JSON.stringify(record));
    }

    const mint = (clientId: bigint, key = PRIVATE_KEY) =>
      mintConnectToken({
        protocolId: PROTOCOL_ID,
        privateKey: parsePrivateKey(key),
        clientId,
        serverAddresses: [`127.0.0.1:${gamePort}`],
      }).base64;

    it('lets a reserved player in once, and refuses the same token again', async () => {
      await reserve(42n, 0);
      const token = mint(42n);
      expect(await play('ada', token)).toMatchObject({ clientId: '42' });
      expect(await play('ada-again', token)).toMatchObject({ code: 'TOKEN_REPLAYED' });
    });

    it('refuses a token sealed with another key', async () => {
      await reserve(43n, 1);
      expect(await play('eve', mint(43n, '11'.repeat(32)))).toMatchObject({
        code: 'TOKEN_BAD_MAC',
      });
    });

    it('stops on SIGTERM within the grace period, passing it to the bash server', async () => {
      const started = Date.now();
      await edgegap.stopDeployment(requestId);
      await until('TERMINATED', async () =>
        (await edgegap.getStatus(requestId)).status === 'Status.TERMINATED' ? true : undefined,
      );
      const ms = Date.now() - started;
      console.log(`containers: drop-in stop → TERMINATED in ${ms} ms`);
      const text = await logs();
      expect(text).toContain('game: SIGTERM, bye');
      expect(text).not.toMatch(/exited with code 137/);
      await containerRemoved(requestId);
    });
  },
);
