/**
 * @playgap/protocol — the wire contracts every playgap component shares. This entry point is
 * browser-safe; the connect-token codec (Node crypto) is `@playgap/protocol/token`.
 */
export {
  BACKOFF_DEFAULTS,
  Backoff,
  type BackoffOptions,
  BackoffOptionsError,
  backoffCeilingMs,
  backoffDelayMs,
} from './backoff.js';
export { ErrorCode, isErrorCode, PlaygapError } from './error-codes.js';
export {
  AUTH_TIMEOUT_MS,
  type AuthMessage,
  CloseCode,
  type CloseNotice,
  DEAD_PEER_TIMEOUT_MS,
  GECKOS_EVENT,
  HEARTBEAT_INTERVAL_MS,
  type HeartbeatMessage,
  type WelcomeMessage,
} from './game-wire.js';
export {
  fastestRegion,
  type Latencies,
  MAX_LATENCY_ENTRIES,
  MAX_LATENCY_MS,
  PingMethod,
  parseLatencies,
  REGION_ID_PATTERN,
  type Region,
  type RegionList,
} from './latencies.js';
export {
  type ErrorMessage,
  type FrontMessage,
  MAX_PLAY_REQUEST_BYTES,
  type PlacementRequest,
  type PlayReply,
  type PlayRequest,
  type ProgressMessage,
  ProgressStage,
  parsePlayRequest,
  type TicketProgress,
  type TransportEndpoint,
} from './messages.js';
export {
  APP_NAME_PATTERN,
  assertAppName,
  backfillKey,
  buckets,
  KV_DEFAULTS,
  MATCHMAKER_QUEUE,
  parseSeatKey,
  SERVER_ID_PATTERN,
  seatKey,
  seatKeysOf,
  subjects,
} from './names.js';
export {
  formatReconnectCredential,
  isReconnectCredential,
  MAX_RECONNECT_CREDENTIAL_LENGTH,
  parseReconnectCredential,
  RECONNECT_CREDENTIAL_PREFIX,
  type ReconnectCredentialParts,
  type ReconnectGrant,
} from './reconnect-credential.js';
export {
  type BackfillFill,
  type BackfillRecord,
  type BackfillRequest,
  type DeploymentRecord,
  DeploymentState,
  type PortMapping,
  type RosterPlayer,
  type SeatRecord,
  SeatState,
  type ServerLocation,
  type ServerRecord,
  ServerState,
  type TicketPlayerRecord,
  type TicketRecord,
  TicketState,
  TransportKind,
  type TransportOffer,
} from './records.js';
export {
  isLiveReservation,
  isRecordFresh,
  isSeatTaken,
  recordAgesOutAt,
  seatHeldUntil,
} from './seat-rules.js';
