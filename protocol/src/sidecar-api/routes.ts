/**
 * Every route of the sidecar's local API, once: method, URL, request body schema, success
 * status and body schema, and the error answers. The sidecar registers its fastify routes from
 * this table, the server SDK's client calls through it, a stand-in implements `SidecarApi`, and
 * docs/sidecar-openapi.yaml is generated from it (openapi.ts).
 */
import type { FromSchema } from './from-schema.js';
import {
  backfillCreatedSchema,
  backfillParamsSchema,
  backfillRequestSchema,
  backfillsSchema,
  capacityRequestSchema,
  disconnectRequestSchema,
  disconnectResultSchema,
  healthSchema,
  matchesSchema,
  okSchema,
  okStateSchema,
  readyRequestSchema,
  reconnectRequestSchema,
  reconnectResultSchema,
  serverInfoSchema,
  verifyRequestSchema,
  verifyResultSchema,
} from './schemas.js';

const badRequest = { description: 'BAD_REQUEST (invalid JSON or schema)' } as const;
const tooLarge = { description: 'PAYLOAD_TOO_LARGE' } as const;

/**
 * The routes, by operation name.
 *
 * @example
 * const { method, url } = sidecarRoutes.verify; // 'POST', '/v1/tokens/verify'
 */
export const sidecarRoutes = {
  health: {
    method: 'GET',
    url: '/healthz',
    summary: 'Health of the sidecar and its NATS connection',
    status: 200,
    description: 'Health (status is degraded while NATS is down or the server is unhealthy)',
    response: healthSchema,
    errors: {},
  },
  info: {
    method: 'GET',
    url: '/v1/info',
    summary: 'This server, its ports and certificate',
    status: 200,
    description: 'Server info',
    response: serverInfoSchema,
    errors: {},
  },
  ready: {
    method: 'POST',
    url: '/v1/ready',
    summary: 'Mark the game server ready for players and declare its transports',
    body: readyRequestSchema,
    status: 200,
    description: 'Server info, state ready',
    response: serverInfoSchema,
    errors: {
      400: badRequest,
      409: { description: 'SERVER_DRAINING (the server is draining or stopping)' },
      413: tooLarge,
    },
  },
  capacity: {
    method: 'PUT',
    url: '/v1/capacity',
    summary: 'Change the number of seats',
    body: capacityRequestSchema,
    status: 200,
    description: 'Server info',
    response: serverInfoSchema,
    errors: { 400: badRequest },
  },
  verify: {
    method: 'POST',
    url: '/v1/tokens/verify',
    summary: "Verify a connect token and consume the player's seat",
    body: verifyRequestSchema,
    status: 200,
    description: 'Accepted; the seat is now connected',
    response: verifyResultSchema,
    errors: {
      400: badRequest,
      401: {
        description:
          'TOKEN_MALFORMED, TOKEN_WRONG_VERSION, TOKEN_WRONG_PROTOCOL, TOKEN_EXPIRED, TOKEN_NOT_YET_VALID, TOKEN_BAD_MAC, TOKEN_ADDRESS_NOT_LISTED, TOKEN_REPLAYED, NO_RESERVATION',
      },
      409: { description: 'ALREADY_CONNECTED' },
      413: tooLarge,
      503: { description: 'SERVER_DRAINING, SERVER_NOT_READY, NATS_UNAVAILABLE' },
    },
  },
  reconnect: {
    method: 'POST',
    url: '/v1/players/reconnect',
    summary:
      'Check a reconnect credential and give the player back its held seat (a fresh credential each time)',
    body: reconnectRequestSchema,
    status: 200,
    description: 'Accepted; the seat is connected again, same client id and player',
    response: reconnectResultSchema,
    errors: {
      400: badRequest,
      401: {
        description:
          'RECONNECT_REFUSED (malformed, for another server or client, or already used), RECONNECT_EXPIRED (no seat held any more: the grace period ended)',
      },
      413: tooLarge,
      503: { description: 'SERVER_DRAINING (the server is stopping)' },
    },
  },
  disconnect: {
    method: 'POST',
    url: '/v1/disconnect',
    summary:
      'Report that a player dropped (the seat is held for a reconnect) or left for good (`final`: freed)',
    body: disconnectRequestSchema,
    status: 200,
    description: 'Done; `graceMs` when the seat is held',
    response: disconnectResultSchema,
    errors: { 400: badRequest, 404: { description: 'UNKNOWN_CLIENT' } },
  },
  heartbeat: {
    method: 'POST',
    url: '/v1/heartbeat',
    summary: 'The game server is alive',
    status: 200,
    description: 'Done, with the server state',
    response: okStateSchema,
    errors: {},
  },
  drain: {
    method: 'POST',
    url: '/v1/drain',
    summary: 'Take no new players; stop when the last one leaves',
    status: 200,
    description: 'Done, with the server state',
    response: okStateSchema,
    errors: {},
  },
  match: {
    method: 'GET',
    url: '/v1/match',
    summary: 'The matches placed on this server: roster, teams, variables, who has not arrived',
    status: 200,
    description: 'Matches (empty outside queued modes)',
    response: matchesSchema,
    errors: {},
  },
  requestBackfill: {
    method: 'POST',
    url: '/v1/backfill',
    summary:
      'Ask the matchmakers for more players for a running match (a team, or any), until filled, withdrawn or expired',
    body: backfillRequestSchema,
    status: 201,
    description: 'Open; the `backfill` event follows as players are placed',
    response: backfillCreatedSchema,
    errors: {
      400: badRequest,
      404: {
        description:
          'UNKNOWN_MATCH (no such match here, or several and no matchId), UNKNOWN_TEAM (the match has no such team)',
      },
      409: { description: 'BACKFILL_NO_ROOM (more players than free seats not already promised)' },
      413: tooLarge,
      503: { description: 'SERVER_DRAINING, SERVER_NOT_READY, NATS_UNAVAILABLE' },
    },
  },
  backfills: {
    method: 'GET',
    url: '/v1/backfill',
    summary: 'The open backfill requests of this server and how far each is filled',
    status: 200,
    description: 'Open backfill requests',
    response: backfillsSchema,
    errors: {},
  },
  withdrawBackfill: {
    method: 'DELETE',
    url: '/v1/backfill/:backfillId',
    summary: 'Withdraw a backfill request: no more players are found for it',
    params: backfillParamsSchema,
    status: 200,
    description: 'Withdrawn (players already placed still come)',
    response: okSchema,
    errors: {
      400: badRequest,
      404: { description: 'UNKNOWN_BACKFILL (no open backfill request with that id)' },
      503: { description: 'NATS_UNAVAILABLE' },
    },
  },
  shutdown: {
    method: 'POST',
    url: '/v1/shutdown',
    summary: 'Stop the game server and the sidecar',
    status: 202,
    description: 'Done',
    response: okSchema,
    errors: {},
  },
} as const;

