/**
 * A party member on the play socket: after its first message (`party_create` / `party_join`)
 * the socket stays open, shows the roster as it changes, and takes `party_queue`,
 * `party_leave` and `cancel`; its one final message is this member's answer. A refused command
 * is a `party_refused` message, and the party goes on. Closing the socket leaves the party.
 */
import { randomUUID } from 'node:crypto';
import {
  ErrorCode,
  type FrontMessage,
  normalizePartyCode,
  type PartyCreateMessage,
  type PartyFrontMessage,
  type PartyJoinMessage,
  type PartySessionRequest,
  parsePartyCommand,
} from '@playgap/protocol';
import { toWireError } from '../errors.js';
import type { PartyClient } from './party-client.js';
import type { PlacementAnswer } from './play-client.js';

/** Answers that mean the session was lost, not that the party ended it. */
const LOST: ReadonlySet<string> = new Set([
  ErrorCode.MATCHMAKER_UNAVAILABLE,
  ErrorCode.NATS_UNAVAILABLE,
  ErrorCode.PLACEMENT_TIMEOUT,
  ErrorCode.INTERNAL,
]);

/** One member's party on one socket. */
export interface PartySocketSession {
  answer: Promise<PlacementAnswer>;
  /** A later message from the player. */
  command(raw: string): void;
  /** The socket closed before the final answer: leave the party. */
  leave(): void;
}

/**
 * @example
 * const session = openPartySession(parties, opening, ip, (m) => socket.send(JSON.stringify(m)));
 * socket.on('message', (data) => session.command(String(data)));
 */
export function openPartySession(
  client: PartyClient,
  opening: PartyCreateMessage | PartyJoinMessage,
  clientIp: string,
  send: (message: FrontMessage | PartyFrontMessage) => void,
): PartySocketSession {
  const memberId = randomUUID().replaceAll('-', '');
  const { type, ...member } = opening;
  const request = {
    ...member,
    action: type === 'party_create' ? 'create' : 'join',
    clientIp,
    memberId,
  } as PartySessionRequest;
  let code: string | undefined;
  let over = false;
  let gone = false;
  const leave = () => {
    if (code) void client.command(opening.game, { code, memberId, action: 'leave' });
  };
  const answer = client
    .session(opening.game, request, (message) => {
      if (message.type === 'party' && !code) {
        code = normalizePartyCode(message.code);
        if (gone) leave(); // the socket closed before the party was known
      }
      send(message);
    })
    .then((answer) => {
      over = true;
      // The serving replica went silent or NATS failed: take this member out of the party
      // (a leave for someone already out changes nothing), so no ghost holds a seat.
      if (answer.type === 'error' && LOST.has(answer.code)) leave();
      return answer;
    });
  const refuse = (code: ErrorCode, message: string) =>
    send({ type: 'party_refused', code, message });
  return {
    answer,
    command(raw) {
      let command: ReturnType<typeof parsePartyCommand>;
      try {
        command = parsePartyCommand(raw);
      } catch (error) {
        const wire = toWireError(error);
        refuse(wire.code, wire.message);
        return;
      }
      if (!code || over) {
        refuse(ErrorCode.BAD_REQUEST, 'Wait for the "party" message before sending commands.');
        return;
      }
      const action =
        command.type === 'party_queue'
          ? 'queue'
          : command.type === 'party_leave'
            ? 'leave'
            : 'cancel';
      void client
        .command(opening.game, {
          code,
          memberId,
          action,
          ...(command.type === 'party_queue' && command.mode ? { mode: command.mode } : {}),
        })
        .then((reply) => {
          if (reply.type === 'error' && !over) refuse(reply.code, reply.message);
        });
    },
    leave() {
      gone = true;
      if (!over) leave();
    },
  };
}
