/**
 * Messages between a player and the matchmaker front (`GET /matchmaker/ws`,
 * `POST /matchmaker/wannaplay`) and between the front and the matchmaker service on NATS.
 */
import { ErrorCode, PlaygapError } from './error-codes.js';
import { type Latencies, parseLatencies } from './latencies.js';
import type { TransportKind } from './records.js';

/** Largest first message the front accepts, in bytes. */
export const MAX_PLAY_REQUEST_BYTES = 4096;

/** Names and versions must be safe in subjects, keys and logs. */
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const PLAYER_NAME_MAX = 32;

/** Player → front: the first (and only) message on the WebSocket. */
export interface PlayRequest {
  /** App name on Edgegap, which is also the playgap app namespace. */
  game: string;
  version: string;
  /** Game mode; travels in the token's user data. */
  mode?: string;
  /** Party id: players with the same party are placed on the same server when possible. */
  party?: string;
  /** Display name shown to others; travels in the token's user data. */
  name?: string;
  /** Transports the client can use, best first; default all. */
  transports?: TransportKind[];
  /** Round-trip ms the browser measured per region id (GET /matchmaker/regions). */
  latencies?: Latencies;
  /** What a queued mode's rules read: numbers (skill), strings (map), lists (languages). */
  attributes?: Record<string, number | string | string[]>;
}

/** Front → matchmaker service: the player's request plus what only the front knows. */
export interface PlacementRequest extends PlayRequest {
  /** Player's IP (socket address or trusted X-Forwarded-For), for Edgegap's location pick. */
  clientIp: string;
  /** NATS subject the service publishes ProgressMessages to while it works. */
  progressSubject?: string;
  /** Unique id of this request, for logs and idempotency. */
  requestId: string;
}

export const ProgressStage = {
  QUEUED: 'queued',
  DEPLOYING: 'deploying',
  WAITING_FOR_SERVER: 'waiting_for_server',
  READY: 'ready',
  /** A queued mode's ticket waits for a match (see `ticket`). */
  SEARCHING: 'searching',
  /** The ticket is in a match; its server is being found or started. */
  MATCH_FOUND: 'match_found',
} as const;
export type ProgressStage = (typeof ProgressStage)[keyof typeof ProgressStage];

export interface ProgressMessage {
  type: 'progress';
  stage: ProgressStage;
  /** Milliseconds since the request arrived. */
  elapsedMs: number;
  /** Human text, e.g. "Starting a server near you (4 s)". */
  message: string;
  /** Queued modes: the ticket's state. */
  ticket?: TicketProgress;
}

/** Where a queued ticket stands. */
export interface TicketProgress {
  id: string;
  mode: string;
  /** Expansion stage the rules are at for it (0 = as written). */
  expansion: number;
  waitedSeconds: number;
  /** Set once a match formed. */
  matchId?: string;
}

/** How to reach one transport of the chosen server. */
export interface TransportEndpoint {
  kind: TransportKind;
  /** `https://ip:port/path` (webtransport), `ws://` or `wss://` (websocket), `http://ip` (webrtc signaling base). */
  url: string;
  /** Public port (TCP signaling port for webrtc). */
  port: number;
}

/** The successful answer: where to go and the token to show there. */
export interface PlayReply {
  type: 'ready';
  /** netcode.io connect token, standard base64 (2732 chars). */
  token: string;
  serverId: string;
  ip: string;
  fqdn?: string;
  /** The first transport's public port (Bevygap's reply had one port). */
  port: number;
  transports: TransportEndpoint[];
  /** Colon hex SHA-256 of the server certificate's DER (WebTransport serverCertificateHashes). */
  certDigest: string;
  /** netcode client id, decimal string. */
  clientId: string;
  /** Unix ms after which the token is refused. */
  expiresAt: number;
}

export interface ErrorMessage {
  type: 'error';
  code: ErrorCode;
  message: string;
}

/** Everything the front sends the player; the last message is a PlayReply or an ErrorMessage. */
export type FrontMessage = ProgressMessage | PlayReply | ErrorMessage;

function fail(message: string): never {
  throw new PlaygapError(ErrorCode.BAD_REQUEST, message);
}

function optionalString(value: unknown, field: string, pattern: RegExp | undefined, max: number) {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') fail(`"${field}" must be a string.`);
  if (value.length === 0 || value.length > max) fail(`"${field}" must be 1-${max} characters.`);
  if (pattern && !pattern.test(value))
    fail(`"${field}" may contain only letters, digits, ".", "_" and "-".`);
  return value;
}

