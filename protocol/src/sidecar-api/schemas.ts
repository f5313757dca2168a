/**
 * The JSON schemas of the sidecar's local API bodies (docs/sidecar-api.md): what the sidecar
 * validates requests with, what its answers are checked against, and what
 * docs/sidecar-openapi.yaml prints (named schemas become `#/components/schemas/<name>`).
 */
import { ServerState, TransportKind } from '../records.js';

/** Seats a server may have (`capacity` of ready and PUT /v1/capacity). */
export const MAX_SIDECAR_CAPACITY = 1024;

/** How long a backfill request stays open: default and bounds (POST /v1/backfill). */
export const BACKFILL_EXPIRY_SECONDS = { default: 60, min: 5, max: 600 } as const;

export const errorSchema = {
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', example: 'NO_RESERVATION' },
    message: { type: 'string' },
  },
} as const;

export const capacitySchema = {
  type: 'integer',
  minimum: 1,
  maximum: MAX_SIDECAR_CAPACITY,
} as const;

export const stateSchema = {
  type: 'string',
  enum: [
    ServerState.STARTING,
    ServerState.READY,
    ServerState.DRAINING,
    ServerState.STOPPING,
    ServerState.UNHEALTHY,
  ],
} as const;

export const healthSchema = {
  type: 'object',
  required: ['status', 'nats', 'state', 'players', 'uptimeMs', 'memory'],
  properties: {
    status: { type: 'string', enum: ['ok', 'degraded'] },
    nats: { type: 'string', enum: ['connected', 'disconnected'] },
    state: stateSchema,
    players: { type: 'integer' },
    uptimeMs: { type: 'integer' },
    memory: {
      type: 'object',
      required: ['rssMb', 'heapUsedMb'],
      properties: {
        rssMb: { type: 'number' },
        heapUsedMb: { type: 'number' },
      },
    },
  },
} as const;

export const portMappingSchema = {
  type: 'object',
  required: ['name', 'internal', 'external', 'protocol'],
  properties: {
    name: { type: 'string' },
    internal: { type: 'integer' },
    external: { type: 'integer' },
    protocol: { type: 'string', example: 'TCP' },
    tlsUpgrade: { type: 'boolean' },
  },
} as const;

export const transportOfferSchema = {
  type: 'object',
  required: ['kind', 'port'],
  additionalProperties: false,
  properties: {
    kind: {
      type: 'string',
      enum: [TransportKind.WEBTRANSPORT, TransportKind.WEBRTC, TransportKind.WEBSOCKET],
    },
    port: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description: 'Port name of this deployment',
    },
    dataPort: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description: 'webrtc only, the UDP port name',
    },
    path: { type: 'string', maxLength: 256 },
  },
} as const;

export const locationSchema = {
  type: 'object',
  properties: {
    city: { type: 'string' },
    country: { type: 'string' },
    continent: { type: 'string' },
    latitude: { type: 'number' },
    longitude: { type: 'number' },
  },
} as const;

export const serverInfoSchema = {
  type: 'object',
  required: [
    'serverId',
    'app',
    'version',
    'publicIp',
    'ports',
    'transports',
    'certFile',
    'keyFile',
    'certDigest',
    'certHashBase64',
    'certNotAfter',
    'capacity',
    'players',
    'state',
  ],
  properties: {
    serverId: { type: 'string' },
    app: { type: 'string' },
    version: { type: 'string' },
    publicIp: { type: 'string' },
    fqdn: { type: 'string' },
    ports: { type: 'object', additionalProperties: portMappingSchema },
    transports: { type: 'array', items: transportOfferSchema },
    certFile: { type: 'string' },
    keyFile: { type: 'string' },
    certDigest: { type: 'string', description: 'Colon hex SHA-256 of the certificate DER' },
    certHashBase64: {
      type: 'string',
      description: 'Base64 of the raw SHA-256 (serverCertificateHashes)',
    },
    certNotAfter: { type: 'integer', description: 'Unix ms' },
    location: locationSchema,
    capacity: { type: 'integer' },
    players: { type: 'integer' },
    state: stateSchema,
  },
} as const;

/** A reconnect credential and its grace period (see reconnect-credential.ts). */
export const reconnectGrantSchema = {
  type: 'object',
  required: ['credential', 'graceMs'],
  properties: {
    credential: {
      type: 'string',
      description: 'pgr1.<serverId>.<clientId>.<secret>: hand it to the player in the welcome',
    },
    graceMs: { type: 'integer', description: 'How long a seat is held after a drop' },
  },
} as const;

