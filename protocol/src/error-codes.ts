/**
 * Every error code a playgap component puts on the wire (sidecar API, matchmaker replies,
 * client SDK errors). Codes are stable: clients switch on them. Each one is documented in
 * docs/errors.md; a test fails when one is missing there.
 */
export const ErrorCode = {
  // Connect tokens (protocol/token)
  TOKEN_MALFORMED: 'TOKEN_MALFORMED',
  TOKEN_WRONG_VERSION: 'TOKEN_WRONG_VERSION',
  TOKEN_WRONG_PROTOCOL: 'TOKEN_WRONG_PROTOCOL',
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  TOKEN_NOT_YET_VALID: 'TOKEN_NOT_YET_VALID',
  TOKEN_BAD_MAC: 'TOKEN_BAD_MAC',
  TOKEN_ADDRESS_NOT_LISTED: 'TOKEN_ADDRESS_NOT_LISTED',
  TOKEN_INVALID_ARGUMENT: 'TOKEN_INVALID_ARGUMENT',
  KEY_INVALID: 'KEY_INVALID',
  USER_DATA_TOO_LARGE: 'USER_DATA_TOO_LARGE',
  USER_DATA_MALFORMED: 'USER_DATA_MALFORMED',
  // Seats (sidecar verify-and-consume)
  NO_RESERVATION: 'NO_RESERVATION',
  ALREADY_CONNECTED: 'ALREADY_CONNECTED',
  TOKEN_REPLAYED: 'TOKEN_REPLAYED',
  SERVER_DRAINING: 'SERVER_DRAINING',
  SERVER_NOT_READY: 'SERVER_NOT_READY',
  UNKNOWN_CLIENT: 'UNKNOWN_CLIENT',
  // Reconnecting to a held seat (sidecar POST /v1/players/reconnect, client SDK)
  RECONNECT_REFUSED: 'RECONNECT_REFUSED',
  RECONNECT_EXPIRED: 'RECONNECT_EXPIRED',
  // Requests in general (HTTP APIs, WebSocket front)
  BAD_REQUEST: 'BAD_REQUEST',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  NOT_FOUND: 'NOT_FOUND',
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  RATE_LIMITED: 'RATE_LIMITED',
  TOO_MANY_CONCURRENT: 'TOO_MANY_CONCURRENT',
  ORIGIN_NOT_ALLOWED: 'ORIGIN_NOT_ALLOWED',
  INTERNAL: 'INTERNAL',
  // Placement (matchmaker)
  UNKNOWN_GAME: 'UNKNOWN_GAME',
  UNKNOWN_VERSION: 'UNKNOWN_VERSION',
  NO_CAPACITY: 'NO_CAPACITY',
  DEPLOYMENT_FAILED: 'DEPLOYMENT_FAILED',
  SERVER_NEVER_READY: 'SERVER_NEVER_READY',
  PLACEMENT_TIMEOUT: 'PLACEMENT_TIMEOUT',
  MATCHMAKER_UNAVAILABLE: 'MATCHMAKER_UNAVAILABLE',
  MATCHMAKER_MISCONFIGURED: 'MATCHMAKER_MISCONFIGURED',
  EDGEGAP_ERROR: 'EDGEGAP_ERROR',
  EDGEGAP_TIMEOUT: 'EDGEGAP_TIMEOUT',
  NATS_UNAVAILABLE: 'NATS_UNAVAILABLE',
  // Latencies a browser measured (play request `latencies`)
  LATENCIES_INVALID: 'LATENCIES_INVALID',
  UNKNOWN_REGION: 'UNKNOWN_REGION',
  // Matchmaking queues (tickets)
  UNKNOWN_MODE: 'UNKNOWN_MODE',
  PARTY_TOO_BIG: 'PARTY_TOO_BIG',
  TICKET_INVALID: 'TICKET_INVALID',
  TICKET_EXPIRED: 'TICKET_EXPIRED',
  TICKET_CANCELLED: 'TICKET_CANCELLED',
  MODE_REMOVED: 'MODE_REMOVED',
  // Backfill of running matches (sidecar POST/DELETE /v1/backfill)
  UNKNOWN_MATCH: 'UNKNOWN_MATCH',
  UNKNOWN_TEAM: 'UNKNOWN_TEAM',
  BACKFILL_NO_ROOM: 'BACKFILL_NO_ROOM',
  UNKNOWN_BACKFILL: 'UNKNOWN_BACKFILL',
  // Parties by code (matchmaker front)
  PARTY_NOT_FOUND: 'PARTY_NOT_FOUND',
  PARTY_FULL: 'PARTY_FULL',
  PARTY_ALREADY_JOINED: 'PARTY_ALREADY_JOINED',
  PARTY_NOT_LEADER: 'PARTY_NOT_LEADER',
  PARTY_IN_QUEUE: 'PARTY_IN_QUEUE',
  PARTY_MEMBER_BUSY: 'PARTY_MEMBER_BUSY',
  PARTY_DISBANDED: 'PARTY_DISBANDED',
  PARTY_LEFT: 'PARTY_LEFT',
  // Client SDK
  MATCHMAKER_UNREACHABLE: 'MATCHMAKER_UNREACHABLE',
  TRANSPORT_FAILED: 'TRANSPORT_FAILED',
  TOKEN_REFUSED: 'TOKEN_REFUSED',
  CONNECT_TIMEOUT: 'CONNECT_TIMEOUT',
  CANCELLED: 'CANCELLED',
  DISCONNECTED: 'DISCONNECTED',
  SERVER_GONE: 'SERVER_GONE',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** True when `value` is one of the known wire error codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ErrorCode, value);
}

/**
 * Base class of every playgap error: a stable machine `code`, a message a human can act on,
 * and the underlying `cause` when there is one. Packages subclass it per failure kind.
 *
 * @example
 * throw new PlaygapError(ErrorCode.NO_CAPACITY, 'All servers are full; try again in a minute.');
 */
export class PlaygapError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PlaygapError';
    this.code = code;
  }

  /** The `{code, message}` shape every playgap API puts on the wire. */
  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}
