/**
 * The JSON records kept in NATS KV (see names.ts for buckets and keys). Every record carries
 * `updatedAt` (Unix ms); readers treat a record older than its owner's heartbeat limit as gone
 * even before the bucket's max age removes it.
 */

/** Transport kinds a game server can offer, in the client's order of preference. */
export const TransportKind = {
  WEBTRANSPORT: 'webtransport',
  WEBRTC: 'webrtc',
  WEBSOCKET: 'websocket',
} as const;
export type TransportKind = (typeof TransportKind)[keyof typeof TransportKind];

/** The port protocols an Edgegap app version may declare (and edgegap-local accepts). */
export const PORT_PROTOCOLS = ['TCP', 'UDP', 'TCP/UDP', 'HTTP', 'HTTPS', 'WS', 'WSS'] as const;
export type PortProtocol = (typeof PORT_PROTOCOLS)[number];

/** One port of a server, as Edgegap maps it (`internal` in the container, `external` public). */
export interface PortMapping {
  name: string;
  internal: number;
  external: number;
  /** One of PORT_PROTOCOLS (a string on the wire: a newer Edgegap may add one). */
  protocol: string;
  /** Edgegap terminates TLS on the fqdn for this port (WS → WSS, HTTP → HTTPS). */
  tlsUpgrade?: boolean;
}

/**
 * A transport the game server runs, named by the ports it uses. The game server declares them
 * when it marks itself ready; the matchmaker turns them into URLs for the player.
 */
export interface TransportOffer {
  kind: TransportKind;
  /** Port name: the TCP port (websocket; webrtc signaling) or the UDP port (webtransport/HTTP3). */
  port: string;
  /** webrtc only: the UDP port name carrying the data channels. */
  dataPort?: string;
  /** URL path, default `/` (websocket, webtransport). */
  path?: string;
}

export const ServerState = {
  /** Sidecar up; game server not ready yet: no placement. */
  STARTING: 'starting',
  /** Accepting players. */
  READY: 'ready',
  /** No new players; stops when the last one leaves. */
  DRAINING: 'draining',
  /** Shutting down. */
  STOPPING: 'stopping',
  /** Game server missed its heartbeats. */
  UNHEALTHY: 'unhealthy',
} as const;
export type ServerState = (typeof ServerState)[keyof typeof ServerState];

export interface ServerLocation {
  city?: string;
  country?: string;
  continent?: string;
  latitude?: number;
  longitude?: number;
}

/** Bucket `servers`, key = server id. Written by the server's sidecar on every heartbeat. */
export interface ServerRecord {
  /** Edgegap request id, or the local id given to the sidecar. */
  id: string;
  app: string;
  version: string;
  state: ServerState;
  publicIp: string;
  fqdn?: string;
  ports: Record<string, PortMapping>;
  transports: TransportOffer[];
  /** Colon hex SHA-256 of the WebTransport certificate's DER, e.g. `AB:CD:...`. */
  certDigest: string;
  location?: ServerLocation;
  /** Seats on this server (max players). */
  capacity: number;
  /** Players connected right now. */
  players: number;
  /** Edgegap seat session mode only: sessions bound to this deployment. */
  sessions?: string[];
  startedAt: number;
  updatedAt: number;
}

/**
 * One player of a match as its seats list it. `attributes` and `latencies` are what the mode's
 * rules read: a backfill judges newcomers against the players still in the match.
 */
export interface RosterPlayer {
  playerId: string;
  name?: string;
  team?: string;
  attributes?: Record<string, number | string | string[]>;
  latencies?: Record<string, number>;
}

export const SeatState = {
  /** Reserved by a matchmaker for a player who has not connected yet. */
  RESERVED: 'reserved',
  /** The player's token was verified by the sidecar; the player is on the server. */
  CONNECTED: 'connected',
  /**
   * The player's connection dropped; the seat is held for a reconnect until `expiresAt` (the
   * end of the grace period), then freed. Taken, like a live reservation, until then.
   */
  GRACE: 'grace',
} as const;
export type SeatState = (typeof SeatState)[keyof typeof SeatState];

/**
 * Bucket `seats`, key = `<serverId>.<seatIndex>`. A matchmaker creates it (KV create: fails if
 * the seat is taken) as a reservation; the sidecar turns it into a connection (KV update with
 * the revision) and deletes it on disconnect. A reservation past `expiresAt` counts as free and
 * may be taken over with a KV update at its revision.
 */
