/**
 * NATS subject and KV bucket names. Everything is namespaced by app name, so several games
 * can share one NATS server. The full list is in docs/protocol.md.
 */
import { ErrorCode, PlaygapError } from './error-codes.js';

/** App names become part of subjects and bucket names: letters, digits, `_` and `-` only. */
export const APP_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Server ids (Edgegap request ids, or local ids) are KV keys and subject tokens. */
export const SERVER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Throw BAD_REQUEST unless `app` is a valid app name. */
export function assertAppName(app: string): void {
  if (!APP_NAME_PATTERN.test(app)) {
    throw new PlaygapError(
      ErrorCode.BAD_REQUEST,
      `Invalid app name ${JSON.stringify(app).slice(0, 80)}: use 1-64 letters, digits, "_" or "-".`,
    );
  }
}

/** Queue group shared by every matchmaker replica. */
export const MATCHMAKER_QUEUE = 'playgap-matchmaker';

/**
 * Subjects of one app.
 *
 * @example
 * const s = subjects('arena'); // s.play === 'playgap.arena.play'
 */
export function subjects(app: string) {
  assertAppName(app);
  const root = `playgap.${app}`;
  return {
    /** Play requests (front → matchmaker), request/reply in queue group MATCHMAKER_QUEUE. */
    play: `${root}.play`,
    /** Events about one server (sidecar → anyone): `ready`, `draining`, `stopping`, `player.connected`... */
    serverEvents: (serverId: string) => `${root}.server.${serverId}.events`,
    /** Wildcard for every server's events. */
    allServerEvents: `${root}.server.*.events`,
    /** Commands to one server's sidecar (e.g. `drain`), request/reply. */
    serverControl: (serverId: string) => `${root}.server.${serverId}.control`,
    /** Cancel a queued ticket: body `{"ticketId"}` (front → matchmakers, queue group). */
    ticketCancel: `${root}.tickets.cancel`,
    /**
     * A party member's session (front → matchmaker, queue group): create or join by code, then
     * `party` roster messages, progress and one final answer on the request's progress subject.
     */
    party: `${root}.party`,
    /** A party command (`queue`, `leave`, `cancel`), request/reply in the queue group. */
    partyCommand: `${root}.party.command`,
  } as const;
}

/**
 * KV bucket names of one app. Bucket-level TTLs only (nats-server 2.9 has no per-message TTL):
 * a record stays alive because its owner rewrites it before the bucket's max age.
 */
export function buckets(app: string) {
  assertAppName(app);
  return {
    /** key = server id → ServerRecord, rewritten by the sidecar every heartbeat. */
    servers: `playgap_${app}_servers`,
    /** key = `<serverId>.<seatIndex>` → SeatRecord (reservation, then connection). */
    seats: `playgap_${app}_seats`,
    /** key = Edgegap request id → DeploymentRecord, owned by the matchmakers. */
    deployments: `playgap_${app}_deployments`,
    /** key = ticket id → TicketRecord (queued modes), owned by the matchmakers. */
    tickets: `playgap_${app}_tickets`,
    /** key = `<serverId>.<matchId>` → BackfillRecord, made by a sidecar, filled by matchmakers. */
    backfills: `playgap_${app}_backfills`,
    /** key = party code without its dash (`K7QF2M`) → PartyRecord, owned by the matchmakers. */
    parties: `playgap_${app}_parties`,
  } as const;
}

/** KV key of one seat of one server. */
export function seatKey(serverId: string, seatIndex: number): string {
  return `${serverId}.${seatIndex}`;
}

/**
 * KV key filter matching every seat of one server (for a watch or a key listing).
 *
 * @example
 * const watch = await seats.watch({ key: seatKeysOf(serverId) });
 */
export function seatKeysOf(serverId: string): string {
  return `${serverId}.>`;
}

/** KV key of the backfill requests of one match on one server (bucket `backfills`). */
export function backfillKey(serverId: string, matchId: string): string {
  return `${serverId}.${matchId}`;
}

/** Split a seat key back into server id and seat index; undefined if it is not one. */
export function parseSeatKey(key: string): { serverId: string; seatIndex: number } | undefined {
  const dot = key.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const seatIndex = Number(key.slice(dot + 1));
  if (!Number.isInteger(seatIndex) || seatIndex < 0) return undefined;
  return { serverId: key.slice(0, dot), seatIndex };
}

/**
 * Timing every component agrees on, so whoever creates a bucket first creates it with the same
 * config. A record's owner rewrites it every `*HeartbeatMs`; the bucket's max age removes it
 * when the owner is gone (a crashed sidecar's server disappears within `serversMaxAgeMs`).
 */
export const KV_DEFAULTS = {
  /** Max age of the servers bucket. */
  serversMaxAgeMs: 15_000,
  /** How often a sidecar rewrites its server record. */
  serverHeartbeatMs: 3_000,
  /** Max age of the seats bucket; a connected seat is rewritten every `seatHeartbeatMs`. */
  seatsMaxAgeMs: 60_000,
  seatHeartbeatMs: 15_000,
  /** Max age of the deployments bucket. */
  deploymentsMaxAgeMs: 3_600_000,
  /** Max age of the tickets bucket (a ticket waits at most 600 s, then its answer is kept a while). */
  ticketsMaxAgeMs: 900_000,
  /** Max age of the backfills bucket (a backfill lives at most 600 s; its sidecar deletes it). */
  backfillsMaxAgeMs: 900_000,
  /** Max age of the parties bucket: a party not changed for this long is gone (its code expired). */
  partiesMaxAgeMs: 7_200_000,
  /** Replicas per bucket (1 on a single server; a cluster may raise it). */
  replicas: 1,
  /** nats-server 2.9 compatible: file storage, history 1. */
  history: 1,
} as const;
