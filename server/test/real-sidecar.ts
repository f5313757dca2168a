/**
 * The real sidecar (sidecar/dist/main.js, run the build first) as a child process in `--local`
 * mode on a real nats-server, plus what a matchmaker does to send a player there: reserve a
 * seat in the seats bucket (KV create) and mint a connect token for the server's address.
 */
import { type ChildProcess, spawn } from 'node:child_process';
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
import { type RunningNatsServer, trackChild } from '@playgap/testkit';

const SIDECAR_MAIN = fileURLToPath(new URL('../../sidecar/dist/main.js', import.meta.url));
const PROTOCOL_ID = 0x706c6179n;

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

export async function startRealSidecar(
  nats: RunningNatsServer,
  ports: { name: string; protocol: string; internal: number; external?: number }[],
  command: string[] = [],
  extraEnv: Record<string, string> = {},
): Promise<RealSidecar> {
  if (!existsSync(SIDECAR_MAIN))
    throw new Error(`${SIDECAR_MAIN} is missing: run \`npx tsc -b\` first`);
  const app = `srvsdk${process.pid}x${counter++}`;
  const serverId = `t${counter}`;
  const key = generatePrivateKey();
  const certDir = await mkdtemp(join(tmpdir(), 'playgap-server-sidecar-'));
  const portFlags = ports.flatMap((p) => [
    '--port',
    `${p.name}:${p.protocol}:${p.internal}${p.external ? `:${p.external}` : ''}`,
  ]);
  const args = [
    SIDECAR_MAIN,
    '--local',
    '--server-id',
    serverId,
    '--public-ip',
    '127.0.0.1',
    ...portFlags,
  ];
  if (command.length) args.push('run', '--', ...command);
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      PLAYGAP_APP: app,
      PLAYGAP_PROTOCOL_ID: String(PROTOCOL_ID),
      PLAYGAP_PRIVATE_KEY: formatPrivateKey(key),
      PLAYGAP_SIDECAR_PORT: '0',
      PLAYGAP_CERT_DIR: certDir,
      PLAYGAP_IDLE_TIMEOUT_MS: '0',
      NATS_URL: nats.url,
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  const output: string[] = [];
  child.stderr?.on('data', (d) => output.push(String(d)));
  if (process.env['PLAYGAP_TEST_DEBUG']) {
    child.stderr?.on('data', (d) => process.stderr.write(`[sidecar:err] ${d}`));
    child.stdout?.on('data', (d) => process.stderr.write(`[sidecar:out] ${d}`));
  }
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`sidecar did not start: ${output.join('')}`)),
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
  let seats: KV | undefined;
  for (let i = 0; i < 200 && !seats; i++) {
    try {
      seats = await kvm.open(buckets(app).seats);
      await seats.status();
    } catch {
      seats = undefined;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  if (!seats) throw new Error('the seats bucket never appeared');
  const bucket = seats;
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