export interface SeatRecord {
  serverId: string;
  seatIndex: number;
  state: SeatState;
  /** netcode client id as a decimal string (u64 does not fit a JSON number). */
  clientId: string;
  /** Player id from the token's user data, if any. */
  playerId?: string;
  /** Display name from the play request (as in the token's user data), if any. */
  name?: string;
  /** Party id from the play request: the matchmaker seats a party's players together. */
  party?: string;
  /** Queued modes: the match this seat belongs to, the player's team and the mode. */
  matchId?: string;
  team?: string;
  mode?: string;
  /** Queued modes: every player of the match and the mode's variables (sidecar `GET /v1/match`). */
  roster?: RosterPlayer[];
  matchVariables?: Record<string, string>;
  /**
   * Unix ms: a reservation is void after this (= the token's expiry); a seat in grace is freed
   * at this time (= the end of the grace period).
   */
  expiresAt: number;
  /** Edgegap seat session id (sessions mode). */
  sessionId?: string;
  /** Matchmaker instance that reserved it. */
  reservedBy?: string;
  connectedAt?: number;
  /** Unix ms the connection dropped (state grace). */
  disconnectedAt?: number;
  updatedAt: number;
}

export const DeploymentState = {
  /** POST sent; waiting for Status.READY and the sidecar's record. */
  STARTING: 'starting',
  /** Ready and registered; the record is kept until the server record takes over. */
  READY: 'ready',
  FAILED: 'failed',
} as const;
export type DeploymentState = (typeof DeploymentState)[keyof typeof DeploymentState];

/** Bucket `deployments`, key = Edgegap request id. Owned by the matchmakers. */
export interface DeploymentRecord {
  requestId: string;
  app: string;
  version: string;
  state: DeploymentState;
  /** Seats the server will have, and seats already promised to waiting players. */
  capacity: number;
  promised: number;
  startedBy: string;
  startedAt: number;
  /** Past this (Unix ms) without a server record, any matchmaker stops the deployment. */
  deadlineAt: number;
  error?: string;
  updatedAt: number;
}

export const TicketState = {
  /** Waiting in its mode's pool for a match. */
  SEARCHING: 'searching',
  /** Claimed into a match by a matchmaker (`matchId`, `claimedBy`); its server is being found. */
  MATCHED: 'matched',
  /** Placed: `replies` holds every player's answer (connect token included). */
  PLACED: 'placed',
  /** Over without a match: `error` says why (expired, cancelled, placement failed). */
  FAILED: 'failed',
} as const;
export type TicketState = (typeof TicketState)[keyof typeof TicketState];

/** One player of a ticket (a party ticket has several). */
export interface TicketPlayerRecord {
  playerId: string;
  name?: string;
  attributes?: Record<string, number | string | string[]>;
  latencies?: Record<string, number>;
}

/**
 * Bucket `tickets`, key = ticket id (the front's request id). Created by the matchmaker that
 * took the play request (KV create), claimed into a match by any matchmaker with a KV update
 * at its revision (so no ticket is in two matches), answered by the claimer. A claim whose
 * `claimedAt` is not refreshed within the claim timeout (the claimer died) goes back to
 * `searching`. Holds connect tokens once placed: matchmakers only may read this bucket.
 */
export interface TicketRecord {
  id: string;
  app: string;
  version: string;
  mode: string;
  players: TicketPlayerRecord[];
  party?: string;
  /** For Edgegap's location pick when the match needs a new server. */
  clientIp: string;
  transports?: TransportKind[];
  state: TicketState;
  createdAt: number;
  /** Past this (Unix ms) a searching ticket fails with TICKET_EXPIRED. */
  expiresAt: number;
  matchId?: string;
  team?: string;
  claimedBy?: string;
  claimedAt?: number;
  /**
   * MATCHED: how the match's server is coming, when it needs one started (`deploying`,
   * `waiting_for_server`); written by the claimer once per stage, shown to the players.
   */
  placing?: { stage: string; message: string };
  /** PLACED: the answer of each player, by player id. */
  replies?: Record<string, unknown>;
  /** FAILED: the coded reason. */
  error?: { code: string; message: string };
  updatedAt: number;
}