const playerSchema = {
  type: 'object',
  properties: {
    playerId: { type: 'string' },
    name: { type: 'string' },
    mode: { type: 'string' },
    team: { type: 'string' },
    extra: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

export const verifyResultSchema = {
  type: 'object',
  required: ['clientId', 'player', 'userData', 'seat', 'expiresAt'],
  properties: {
    clientId: { type: 'string', description: 'netcode client id (u64) in decimal' },
    player: playerSchema,
    userData: { type: 'string', description: 'Base64 of the 256 user-data bytes' },
    seat: { type: 'integer' },
    expiresAt: { type: 'integer', description: 'Token expiry, Unix ms' },
    reconnect: {
      ...reconnectGrantSchema,
      description: 'Absent when reconnects are off (PLAYGAP_RECONNECT_GRACE_MS=0)',
    },
  },
} as const;

export const reconnectResultSchema = {
  type: 'object',
  required: ['clientId', 'player', 'userData', 'seat', 'reconnect'],
  properties: {
    clientId: { type: 'string', description: 'netcode client id (u64) in decimal' },
    player: playerSchema,
    userData: { type: 'string', description: 'Base64 of the 256 user-data bytes' },
    seat: { type: 'integer' },
    reconnect: {
      ...reconnectGrantSchema,
      description: 'The next credential: the one just used is spent',
    },
  },
} as const;

export const reconnectRequestSchema = {
  type: 'object',
  required: ['credential'],
  additionalProperties: false,
  properties: {
    credential: {
      type: 'string',
      minLength: 1,
      maxLength: 1024,
      description: 'The reconnect credential the player got in its last welcome',
    },
  },
} as const;

export const readyRequestSchema = {
  type: 'object',
  required: ['transports'],
  additionalProperties: false,
  properties: {
    transports: { type: 'array', maxItems: 16, items: transportOfferSchema },
    capacity: capacitySchema,
  },
} as const;

export const capacityRequestSchema = {
  type: 'object',
  required: ['capacity'],
  additionalProperties: false,
  properties: { capacity: capacitySchema },
} as const;

export const verifyRequestSchema = {
  type: 'object',
  required: ['token'],
  additionalProperties: false,
  properties: {
    token: {
      type: 'string',
      minLength: 1,
      maxLength: 4096,
      description:
        'Base64 of the 2048-byte connect token or the 1078-byte connection request packet',
    },
  },
} as const;

export const disconnectRequestSchema = {
  type: 'object',
  required: ['clientId'],
  additionalProperties: false,
  properties: {
    clientId: { type: 'string', pattern: '^[0-9]{1,20}$' },
    final: {
      type: 'boolean',
      description:
        'The player left for good (quit, kicked): free the seat now instead of holding it for a reconnect',
    },
  },
} as const;

export const disconnectResultSchema = {
  type: 'object',
  required: ['ok'],
  properties: {
    ok: { type: 'boolean' },
    graceMs: {
      type: 'integer',
      description:
        'Present when the seat is held for a reconnect this long; the `left` event follows when it ends',
    },
  },
} as const;

export const okSchema = {
  type: 'object',
  required: ['ok'],
  properties: { ok: { type: 'boolean' } },
} as const;

export const okStateSchema = {
  type: 'object',
  required: ['ok', 'state'],
  properties: { ok: { type: 'boolean' }, state: stateSchema },
} as const;

/** POST /v1/backfill: ask the matchmakers for `count` more players for a running match. */
export const backfillRequestSchema = {
  type: 'object',
  required: ['count'],
  additionalProperties: false,
  properties: {
    matchId: {
      type: 'string',
      minLength: 1,
      maxLength: 128,
      description: 'The match to fill; may be left out when the server has one match',
    },
    team: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description: 'The team to fill (`team-2`); left out or `any`: any team with room',
    },
    count: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_SIDECAR_CAPACITY,
      description: 'Players wanted; at most the free seats not promised to another backfill',
    },
    expiresInSeconds: {
      type: 'integer',
      minimum: BACKFILL_EXPIRY_SECONDS.min,
      maximum: BACKFILL_EXPIRY_SECONDS.max,
      description: `Stop filling after this long (default ${BACKFILL_EXPIRY_SECONDS.default})`,
    },
  },
} as const;

/** The id in DELETE /v1/backfill/{backfillId}. */
export const backfillParamsSchema = {
  type: 'object',
  required: ['backfillId'],
  additionalProperties: false,
  properties: {
    backfillId: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
  },
} as const;

