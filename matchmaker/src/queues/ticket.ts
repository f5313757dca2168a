/**
 * A ticket: one player or a whole party queueing for a mode, with the attributes the mode's
 * rules read (skill, map, languages...) and round trips to regions. `checkTicket` refuses a
 * ticket the mode cannot take, with a code the player sees.
 */
import { ErrorCode, PlaygapError } from '@playgap/protocol';
import type { QueueMode } from './matchmaking-config.js';

/** What a rule reads: a number (number_difference), a string (string_equality), a list (intersection). */
export type AttributeValue = number | string | string[];

export interface TicketPlayer {
  playerId: string;
  name?: string;
  attributes?: Record<string, AttributeValue>;
  /** Round trip to each region in ms, measured by the browser (latency rule). */
  latencies?: Record<string, number>;
}

/** A ticket as the engine sees it; `createdAt` (Unix ms) drives the expansions. */
export interface Ticket {
  id: string;
  mode: string;
  createdAt: number;
  players: TicketPlayer[];
  /** Party code, when the players came as a party. */
  party?: string;
}

/**
 * A ticket the mode refuses (unknown mode, party too big, attribute of the wrong type).
 *
 * @example
 * throw new TicketError(ErrorCode.PARTY_TOO_BIG, 'A party of 5 does not fit a team of 4.');
 */
export class TicketError extends PlaygapError {
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.name = 'TicketError';
  }
}

/**
 * Throw a TicketError unless `mode` can ever match `ticket`: the party fits a match (and a
 * team), and each rule's attribute has the rule's type for every player.
 *
 * @example
 * checkTicket(ticket, config.modes['2v2'] as QueueMode, '2v2');
 */
export function checkTicket(ticket: Ticket, mode: QueueMode, modeName: string): void {
  const size = ticket.players.length;
  const room = mode.teams ? Math.min(mode.teams.maxSize, mode.maxPlayers) : mode.maxPlayers;
  if (size === 0) throw new TicketError(ErrorCode.TICKET_INVALID, 'A ticket needs a player.');
  if (size > room) {
    throw new TicketError(
      ErrorCode.PARTY_TOO_BIG,
      `A party of ${size} does not fit mode "${modeName}" (at most ${room} together); split the party.`,
    );
  }
  for (const rule of mode.rules) {
    for (const player of ticket.players) {
      if (rule.kind === 'latency') {
        const latencies = player.latencies;
        const ok =
          latencies !== undefined &&
          Object.keys(latencies).length > 0 &&
          Object.values(latencies).every((ms) => typeof ms === 'number' && ms >= 0 && ms < 60_000);
        if (!ok) {
          throw new TicketError(
            ErrorCode.TICKET_INVALID,
            `Mode "${modeName}" matches by latency: send "latencies" ({"region": ms}) for every player.`,
          );
        }
        continue;
      }
      const value = player.attributes?.[rule.attribute];
      const ok =
        rule.kind === 'number_difference'
          ? typeof value === 'number' && Number.isFinite(value)
          : rule.kind === 'string_equality'
            ? typeof value === 'string'
            : Array.isArray(value) && value.every((v) => typeof v === 'string');
      if (!ok) {
        const type =
          rule.kind === 'number_difference'
            ? 'a number'
            : rule.kind === 'string_equality'
              ? 'a string'
              : 'a list of strings';
        throw new TicketError(
          ErrorCode.TICKET_INVALID,
          `Mode "${modeName}" needs attribute "${rule.attribute}" as ${type} for every player (rule "${rule.name}").`,
        );
      }
    }
  }
}