/** One backfill request of a running match (POST /v1/backfill). */
export interface BackfillRequest {
  id: string;
  /** The team to fill; absent = any team with room. */
  team?: string;
  /** Players asked for. */
  count: number;
  /** Players placed or being placed for it: the sum of its fills' players (kept with the fills). */
  filled: number;
  createdAt: number;
  /** Past this (Unix ms) nobody fills it; the sidecar removes it. */
  expiresAt: number;
}

/** A group of tickets a matchmaker took for one request (one compare-and-set of the record). */
export interface BackfillFill {
  id: string;
  requestId: string;
  ticketIds: string[];
  /** The newcomers, each with the team they join (team modes) and what the rules read. */
  players: RosterPlayer[];
  /** `claiming` while its seats are reserved, `placed` once every player has a token. */
  state: 'claiming' | 'placed';
  claimedBy: string;
  /** A `claiming` fill not placed within the claim timeout (its matchmaker died) is undone. */
  claimedAt: number;
}

/**
 * Bucket `backfills`, key = `<serverId>.<matchId>`: the open backfill requests of one running
 * match. The server's sidecar adds a request (POST /v1/backfill) and removes it on withdrawal,
 * expiry or once filled, and deletes the record when none is left or it exits. Every matchmaker
 * treats an open request as a partly-filled match of its mode and adds a fill with a KV update
 * at the record's revision: one record per match, so two matchmakers (or two requests of one
 * match) never overfill a team or the match.
 */
export interface BackfillRecord {
  app: string;
  version: string;
  serverId: string;
  mode: string;
  matchId: string;
  requests: BackfillRequest[];
  /** Fills of the requests; placed ones stay while the record lives (they count as players). */
  fills: BackfillFill[];
  /** The players in the match at the latest request (the rules judge newcomers with them). */
  players: RosterPlayer[];
  /** The mode's variables, for the newcomers' seats. */
  matchVariables?: Record<string, string>;
  updatedAt: number;
}

/** Where a party stands: taking members, in the queue with one ticket, or over. */
export const PartyState = {
  /** Taking members; the leader may queue. */
  OPEN: 'open',
  /** In the queue: `ticketId` holds every member; no one joins until it ends. */
  QUEUED: 'queued',
  /** Its ticket was placed: every member has an answer; the code is spent. */
  PLACED: 'placed',
  /** The leader left: every member's session ends with PARTY_DISBANDED. */
  DISBANDED: 'disbanded',
} as const;
export type PartyState = (typeof PartyState)[keyof typeof PartyState];

/** One member of a party, as the ticket will carry it (player id = member id). */
export interface PartyMemberRecord {
  memberId: string;
  name?: string;
  attributes?: Record<string, number | string | string[]>;
  latencies?: Record<string, number>;
  transports?: TransportKind[];
  /** For Edgegap's location pick (the leader's is the ticket's). */
  clientIp: string;
  joinedAt: number;
  /**
   * Rewritten by the member's session every `memberRefreshMs` while the party is open; a member
   * not seen for `memberStaleMs` (its front or replica died without a leave) is dropped.
   */
  seenAt: number;
}

/**
 * Bucket `parties`, key = the party code without its dash (`K7QF2M`). Created by the
 * matchmaker that served `party_create` (KV create, so two parties never share a code), changed
 * by any matchmaker with a KV update at the revision it read (join, leave, queue). Every
 * member's session follows the key, so members may be on different replicas. When the leader
 * queues, `ticketId` names the one ticket that carries every member; its answer is each
 * member's. The bucket's max age (`partiesMaxAgeMs`) expires a party left alone.
 */
export interface PartyRecord {
  /** The code without its dash (the key). */
  code: string;
  app: string;
  version: string;
  leaderId: string;
  members: PartyMemberRecord[];
  /** Most members the party takes (its mode's team size, or the largest of the config). */
  maxSize: number;
  /** The mode named at creation (the queue default), if any. */
  mode?: string;
  state: PartyState;
  /** QUEUED (and after): the party's ticket. */
  ticketId?: string;
  /** The last ticket failed (expired, cancelled...): why, shown to every member. */
  ticketError?: { code: string; message: string };
  createdAt: number;
  updatedAt: number;
}