/**
 * The server-sent events stream: not JSON, so not in `sidecarRoutes`; each event's data
 * schema is `sidecarEventSchemas` (schemas.ts).
 */
export const sidecarEventsRoute = {
  method: 'GET',
  url: '/v1/events',
  summary: 'Server-Sent Events (certificate, drain, shutdown, left, backfill)',
  status: 200,
  description:
    'text/event-stream. event certificate: {certFile, keyFile, certDigest, certHashBase64, certNotAfter}; event drain: {state}; event shutdown: {reason}; event left: {clientId} (a held seat was freed: its grace period ended); event backfill: {backfillId, matchId, state (open, filled, expired, withdrawn), count, filled, playerIds}.',
} as const;

type Routes = typeof sidecarRoutes;

/** An operation of the local API (`health`, `info`, `ready`, ...). */
export type SidecarOperation = keyof Routes;

/**
 * The request of an operation: its body, or its path parameters (`DELETE
 * /v1/backfill/:backfillId` takes `{backfillId}`); `undefined` when it takes neither.
 */
export type SidecarRequest<N extends SidecarOperation> = Routes[N] extends {
  body: infer S;
}
  ? FromSchema<S>
  : Routes[N] extends { params: infer P }
    ? FromSchema<P>
    : undefined;

/**
 * The URL of a route with its path parameters filled in.
 *
 * @example
 * sidecarUrl('/v1/backfill/:backfillId', { backfillId: 'b1' }); // '/v1/backfill/b1'
 */
export function sidecarUrl(url: string, params: Record<string, string> = {}): string {
  return url.replace(/:([A-Za-z]+)/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
}

/** The success body of an operation. */
export type SidecarResponse<N extends SidecarOperation> = FromSchema<Routes[N]['response']>;

/**
 * The local API as an interface: what the real sidecar's app and every stand-in implement
 * (`const api: SidecarApi = {...}` is the compile-time check that they have every operation
 * with the contract's request and answer types).
 *
 * @example
 * const api: SidecarApi = { info: () => sidecar.info(), ... };
 */
export type SidecarApi = {
  [N in SidecarOperation]: SidecarRequest<N> extends undefined
    ? () => SidecarResponse<N> | Promise<SidecarResponse<N>>
    : (body: SidecarRequest<N>) => SidecarResponse<N> | Promise<SidecarResponse<N>>;
};
