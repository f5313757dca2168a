/**
 * Reads what the matchmaker front sends (progress, the reply, or an error) and refuses anything
 * that does not match the contract, so a broken front is a clear error and not a crash later.
 */
import {
  ErrorCode,
  type FrontMessage,
  isErrorCode,
  type PartyFrontMessage,
  type PartyMessage,
  PartyState,
  type PlayReply,
  ProgressStage,
  type TicketProgress,
  type TransportEndpoint,
  TransportKind,
} from '@playgap/protocol';
import { PlaygapClientError } from './errors.js';

const STAGES: readonly string[] = Object.values(ProgressStage);
const KINDS: readonly string[] = Object.values(TransportKind);
const PARTY_STATES: readonly string[] = Object.values(PartyState);

function bad(detail: string): never {
  throw new PlaygapClientError(
    ErrorCode.MATCHMAKER_UNREACHABLE,
    `The matchmaker sent a message this client does not understand (${detail}).`,
  );
}

function field<T>(record: Record<string, unknown>, key: string, type: string): T {
  const value = record[key];
  if (typeof value !== type) bad(`"${key}" is not a ${type}`);
  return value as T;
}

function parseEndpoint(value: unknown): TransportEndpoint {
  if (typeof value !== 'object' || value === null) bad('a transport is not an object');
  const record = value as Record<string, unknown>;
  const kind = field<string>(record, 'kind', 'string');
  if (!KINDS.includes(kind)) bad(`unknown transport "${kind.slice(0, 20)}"`);
  return {
    kind: kind as TransportKind,
    url: field<string>(record, 'url', 'string'),
    port: field<number>(record, 'port', 'number'),
  };
}

function parseReply(record: Record<string, unknown>): PlayReply {
  const transports = record.transports;
  if (!Array.isArray(transports)) bad('"transports" is not a list');
  const reply: PlayReply = {
    type: 'ready',
    token: field<string>(record, 'token', 'string'),
    serverId: field<string>(record, 'serverId', 'string'),
    ip: field<string>(record, 'ip', 'string'),
    port: field<number>(record, 'port', 'number'),
    transports: transports.map(parseEndpoint),
    certDigest: field<string>(record, 'certDigest', 'string'),
    clientId: field<string>(record, 'clientId', 'string'),
    expiresAt: field<number>(record, 'expiresAt', 'number'),
  };
  if (typeof record.fqdn === 'string') reply.fqdn = record.fqdn;
  return reply;
}

/** A queued ticket's state on a progress message; a malformed one is left out, not fatal. */
function parseTicket(value: unknown): TicketProgress | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const t = value as Record<string, unknown>;
  if (
    typeof t.id !== 'string' ||
    typeof t.mode !== 'string' ||
    typeof t.expansion !== 'number' ||
    typeof t.waitedSeconds !== 'number'
  ) {
    return undefined;
  }
  return {
    id: t.id,
    mode: t.mode,
    expansion: t.expansion,
    waitedSeconds: t.waitedSeconds,
    ...(typeof t.matchId === 'string' ? { matchId: t.matchId } : {}),
  };
}

function parseParty(record: Record<string, unknown>): PartyMessage {
  const members = record.members;
  if (!Array.isArray(members)) bad('"members" is not a list');
  const state = field<string>(record, 'state', 'string');
  if (!PARTY_STATES.includes(state)) bad(`unknown party state "${state.slice(0, 20)}"`);
  const party: PartyMessage = {
    type: 'party',
    code: field<string>(record, 'code', 'string'),
    you: field<string>(record, 'you', 'string'),
    leaderId: field<string>(record, 'leaderId', 'string'),
    state: state as PartyState,
    members: members.map((m) => {
      if (typeof m !== 'object' || m === null) bad('a member is not an object');
      const member = m as Record<string, unknown>;
      return {
        memberId: field<string>(member, 'memberId', 'string'),
        ...(typeof member.name === 'string' ? { name: member.name } : {}),
      };
    }),
    maxSize: field<number>(record, 'maxSize', 'number'),
  };
  if (typeof record.mode === 'string') party.mode = record.mode;
  const ticketError = record.ticketError as Record<string, unknown> | undefined;
  if (typeof ticketError === 'object' && ticketError !== null) {
    party.ticketError = {
      code: isErrorCode(ticketError.code) ? ticketError.code : ErrorCode.INTERNAL,
      message: typeof ticketError.message === 'string' ? ticketError.message : '',
    };
  }
  return party;
}

/**
 * Parse one text frame from the matchmaker front.
 *
 * @example
 * parseFrontMessage('{"type":"progress","stage":"queued","elapsedMs":3,"message":"Queued"}');
 */
export function parseFrontMessage(text: unknown): FrontMessage | PartyFrontMessage {
  if (typeof text !== 'string') bad('a binary frame');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    bad('not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad('not an object');
  const record = value as Record<string, unknown>;
  switch (record.type) {
    case 'progress': {
      const stage = field<string>(record, 'stage', 'string');
      if (!STAGES.includes(stage)) bad(`unknown stage "${stage.slice(0, 20)}"`);
      const ticket = parseTicket(record.ticket);
      return {
        type: 'progress',
        stage: stage as ProgressStage,
        elapsedMs: field<number>(record, 'elapsedMs', 'number'),
        message: typeof record.message === 'string' ? record.message : '',
        ...(ticket ? { ticket } : {}),
      };
    }
    case 'party':
      return parseParty(record);
    case 'party_refused':
      return {
        type: 'party_refused',
        code: isErrorCode(record.code) ? record.code : ErrorCode.INTERNAL,
        message: typeof record.message === 'string' ? record.message : 'Refused.',
      };
    case 'ready':
      return parseReply(record);
    case 'error': {
      const message = typeof record.message === 'string' ? record.message : 'Matchmaking failed.';
      return {
        type: 'error',
        code: isErrorCode(record.code) ? record.code : ErrorCode.INTERNAL,
        message,
      };
    }
    default:
      bad('unknown type');
  }
}
