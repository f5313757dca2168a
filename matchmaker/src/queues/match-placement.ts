/**
 * Puts a formed match on one server: a live server of the version with a free seat for every
 * player (fullest first), or else a deployment started (or joined) for it. Every player's seat
 * is reserved with the usual KV compare-and-set, and every token carries the match id, team and
 * mode. A server that loses seats to another matchmaker halfway is given up for the next one
 * (the seats already taken expire with their tokens).
 */
import { ErrorCode, type PlayReply, type TicketRecord } from '@playgap/protocol';
import type { DeploymentPool, ProgressFn } from '../deployment-pool.js';
import { PlacementError } from '../errors.js';
import type { FleetCache } from '../fleet-cache.js';
import type { SeatRequest, SeatReserver } from '../seat-reservation.js';
import type { FormedMatch } from './match-pool.js';

export interface MatchPlacerOptions {
  fleet: FleetCache;
  reserver: SeatReserver;
  /** Absent: warm servers only (NO_CAPACITY when none has room). */
  pool?: DeploymentPool;
  placementTimeoutMs: number;
  now?: () => number;
}

/** Each player's answer, by player id, and the server they all got. */
export interface PlacedMatch {
  serverId: string;
  replies: Record<string, PlayReply>;
}

/**
 * @example
 * const placed = await placer.place(match, records, (stage, message) => log(stage, message));
 */
export class MatchPlacer {
  readonly #o: MatchPlacerOptions;
  readonly #now: () => number;

  constructor(options: MatchPlacerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  async place(
    match: FormedMatch,
    records: readonly TicketRecord[],
    variables: Record<string, string> = {},
    progress: ProgressFn = () => {},
  ): Promise<PlacedMatch> {
    const version = records[0]?.version as string;
    const seats = seatRequests(match, records, variables);
    const tried = new Set<string>();
    for (let attempt = 0; attempt < 4; attempt++) {
      const serverId = this.#serverWithRoom(version, seats.length, tried);
      if (!serverId) break;
      tried.add(serverId);
      const placed = await this.#reserveAll(serverId, seats);
      if (placed) return placed;
    }
    const pool = this.#o.pool;
    if (!pool) {
      throw new PlacementError(
        ErrorCode.NO_CAPACITY,
        'No server has room for the whole match; try again.',
      );
    }
    const giveUpAt = this.#now() + this.#o.placementTimeoutMs;
    const clientIp = records[0]?.clientIp as string;
    while (this.#now() < giveUpAt) {
      const { requestId } = await pool.acquire(version, clientIp, progress, giveUpAt);
      await pool.awaitServer(requestId, progress, giveUpAt);
      const placed = await this.#reserveAll(requestId, seats);
      if (placed) return placed;
    }
    throw new PlacementError(
      ErrorCode.PLACEMENT_TIMEOUT,
      'Placing the match took too long; queue again.',
    );
  }

  /** The fullest live server of `version` with `count` free seats, not tried yet. */
  #serverWithRoom(version: string, count: number, tried: ReadonlySet<string>): string | undefined {
    const free = new Map<string, number>();
    for (const seat of this.#o.fleet.freeSeats(version, new Set(), 100_000)) {
      free.set(seat.serverId, (free.get(seat.serverId) ?? 0) + 1);
    }
    for (const [serverId, seats] of free)
      if (seats >= count && !tried.has(serverId)) return serverId;
    return undefined;
  }

  async #reserveAll(serverId: string, seats: readonly (SeatRequest & { playerId: string })[]) {
    const replies: Record<string, PlayReply> = {};
    for (const seat of seats) {
      const reply = await this.#o.reserver.reserve({ ...seat, serverId });
      if (!reply) return undefined;
      replies[seat.playerId] = reply;
    }
    return { serverId, replies };
  }
}

/** One seat request per player: the match, its team and mode travel in the token. */
function seatRequests(
  match: FormedMatch,
  records: readonly TicketRecord[],
  variables: Record<string, string>,
) {
  const teamOf = new Map<string, string>();
  for (const team of match.teams ?? []) for (const id of team.ticketIds) teamOf.set(id, team.name);
  const roster = records.flatMap((record) =>
    record.players.map((p) => {
      const team = teamOf.get(record.id);
      return {
        playerId: p.playerId,
        ...(p.name ? { name: p.name } : {}),
        ...(team ? { team } : {}),
        // What the rules read: a backfill judges newcomers with the players still in the match.
        ...(p.attributes ? { attributes: p.attributes } : {}),
        ...(p.latencies ? { latencies: p.latencies } : {}),
      };
    }),
  );
  return records.flatMap((record) =>
    record.players.map((player) => {
      const team = teamOf.get(record.id);
      return {
        version: record.version,
        playerId: player.playerId,
        mode: record.mode,
        matchId: match.matchId,
        roster,
        matchVariables: variables,
        ...(team ? { team } : {}),
        ...(player.name ? { name: player.name } : {}),
        ...(record.party ? { party: record.party } : {}),
        ...(record.transports ? { transports: record.transports } : {}),
      };
    }),
  );
}
