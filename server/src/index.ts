/**
 * @playgap/server — the Node game-server SDK. `createGameServer()` talks to the sidecar and
 * runs WebTransport, WebRTC (geckos.io) and WebSocket with token checks; the game sees one
 * `connect`/`disconnect` API whichever transport a player used. See docs/server-sdk.md.
 */
export { Backfill, type BackfillEnd } from './backfill.js';
export { DEFAULTS, type GameServerOptions } from './config.js';
export {
  ConnectionRefusedError,
  ServerConfigError,
  SidecarRequestError,
  SidecarUnavailableError,
} from './errors.js';
export { createGameServer, GameServer, type ListeningPorts } from './game-server.js';
export { Player, type PlayerInfo, type SendOptions } from './player.js';
export { SidecarClient, type SidecarInfo, type VerifiedToken } from './sidecar-client.js';
export { type IceMapping, rewriteCandidate, rewriteSdp } from './transports/ice-rewrite.js';
export { encodeFrame, FrameDecoder } from './transports/length-prefixed.js';
