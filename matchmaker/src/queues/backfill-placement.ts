/**
 * Puts a backfill's claimed tickets onto the server that asked: one seat per player on that
 * server, reserved with the usual compare-and-set, every token carrying the running match's id,
 * the team joined and the mode; each seat carries the roster (players still there, earlier
 * newcomers and these) so the sidecar's GET /v1/match lists them. Seats lost (the server
 * filled up or went away) give the room back and the tickets back to searching.
 */
import { ErrorCode, type PlayReply, type TicketRecord } from '@playgap/protocol';
import type { SeatReserver } from '../seat-reservation.js';
import { type BackfillFiller, type BackfillMatch, playersIn } from './backfill-filler.js';
import type { PlacedMatch } from './match-placement.js';

/**
 * The tickets could not be placed, through no fault of theirs: the matcher puts them back to
 * searching instead of failing them.
 *
 * @example
 * throw new TicketsBackToSearching('The server has no seat left for the backfill.');
 */
export class TicketsBackToSearching extends Error {
  readonly code = ErrorCode.NO_CAPACITY;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TicketsBackToSearching';
  }
}

/**
 * @example
 * const placer = new BackfillPlacer({ reserver, filler });
 * const placed = await placer.place(match, records);
 */
export class BackfillPlacer {
  constructor(private readonly o: { reserver: SeatReserver; filler: BackfillFiller }) {}

  async place(match: BackfillMatch, records: readonly TicketRecord[]): Promise<PlacedMatch> {
    const { key, fillId, record } = match.backfill;
    const teamOf = new Map<string, string>();
    for (const team of match.teams ?? [])
      for (const id of team.ticketIds) teamOf.set(id, team.name);
    const roster = playersIn(record);
    const replies: Record<string, PlayReply> = {};
    for (const ticket of records) {
      const team = teamOf.get(ticket.id);
      for (const player of ticket.players) {
        const reply = await this.o.reserver.reserve({
          version: record.version,
          serverId: record.serverId,
          playerId: player.playerId,
          mode: record.mode,
          matchId: record.matchId,
          roster,
          matchVariables: record.matchVariables ?? {},
          ...(team ? { team } : {}),
          ...(player.name ? { name: player.name } : {}),
          ...(ticket.party ? { party: ticket.party } : {}),
          ...(ticket.transports ? { transports: ticket.transports } : {}),
        });
        if (!reply) {
          // Seats already reserved for this fill expire with their tokens.
          await this.o.filler.undo(key, fillId, 'no_seat');
          throw new TicketsBackToSearching(
            `Server ${record.serverId} has no free seat for the backfill of match ${record.matchId}.`,
          );
        }
        replies[player.playerId] = reply;
      }
    }
    await this.o.filler.markPlaced(key, fillId);
    return { serverId: record.serverId, replies };
  }
}
