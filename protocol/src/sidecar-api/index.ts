/**
 * @playgap/protocol/sidecar-api — the sidecar's local HTTP API as one contract: JSON schemas,
 * the route table, the TypeScript types derived from them and the OpenAPI document.
 *
 * @example
 * import { sidecarRoutes, type SidecarResponse } from '@playgap/protocol/sidecar-api';
 * const info: SidecarResponse<'info'> = await (await fetch(url + sidecarRoutes.info.url)).json();
 */
import type { FromSchema } from './from-schema.js';
import type {
  backfillSchema,
  disconnectResultSchema,
  healthSchema,
  reconnectResultSchema,
  serverInfoSchema,
  shutdownReasonSchema,
  sidecarEventSchemas,
  verifyResultSchema,
} from './schemas.js';

export type { FromSchema } from './from-schema.js';
export { sidecarOpenApi } from './openapi.js';
export {
  type SidecarApi,
  type SidecarOperation,
  type SidecarRequest,
  type SidecarResponse,
  sidecarEventsRoute,
  sidecarRoutes,
  sidecarUrl,
} from './routes.js';
export {
  BACKFILL_EXPIRY_SECONDS,
  backfillSchema,
  capacitySchema,
  errorSchema,
  MAX_SIDECAR_CAPACITY,
  namedSchemas,
  reconnectGrantSchema,
  reconnectResultSchema,
  serverInfoSchema,
  shutdownReasonSchema,
  sidecarEventSchemas,
  transportOfferSchema,
  verifyResultSchema,
} from './schemas.js';
export { sidecarStatusOf } from './statuses.js';

/** The `GET /v1/info` body (also the answer of ready and PUT /v1/capacity). */
export type SidecarServerInfo = FromSchema<typeof serverInfoSchema>;
/** The `GET /healthz` body. */
export type SidecarHealth = FromSchema<typeof healthSchema>;
/** The `POST /v1/tokens/verify` answer for an accepted token. */
export type SidecarVerifyResult = FromSchema<typeof verifyResultSchema>;
/** The `POST /v1/players/reconnect` answer for an accepted credential. */
export type SidecarReconnectResult = FromSchema<typeof reconnectResultSchema>;
/** The `POST /v1/disconnect` answer. */
export type SidecarDisconnectResult = FromSchema<typeof disconnectResultSchema>;
/** Why a sidecar stops. */
export type SidecarShutdownReason = FromSchema<typeof shutdownReasonSchema>;
/** The data of a `GET /v1/events` event, by event name. */
export type SidecarEventData = {
  [E in keyof typeof sidecarEventSchemas]: FromSchema<(typeof sidecarEventSchemas)[E]>;
};
/** One open backfill request, as `GET /v1/backfill` lists it. */
export type SidecarBackfill = FromSchema<typeof backfillSchema>;
