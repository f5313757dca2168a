/**
 * Parties by code on the WebSocket front (`GET /matchmaker/ws`): the first message creates a
 * party (`party_create` → a code like `K7QF-2M`) or joins one (`party_join`); the socket then
 * gets the roster live (`party`), the leader sends `party_queue`, and every member's socket
 * follows the one ticket to its own final answer. Also the front ↔ matchmaker messages on NATS.
 */
import { ErrorCode, PlaygapError } from './error-codes.js';
import { type ErrorMessage, type PlayRequest, parsePlayRequest } from './messages.js';
import type { PartyState } from './records.js';

/** Letters and digits a party code uses: no 0/O, 1/I/L, so it reads aloud and types easily. */
export const PARTY_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
/** Characters of a code (shown as `XXXX-XX`). */
export const PARTY_CODE_LENGTH = 6;

/** The player's side of a new party: who they are, as in a play request (no `party`, no `mode`). */
export type PartyMemberRequest = Omit<PlayRequest, 'party' | 'mode'>;

/** Player → front, first message: create a party (optionally for one mode: its size limit). */
export interface PartyCreateMessage extends PartyMemberRequest {
  type: 'party_create';
  mode?: string;
}

/** Player → front, first message: join the party of `code` (`K7QF-2M`, any case, dash optional). */
export interface PartyJoinMessage extends PartyMemberRequest {
  type: 'party_join';
  code: string;
}

/** Player → front, later: the leader queues the party (`mode` defaults to the party's, then the config's). */
export interface PartyQueueMessage {
  type: 'party_queue';
  mode?: string;
}

/** Player → front, later: leave the party (the leader's leave ends it for everyone). */
export interface PartyLeaveMessage {
  type: 'party_leave';
}

/** What a party socket may send after its first message (`cancel`: the leader takes the ticket back). */
export type PartyCommandMessage = PartyQueueMessage | PartyLeaveMessage | { type: 'cancel' };

/** One member as every member sees it (no IP, no attributes). */
export interface PartyMemberView {
  memberId: string;
  name?: string;
}

/** Front → player: the party as it is now (after every change, and repeated while nothing changes). */
export interface PartyMessage {
  type: 'party';
  /** Shown as `XXXX-XX`. */
  code: string;
  /** This socket's member id. */
  you: string;
  leaderId: string;
  state: PartyState;
  members: PartyMemberView[];
  maxSize: number;
  mode?: string;
  /** The last ticket ended without a match: why (the party is open again). */
  ticketError?: { code: ErrorCode; message: string };
}

/** Front → player: a command was refused; the party goes on (not a final message). */
export interface PartyRefusedMessage {
  type: 'party_refused';
  code: ErrorCode;
  message: string;
}

/** Party messages that are not final: the socket stays open after them. */
export type PartyFrontMessage = PartyMessage | PartyRefusedMessage;

/** Front → matchmaker (`playgap.<app>.party`): one member's session. */
export type PartySessionRequest = (
  | (Omit<PartyCreateMessage, 'type'> & { action: 'create' })
  | (Omit<PartyJoinMessage, 'type'> & { action: 'join' })
) & {
  /** The member's IP, for Edgegap's location pick. */
  clientIp: string;
  /** The member's id, made by the front: the player id in the ticket. */
  memberId: string;
  /** Where roster, progress and the final answer go. */
  progressSubject?: string;
};

/** Front → matchmaker (`playgap.<app>.party.command`), request/reply. */
export interface PartyCommandRequest {
  /** Normalized code (no dash). */
  code: string;
  memberId: string;
  action: 'queue' | 'leave' | 'cancel';
  mode?: string;
}

/** The answer to a PartyCommandRequest. */
export type PartyCommandReply = { type: 'ok' } | ErrorMessage;

const CODE_CHARS = new RegExp(`^[${PARTY_CODE_ALPHABET}]{${PARTY_CODE_LENGTH}}$`);

/**
 * A new random party code, normalized (no dash).
 *
 * @example
 * const code = newPartyCode(); // 'K7QF2M'; formatPartyCode(code) === 'K7QF-2M'
 */