/** One open backfill request of this server. */
export const backfillSchema = {
  type: 'object',
  required: ['backfillId', 'matchId', 'mode', 'team', 'count', 'filled', 'playerIds', 'expiresAt'],
  properties: {
    backfillId: { type: 'string' },
    matchId: { type: 'string' },
    mode: { type: 'string' },
    team: { type: 'string', description: 'The team asked for, or `any`' },
    count: { type: 'integer' },
    filled: { type: 'integer', description: 'Players placed or being placed' },
    playerIds: {
      type: 'array',
      items: { type: 'string' },
      description: 'The newcomers placed so far (their tokens are on the way to them)',
    },
    expiresAt: { type: 'integer', description: 'Unix ms' },
  },
} as const;

export const backfillCreatedSchema = {
  type: 'object',
  required: ['backfillId', 'expiresAt'],
  properties: {
    backfillId: { type: 'string' },
    expiresAt: { type: 'integer', description: 'Unix ms' },
  },
} as const;

export const backfillsSchema = {
  type: 'object',
  required: ['backfills'],
  properties: { backfills: { type: 'array', items: backfillSchema } },
} as const;

/** Why a sidecar stops (the `shutdown` event's `reason`). */
export const shutdownReasonSchema = {
  type: 'string',
  enum: ['requested', 'drained', 'idle', 'ready-timeout', 'unhealthy', 'signal', 'child-exited'],
} as const;

/** The data of each `GET /v1/events` server-sent event, by event name. */
export const sidecarEventSchemas = {
  certificate: {
    type: 'object',
    required: ['certFile', 'keyFile', 'certDigest', 'certHashBase64', 'certNotAfter'],
    properties: {
      certFile: { type: 'string' },
      keyFile: { type: 'string' },
      certDigest: { type: 'string' },
      certHashBase64: { type: 'string' },
      certNotAfter: { type: 'integer' },
    },
  },
  drain: { type: 'object', required: ['state'], properties: { state: stateSchema } },
  shutdown: {
    type: 'object',
    required: ['reason'],
    properties: { reason: shutdownReasonSchema },
  },
  /** A seat held for a reconnect was freed: the grace period ended without one. */
  left: {
    type: 'object',
    required: ['clientId'],
    properties: { clientId: { type: 'string' } },
  },
  /**
   * A backfill request changed: players were placed (`open`, or `filled` once every seat is
   * placed), or it ended (`expired`, `withdrawn`).
   */
  backfill: {
    type: 'object',
    required: ['backfillId', 'matchId', 'state', 'count', 'filled', 'playerIds'],
    properties: {
      backfillId: { type: 'string' },
      matchId: { type: 'string' },
      state: { type: 'string', enum: ['open', 'filled', 'expired', 'withdrawn'] },
      count: { type: 'integer' },
      filled: { type: 'integer' },
      playerIds: { type: 'array', items: { type: 'string' } },
    },
  },
} as const;

/**
 * The schemas docs/sidecar-openapi.yaml names under `components.schemas`; anywhere else one
 * of these objects appears, the document prints a `$ref` to it.
 */
export const namedSchemas = {
  Error: errorSchema,
  Capacity: capacitySchema,
  State: stateSchema,
  Health: healthSchema,
  PortMapping: portMappingSchema,
  TransportOffer: transportOfferSchema,
  ServerInfo: serverInfoSchema,
  VerifyResult: verifyResultSchema,
  ReconnectGrant: reconnectGrantSchema,
  ReconnectResult: reconnectResultSchema,
  Backfill: backfillSchema,
} as const;

/** One match on this server (queued modes), as GET /v1/match lists it. */
export const matchSchema = {
  type: 'object',
  required: ['matchId', 'mode', 'teams', 'variables', 'players', 'notArrived'],
  properties: {
    matchId: { type: 'string' },
    mode: { type: 'string' },
    teams: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'playerIds'],
        properties: {
          name: { type: 'string' },
          playerIds: { type: 'array', items: { type: 'string' } },
        },
      },
    },
    variables: { type: 'object', additionalProperties: { type: 'string' } },
    players: {
      type: 'array',
      items: {
        type: 'object',
        required: ['playerId', 'arrived'],
        properties: {
          playerId: { type: 'string' },
          name: { type: 'string' },
          team: { type: 'string' },
          arrived: {
            type: 'boolean',
            description: 'The player connected (its token was verified)',
          },
        },
      },
    },
    notArrived: {
      type: 'array',
      items: { type: 'string' },
      description: 'Player ids whose connect token expired without them connecting',
    },
  },
} as const;

export const matchesSchema = {
  type: 'object',
  required: ['matches'],
  properties: { matches: { type: 'array', items: matchSchema } },
} as const;
