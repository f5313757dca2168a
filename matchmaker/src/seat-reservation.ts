/**
 * Reserves a seat atomically: KV create on a free seat key (fails when another matchmaker got
 * there first), or KV update at the revision of an expired reservation. The cache proposes seats;
 * the compare-and-set decides. Seats being tried by this process are skipped by its other
 * placements, so concurrent requests spread over seats instead of colliding.
 */
import type { KV } from '@nats-io/kv';
import {
  ErrorCode,
  type PlayReply,
  type SeatRecord,
  SeatState,
  type ServerRecord,
  ServerState,
  seatKey,
  type TransportEndpoint,
  type TransportKind,
} from '@playgap/protocol';
import { isKvConflict, type KvWriter, retryWhileUnavailable } from '@playgap/protocol/kv';
import type { MintedToken, TokenMinter } from './connect-token.js';
import { tokenAddresses, transportEndpoints } from './endpoints.js';
import { PlacementError } from './errors.js';
import type { FleetCache, FreeSeat } from './fleet-cache.js';

export interface SeatReserverOptions {
  seats: KV;
  /** Writes the seat compare-and-sets (cheaper than `seats.create`/`update`); default those. */
  writer?: KvWriter;
  fleet: FleetCache;
  mint: TokenMinter;
  instanceId: string;
  now?: () => number;
}

/** What the player asked for that ends up in the token and the seat. */
export interface SeatRequest {
  version: string;
  name?: string;
  mode?: string;
  playerId?: string;
  /** Only seats of this server (a deployment the player waited for). */
  serverId?: string;
  /** Edgegap seat session (sessions mode). */
  sessionId?: string;
  /** Party id: seat with the party's other players when possible. */
  party?: string;
  /** Transports the client can use, best first (the reply lists those, in that order). */
  transports?: readonly TransportKind[];
  /** Queued modes: the match and team, in the token and the seat. */
  matchId?: string;
  team?: string;
  /** Queued modes: the whole match and its variables, for the sidecar's GET /v1/match. */
  roster?: SeatRecord['roster'];
  matchVariables?: Record<string, string>;
}

const encoder = new TextEncoder();

/**
 * Finds and reserves seats; `reserve` returns the player's reply or undefined when nothing is
 * free.
 *
 * @example
 * const reserver = new SeatReserver({ seats: kv.seats, fleet, mint, instanceId: 'mm-1' });
 * const reply = await reserver.reserve({ version: '1.0.0' });
 */
export class SeatReserver {
  readonly #options: SeatReserverOptions;
  readonly #now: () => number;
  /** Seat keys this process is trying right now. */
  readonly #trying = new Set<string>();

