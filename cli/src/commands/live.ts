/**
 * `playgap servers|players|reservations`: what is live right now, read from the app's NATS KV
 * buckets (the records sidecars and matchmakers keep). Records past their owner's heartbeat
 * limit are left out, like every reader does.
 */
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  buckets,
  isRecordFresh,
  isSeatTaken,
  KV_DEFAULTS,
  type SeatRecord,
  SeatState,
  type ServerRecord,
} from '@playgap/protocol';
import type { Command, CommandContext, Flags } from '../command.js';
import { usageError } from '../errors.js';
import { connectNatsOnce } from '../nats-connection.js';
import { emit, table } from '../output.js';

const NATS_HELP = `Env: NATS_URL (or NATS_HOST), NATS_USER + NATS_PASSWORD (the matchmaker user),
NATS_CREDS or NATS_NKEY, NATS_CA or NATS_CA_CONTENTS for TLS, NATS_INSECURE; PLAYGAP_APP for --app.
Exit codes: 0 done, 1 NATS unreachable, 2 usage error.`;

function appOf(flags: Flags, env: NodeJS.ProcessEnv): string {
  const app = (flags.app as string | undefined) ?? env.PLAYGAP_APP;
  if (!app) throw usageError('Missing --app NAME (or PLAYGAP_APP).');
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(app)) {
    throw usageError('--app must be 1-64 letters, digits, "_" or "-".');
  }
  return app;
}

/** Every record of a bucket, parsed; a bucket nobody created yet is empty. */
async function readBucket<T>(nc: NatsConnection, bucket: string): Promise<T[]> {
  const kvm = new Kvm(nc);
  let kv: Awaited<ReturnType<Kvm['open']>>;
  try {
    kv = await kvm.open(bucket);
    const keys: string[] = [];
    for await (const key of await kv.keys()) keys.push(key);
    const records: T[] = [];
    for (const key of keys.sort()) {
      const entry = await kv.get(key);
      if (entry?.operation !== 'PUT') continue;
      try {
        records.push(entry.json<T>());
      } catch {
        // A record that is not JSON is not one of ours: skip it.
      }
    }
    return records;
  } catch (error) {
    if (/stream not found|bucket not found|no stream/i.test(String(error))) return [];
    throw error;
  }
}

async function withNats<T>(context: CommandContext, use: (nc: NatsConnection) => Promise<T>) {
  const nc = await connectNatsOnce(context.env);
  try {
    return await use(nc);
  } finally {
    await nc.close();
  }
}

/**
 * A player-chosen name as a table cell: control and format characters (terminal escapes,
 * direction overrides) from an older or foreign writer are shown as "?", never printed.
 */
const nameCell = (name: string | undefined) => (name ?? '').replace(/[\p{Cc}\p{Cf}]/gu, '?');

const ago = (now: number, at: number | undefined) =>
  at === undefined ? '' : `${Math.max(0, Math.round((now - at) / 1000))}s ago`;

/** `playgap servers --app NAME` */
export const servers: Command = {
  name: 'servers',
  summary: 'list live game servers (from NATS)',
  help: `Usage: playgap servers [--app NAME] [--json]

Lists the app's live game servers from the servers bucket: id, version, state, players/capacity,
public address, location, last heartbeat. Servers silent for over ${KV_DEFAULTS.serversMaxAgeMs / 1000} s are left out.

${NATS_HELP}

Example:
  NATS_URL=tls://nats.example.com:4222 NATS_USER=matchmaker NATS_PASSWORD=... playgap servers --app arena`,
  options: { app: { type: 'string' } },
  async run(context, flags) {
    const app = appOf(flags, context.env);
    const now = context.now();
    const records = await withNats(context, (nc) =>
      readBucket<ServerRecord>(nc, buckets(app).servers),
    );
    const live = records.filter((r) => isRecordFresh(r, now, KV_DEFAULTS.serversMaxAgeMs));
    emit(context.out, { app, servers: live }, () =>
      table(
        context.out,
        ['ID', 'VERSION', 'STATE', 'PLAYERS', 'ADDRESS', 'LOCATION', 'SEEN'],
        live.map((s) => [
          s.id,
          s.version,
          s.state,
          `${s.players}/${s.capacity}`,
          s.fqdn ?? s.publicIp,
          [s.location?.city, s.location?.country].filter(Boolean).join(', '),
          ago(now, s.updatedAt),
        ]),
      ),
    );
  },
};

async function seats(context: CommandContext, flags: Flags, ...states: SeatState[]) {
  const app = appOf(flags, context.env);
  const now = context.now();
  const records = await withNats(context, (nc) => readBucket<SeatRecord>(nc, buckets(app).seats));
  const wanted = records.filter((s) => states.includes(s.state) && isSeatTaken(s, now));
  return { app, now, wanted };
}

/** `playgap players --app NAME` */
export const players: Command = {
  name: 'players',
  summary: 'list connected players (from NATS)',
  help: `Usage: playgap players [--app NAME] [--json]

Lists the players on the app's servers right now (seats in state connected, and in state grace:
dropped, seat held for a reconnect): server, seat, client id, player (the display name the
player gave), player id, connected since, and whether the player is away (grace, time left).

${NATS_HELP}

Example:
  playgap players --app arena --json`,
  options: { app: { type: 'string' } },
  async run(context, flags) {
    const { app, now, wanted } = await seats(context, flags, SeatState.CONNECTED, SeatState.GRACE);
    emit(context.out, { app, players: wanted }, () =>
      table(
        context.out,
        ['SERVER', 'SEAT', 'CLIENT ID', 'PLAYER', 'PLAYER ID', 'CONNECTED', 'AWAY'],
        wanted.map((s) => [
          s.serverId,
          String(s.seatIndex),
          s.clientId,
          nameCell(s.name),
          s.playerId ?? '',
          ago(now, s.connectedAt),
          s.state === SeatState.GRACE
            ? `reconnecting (${Math.ceil((s.expiresAt - now) / 1000)}s left)`
            : '',
        ]),
      ),
    );
  },
};

/** `playgap reservations --app NAME` */
export const reservations: Command = {
  name: 'reservations',
  summary: 'list seat reservations not yet used (from NATS)',
  help: `Usage: playgap reservations [--app NAME] [--json]

Lists seats a matchmaker reserved for a player who has not connected yet, and that have not
expired: server, seat, client id, player (display name), player id, expires in, reserved by.

${NATS_HELP}

Example:
  playgap reservations --app arena`,
  options: { app: { type: 'string' } },
  async run(context, flags) {
    const { app, now, wanted } = await seats(context, flags, SeatState.RESERVED);
    emit(context.out, { app, reservations: wanted }, () =>
      table(
        context.out,
        ['SERVER', 'SEAT', 'CLIENT ID', 'PLAYER', 'PLAYER ID', 'EXPIRES IN', 'RESERVED BY'],
        wanted.map((s) => [
          s.serverId,
          String(s.seatIndex),
          s.clientId,
          nameCell(s.name),
          s.playerId ?? '',
          `${Math.ceil((s.expiresAt - now) / 1000)}s`,
          s.reservedBy ?? '',
        ]),
      ),
    );
  },
};
