/**
 * The real sidecar as a child process in `--local` mode on a real nats-server, started through
 * its installed CLI (`playgap-sidecar`, linked into node_modules/.bin by the workspace; it runs
 * the build, so `npx tsc -b` first), plus what a matchmaker does to send a player there:
 * reserve a seat in the seats bucket and mint a connect token for the server's address.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type KV, Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { buckets, type SeatRecord, seatKey } from '@playgap/protocol';
import {
  encodeUserData,
  formatPrivateKey,
  generatePrivateKey,
  mintConnectToken,
} from '@playgap/protocol/token';
import { spawnTracked } from './cleanup.js';
import type { RunningNatsServer } from './nats-server.js';
import { waitFor } from './wait-for.js';

/** The sidecar's CLI as npm installed it (the same from testkit/src and testkit/dist). */
export const SIDECAR_BIN = fileURLToPath(
  new URL('../../node_modules/.bin/playgap-sidecar', import.meta.url),
);
const PROTOCOL_ID = 0x706c6179n;

/** A running real sidecar, its seats bucket, and a way to send it a player. */
export interface RealSidecar {
  url: string;
  serverId: string;
  app: string;
  seats: KV;
  process: ChildProcess;
  /** Reserve seat `seat` for `clientId` and mint its token (base64). */
  ticket(
    clientId: bigint,
    options?: { name?: string; seat?: number; address?: string; expired?: boolean },
  ): Promise<string>;
  seatGone(seat: number): Promise<boolean>;
  close(): Promise<void>;
}

let counter = 0;

/**
 * Start the real sidecar (`--local`, public IP 127.0.0.1) with `ports`, optionally supervising
 * `command`, on `nats`; resolves once its local API listens and its seats bucket exists.
 *
 * @example
 * const sidecar = await startRealSidecar(nats, [{ name: 'game', protocol: 'TCP', internal: 4000 }]);
 * const token = await sidecar.ticket(42n); // reserve seat 0 for client 42 and mint its token
 */
export async function startRealSidecar(
  nats: RunningNatsServer,
  ports: { name: string; protocol: string; internal: number; external?: number }[],
  command: string[] = [],
  extraEnv: Record<string, string> = {},
): Promise<RealSidecar> {
  if (!existsSync(SIDECAR_BIN))
    throw new Error(`${SIDECAR_BIN} is missing: run \`npm ci\` (and \`npx tsc -b\`) first`);
  const app = `srvsdk${process.pid}x${counter++}`;
  const serverId = `t${counter}`;
  const key = generatePrivateKey();
  const certDir = await mkdtemp(join(tmpdir(), 'playgap-server-sidecar-'));
  const portFlags = ports.flatMap((p) => [
    '--port',
    `${p.name}:${p.protocol}:${p.internal}${p.external ? `:${p.external}` : ''}`,
  ]);
  const args = [
    SIDECAR_BIN,
    '--local',
    '--server-id',
    serverId,
    '--public-ip',
    '127.0.0.1',
    ...portFlags,
  ];
  if (command.length) args.push('run', '--', ...command);
  const child = spawnTracked(process.execPath, args, {
    env: {
      ...process.env,
      PLAYGAP_APP: app,
      PLAYGAP_PROTOCOL_ID: String(PROTOCOL_ID),
      PLAYGAP_PRIVATE_KEY: formatPrivateKey(key),
      PLAYGAP_SIDECAR_PORT: '0',
      PLAYGAP_CERT_DIR: certDir,
      PLAYGAP_IDLE_TIMEOUT_MS: '0',
      // Seats freed at once unless a test asks for reconnects (extraEnv).
      PLAYGAP_RECONNECT_GRACE_MS: '0',
      NATS_URL: nats.url,
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stderr?.on('data', (d) => output.push(String(d)));
  if (process.env['PLAYGAP_TEST_DEBUG']) {
    child.stderr?.on('data', (d) => process.stderr.write(`[sidecar:err] ${d}`));
    child.stdout?.on('data', (d) => process.stderr.write(`[sidecar:out] ${d}`));
  }
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`sidecar did not start (built? npx tsc -b): ${output.join('')}`)),
      20_000,
    );
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`sidecar exited ${code}: ${output.join('\n')}`)));
  });
  const nc: NatsConnection = await connect({ servers: nats.url });
  const kvm = new Kvm(nc);
  // The sidecar creates the bucket once NATS is up; wait for it.
  const bucket: KV = await waitFor(
    async () => {
      const seats = await kvm.open(buckets(app).seats);
      await seats.status();
      return seats;
    },
    { what: 'the seats bucket', timeoutMs: 10_000, intervalMs: 50, retryErrors: true },
  );
  const game = ports[0];
  return {
    url,
    serverId,
    app,
    seats: bucket,
    process: child,
    async ticket(clientId, options = {}) {
      const seat = options.seat ?? 0;
      const now = Date.now();
      const record: SeatRecord = {
        serverId,
        seatIndex: seat,
        state: 'reserved',
        clientId: String(clientId),
        expiresAt: now + 30_000,
        updatedAt: now,
      };
      await bucket.put(seatKey(serverId, seat), JSON.stringify(record));
      const minted = mintConnectToken({
        protocolId: PROTOCOL_ID,
        privateKey: key,
        clientId,
        serverAddresses: [options.address ?? `127.0.0.1:${game?.external ?? game?.internal}`],
        userData: encodeUserData(options.name ? { name: options.name } : {}),
        ...(options.expired ? { now: () => now - 120_000 } : {}),
      });
      return minted.base64;
    },
    async seatGone(seat) {
      const entry = await bucket.get(seatKey(serverId, seat));
      return entry?.operation !== 'PUT';
    },
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      await nc.close();
      await rm(certDir, { recursive: true, force: true });
    },
  };
}
