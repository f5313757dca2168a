/**
 * @playgap/client — the browser SDK: `play()` finds a server through the matchmaker and connects
 * to it over WebTransport, WebRTC (geckos.io) or WebSocket, whichever works first.
 *
 * @example
 * import { play, PlaygapClientError } from '@playgap/client';
 * const conn = await play({ game: 'arena', version: '1.0.0', onProgress: console.log });
 */
export { certDigestToBytes } from './cert-digest.js';
export type {
  Channel,
  ChannelCloseEvent,
  ChannelEvents,
  ReconnectedEvent,
  ReconnectingEvent,
  SendOptions,
} from './channel.js';
export { PlaygapClientError } from './errors.js';
export {
  LATENCY_DEFAULTS,
  type LatencyMeasurement,
  type MeasureLatencyOptions,
  measureLatencies,
  regionsUrlFor,
} from './latency.js';
export {
  MatchmakerSocket,
  type MatchmakerSocketOptions,
  type PlaceOptions,
} from './matchmaker-socket.js';
export { MATCHMAKER_WS_PATH, resolveMatchmakerUrl } from './matchmaker-url.js';
export { createParty, joinParty, Party, type PartyOptions } from './party.js';
export {
  DEFAULT_RECONNECT,
  DEFAULT_TIMEOUTS,
  DEFAULT_TRANSPORTS,
  type PlayOptions,
  type PlayProgress,
  type PlayStage,
  type PlayTimeouts,
  play,
  type ReconnectOptions,
} from './play.js';
export {
  forgetSavedSeat,
  loadSavedSeat,
  type SavedSeat,
  type SeatStorage,
  savedSeatKey,
} from './saved-seat.js';
export type { Transport, TransportAttempt } from './transports/transport.js';
export { webrtcTransport } from './transports/webrtc.js';
export { websocketTransport } from './transports/websocket.js';
export { webtransportTransport } from './transports/webtransport.js';