  constructor(options: SeatReserverOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  async reserve(request: SeatRequest): Promise<PlayReply | undefined> {
    const { fleet } = this.#options;
    // Seats lost to another matchmaker in this call: its cache may not show them taken yet.
    const lost = new Set<string>();
    for (let round = 0; round < 8; round++) {
      const candidates = this.#candidates(request, lost);
      if (candidates.length === 0) return undefined;
      for (const candidate of candidates) {
        // Looked up per candidate: a server seen ready when the list was made may have started
        // draining or stopping during an earlier candidate's write.
        const server = fleet.server(candidate.serverId);
        if (server?.state !== ServerState.READY) continue;
        const reply = await this.#tryReserve(server, candidate, request);
        if (reply) return reply;
        lost.add(seatKey(candidate.serverId, candidate.seatIndex));
      }
    }
    return undefined;
  }

  #candidates(request: SeatRequest, lost: ReadonlySet<string>): FreeSeat[] {
    const all = this.#options.fleet.freeSeats(
      request.version,
      lost.size === 0 ? this.#trying : new Set([...this.#trying, ...lost]),
      request.serverId ? 10_000 : 8,
      request.party,
    );
    return request.serverId ? all.filter((s) => s.serverId === request.serverId).slice(0, 8) : all;
  }

  async #tryReserve(
    server: ServerRecord,
    seat: FreeSeat,
    request: SeatRequest,
  ): Promise<PlayReply | undefined> {
    const key = seatKey(seat.serverId, seat.seatIndex);
    this.#trying.add(key);
    try {
      const token: MintedToken = this.#options.mint({
        serverAddresses: tokenAddresses(server),
        ...(request.playerId ? { playerId: request.playerId } : {}),
        ...(request.name ? { name: request.name } : {}),
        ...(request.mode ? { mode: request.mode } : {}),
        ...(request.team ? { team: request.team } : {}),
        ...(request.matchId ? { matchId: request.matchId } : {}),
      });
      const expiresAt = Number(token.expireTimestamp) * 1000;
      const record: SeatRecord = {
        serverId: server.id,
        seatIndex: seat.seatIndex,
        state: SeatState.RESERVED,
        clientId: token.clientId.toString(),
        expiresAt,
        reservedBy: this.#options.instanceId,
        updatedAt: this.#now(),
      };
      if (request.playerId) record.playerId = request.playerId;
      if (request.name) record.name = request.name;
      if (request.sessionId) record.sessionId = request.sessionId;
      if (request.party) record.party = request.party;
      if (request.matchId) record.matchId = request.matchId;
      if (request.team) record.team = request.team;
      if (request.mode) record.mode = request.mode;
      if (request.roster) record.roster = request.roster;
      if (request.matchVariables) record.matchVariables = request.matchVariables;
      const payload = encoder.encode(JSON.stringify(record));
      let revision: number;
      try {
        revision = await this.#compareAndSet(key, payload, seat.revision, record.clientId);
      } catch (error) {
        if (isKvConflict(error)) {
          // Taken meanwhile, or the cached revision was stale: the watch will bring the truth.
          if (seat.revision !== undefined) this.#options.fleet.forgetSeat(key, seat.revision);
          return undefined;
        }
        throw new PlacementError(ErrorCode.NATS_UNAVAILABLE, 'The seat store is unreachable.', {
          cause: error,
        });
      }
      this.#options.fleet.noteSeat(key, record, revision);
      return buildReply(server, token, expiresAt, request.transports);
    } finally {
      this.#trying.delete(key);
    }
  }

  /**
   * Write the seat if it is still at `revision` (absent when undefined). While a NATS cluster
   * elects a new seats leader the write is retried; a retry that finds the seat taken by the
   * very reservation an earlier, timed-out attempt wrote takes it as its own.
   */
  #compareAndSet(
    key: string,
    payload: Uint8Array,
    revision: number | undefined,
    clientId: string,
  ): Promise<number> {
    const { seats, writer } = this.#options;
    const write = writer ?? seats;
    return retryWhileUnavailable(async (attempt) => {
      try {
        return revision === undefined
          ? await write.create(key, payload)
          : await write.update(key, payload, revision);
      } catch (error) {
        if (attempt > 1 && isKvConflict(error)) {
          const stored = await seats.get(key);
          const mine =
            stored?.operation === 'PUT' && stored.json<SeatRecord>().clientId === clientId;
          if (stored && mine) return stored.revision;
        }
        throw error;
      }
    });
  }
}

/**
 * The PlayReply for a reserved seat, transports in the client's order of preference.
 *
 * @example
 * const reply = buildReply(server, token, Number(token.expireTimestamp) * 1000, ['websocket']);
 */
export function buildReply(
  server: ServerRecord,
  token: MintedToken,
  expiresAt: number,
  preferred?: readonly TransportKind[],
): PlayReply {
  const transports = orderByPreference(transportEndpoints(server), preferred);
  const reply: PlayReply = {
    type: 'ready',
    token: token.base64,
    serverId: server.id,
    ip: server.publicIp,
    port: transports[0]?.port ?? Object.values(server.ports)[0]?.external ?? 0,
    transports,
    certDigest: server.certDigest,
    clientId: token.clientId.toString(),
    expiresAt,
  };
  if (server.fqdn) reply.fqdn = server.fqdn;
  return reply;
}

/**
 * The endpoints the client asked for, in its order; all of them when it named none (or none of
 * its kinds is offered: it then learns what there is instead of an empty list).
 */
function orderByPreference(
  endpoints: TransportEndpoint[],
  preferred: readonly TransportKind[] | undefined,
): TransportEndpoint[] {
  if (!preferred || preferred.length === 0) return endpoints;
  const chosen = preferred.flatMap((kind) => endpoints.filter((e) => e.kind === kind));
  return chosen.length > 0 ? chosen : endpoints;
}