export function newPartyCode(
  randomBytes: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n)),
): string {
  let code = '';
  // Rejection sampling keeps every letter equally likely (256 is not a multiple of 31).
  const limit = 256 - (256 % PARTY_CODE_ALPHABET.length);
  while (code.length < PARTY_CODE_LENGTH) {
    for (const byte of randomBytes(PARTY_CODE_LENGTH * 2)) {
      if (byte < limit && code.length < PARTY_CODE_LENGTH) {
        code += PARTY_CODE_ALPHABET[byte % PARTY_CODE_ALPHABET.length];
      }
    }
  }
  return code;
}

/**
 * The code as players read it: `K7QF2M` → `K7QF-2M`.
 *
 * @example
 * formatPartyCode('K7QF2M'); // 'K7QF-2M'
 */
export function formatPartyCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * The key of a typed code (any case, dash and spaces optional), or PARTY_NOT_FOUND when it
 * cannot be a code.
 *
 * @example
 * normalizePartyCode(' k7qf-2m '); // 'K7QF2M'
 */
export function normalizePartyCode(input: unknown): string {
  if (typeof input !== 'string' || input.length > 32) {
    throw new PlaygapError(ErrorCode.BAD_REQUEST, '"code" must be a party code like K7QF-2M.');
  }
  const code = input.toUpperCase().replace(/[\s-]/g, '');
  if (!CODE_CHARS.test(code)) {
    throw new PlaygapError(
      ErrorCode.PARTY_NOT_FOUND,
      `"${input.slice(0, 16)}" is not a party code: codes look like K7QF-2M.`,
    );
  }
  return code;
}

function fail(message: string): never {
  throw new PlaygapError(ErrorCode.BAD_REQUEST, message);
}

/** True when a first message on the socket is a party message (not a play request). */
export function isPartyOpening(value: unknown): value is { type: 'party_create' | 'party_join' } {
  const type = (value as { type?: unknown } | null)?.type;
  return type === 'party_create' || type === 'party_join';
}

/**
 * Validate a party socket's first message as strictly as a play request.
 *
 * @example
 * parsePartyOpening({ type: 'party_join', code: 'k7qf-2m', game: 'arena', version: '1.0.0' });
 */
export function parsePartyOpening(value: unknown): PartyCreateMessage | PartyJoinMessage {
  if (!isPartyOpening(value)) fail('Send "party_create" or "party_join".');
  const { type, code, mode, ...player } = value as Record<string, unknown>;
  if ('party' in player) fail('A party member sends no "party" field.');
  const request = parsePlayRequest(player);
  if (type === 'party_create') {
    const parsed = mode === undefined ? request : parsePlayRequest({ ...player, mode });
    return { type, ...parsed };
  }
  if (mode !== undefined)
    fail('"mode" is the leader\'s: send it with "party_create" or "party_queue".');
  return { type: 'party_join', code: normalizePartyCode(code), ...request };
}

/**
 * Validate a message a party socket sends after its first one.
 *
 * @example
 * parsePartyCommand('{"type":"party_queue","mode":"2v2"}');
 */
export function parsePartyCommand(input: string): PartyCommandMessage {
  let value: unknown;
  try {
    value = JSON.parse(input);
  } catch {
    fail('Party messages are JSON: {"type": "party_queue"}, {"type": "party_leave"}...');
  }
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  const { type, mode, ...rest } = record;
  if (type === 'party_create' || type === 'party_join') {
    throw new PlaygapError(
      ErrorCode.PARTY_ALREADY_JOINED,
      'This socket is in a party already: send "party_leave" first, or open a new socket.',
    );
  }
  if (Object.keys(rest).length > 0) fail(`Unknown field "${Object.keys(rest)[0]?.slice(0, 40)}".`);
  if (type === 'party_queue') {
    if (mode === undefined) return { type };
    if (typeof mode !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(mode)) {
      fail('"mode" must be a mode name.');
    }
    return { type, mode };
  }
  if (mode !== undefined) fail('Only "party_queue" takes a "mode".');
  if (type === 'party_leave' || type === 'cancel') return { type };
  fail('A party socket sends "party_queue", "party_leave" or "cancel".');
}