const TRANSPORT_KINDS: readonly string[] = ['webtransport', 'webrtc', 'websocket'];
const PLAY_REQUEST_FIELDS = new Set([
  'game',
  'version',
  'mode',
  'party',
  'name',
  'transports',
  'latencies',
  'attributes',
]);
const ATTRIBUTE_KEY = /^[A-Za-z0-9_-]{1,32}$/;
const MAX_ATTRIBUTES = 16;
const MAX_LIST = 16;

/**
 * Validate a player's first message strictly (unknown fields, wrong types and unsafe names are
 * refused with BAD_REQUEST), from its raw text or already-parsed JSON.
 *
 * @example
 * const request = parsePlayRequest('{"game":"arena","version":"1.0.0"}');
 */
export function parsePlayRequest(input: unknown): PlayRequest {
  let value = input;
  if (typeof input === 'string') {
    if (new TextEncoder().encode(input).length > MAX_PLAY_REQUEST_BYTES) {
      throw new PlaygapError(
        ErrorCode.PAYLOAD_TOO_LARGE,
        `The play request is larger than ${MAX_PLAY_REQUEST_BYTES} bytes.`,
      );
    }
    try {
      value = JSON.parse(input);
    } catch {
      fail('The play request is not valid JSON: send {"game": "<app>", "version": "<version>"}.');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('The play request must be a JSON object like {"game": "<app>", "version": "<version>"}.');
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!PLAY_REQUEST_FIELDS.has(key))
      fail(`Unknown field "${key.slice(0, 40)}" in the play request.`);
  }
  const game = optionalString(record.game, 'game', /^[A-Za-z0-9_-]{1,64}$/, 64);
  const version = optionalString(record.version, 'version', NAME, 64);
  if (game === undefined) fail('"game" is required.');
  if (version === undefined) fail('"version" is required.');
  const request: PlayRequest = { game, version };
  const mode = optionalString(record.mode, 'mode', NAME, 64);
  if (mode !== undefined) request.mode = mode;
  const party = optionalString(record.party, 'party', NAME, 64);
  if (party !== undefined) request.party = party;
  const name = optionalString(record.name, 'name', undefined, PLAYER_NAME_MAX);
  if (name !== undefined) {
    // The name reaches other players' screens, logs and `playgap players` in a terminal.
    if (/[\p{Cc}\p{Cf}]/u.test(name)) {
      fail('"name" may not contain control or formatting characters (escapes, direction marks).');
    }
    if (name.trim() === '') fail('"name" must contain a visible character.');
    request.name = name;
  }
  if (record.transports !== undefined) {
    const list = record.transports;
    if (!Array.isArray(list) || list.length === 0 || list.length > 3) {
      fail('"transports" must be a non-empty list of "webtransport", "webrtc", "websocket".');
    }
    for (const kind of list) {
      if (typeof kind !== 'string' || !TRANSPORT_KINDS.includes(kind)) {
        fail(
          `Unknown transport ${JSON.stringify(kind).slice(0, 40)}: use "webtransport", "webrtc" or "websocket".`,
        );
      }
    }
    request.transports = [...new Set(list as TransportKind[])];
  }
  if (record.latencies !== undefined) request.latencies = parseLatencies(record.latencies);
  if (record.attributes !== undefined) request.attributes = parseAttributes(record.attributes);
  return request;
}

function parseAttributes(value: unknown): Record<string, number | string | string[]> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('"attributes" must be an object of name → number, string or list of strings.');
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_ATTRIBUTES)
    fail(`"attributes" may have at most ${MAX_ATTRIBUTES} entries.`);
  const out: Record<string, number | string | string[]> = {};
  for (const [key, v] of entries) {
    if (!ATTRIBUTE_KEY.test(key)) fail('"attributes" names must be 1-32 letters, digits, _ or -.');
    const short = (x: unknown) => typeof x === 'string' && x.length <= 64;
    if (typeof v === 'number' && Number.isFinite(v)) out[key] = v;
    else if (short(v)) out[key] = v as string;
    else if (Array.isArray(v) && v.length <= MAX_LIST && v.every(short)) out[key] = v as string[];
    else
      fail(
        `"attributes.${key}" must be a number, a string (≤ 64) or a list of ≤ ${MAX_LIST} strings.`,
      );
  }
  return out;
}
