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
  formatPartyCode,
  isPartyOpening,
  newPartyCode,
  normalizePartyCode,
  PARTY_CODE_ALPHABET,
  PARTY_CODE_LENGTH,
  type PartyCommandMessage,
  type PartyCommandReply,
  type PartyCommandRequest,
  type PartyCreateMessage,
  type PartyFrontMessage,
  type PartyJoinMessage,
  type PartyLeaveMessage,
  type PartyMemberRequest,
  type PartyMemberView,
  type PartyMessage,
  type PartyQueueMessage,
  type PartyRefusedMessage,
  type PartySessionRequest,
  parsePartyCommand,
  parsePartyOpening,
} from './party-messages.js';
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
  type DeploymentRecord,
  DeploymentState,
  type PartyMemberRecord,
  type PartyRecord,
  PartyState,
  type PortMapping,
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
