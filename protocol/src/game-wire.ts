/**
 * What a player's client and a playgap game server say to each other, on every transport.
 * The client SDK (`@playgap/client`) and the server SDK (`@playgap/server`) both follow this;
 * a game server in another language can too.
 *
 * - WebSocket: connect to the offered URL; the first frame is text `{"type":"auth","token":"<base64>"}`;
 *   the server answers `{"type":"welcome",...}` or closes with a CloseCode and a JSON reason
 *   `{"code","message"}`. After that every text frame is one JSON game message.
 * - WebRTC (geckos.io): the token rides in geckos' `authorization`; a refusal is HTTP 401 with
 *   `{"code","message"}` (503 when the server is draining). Game messages go on the geckos event
 *   `GECKOS_EVENT` (reliable or not). geckos has no close reason, so a server that closes a
 *   player sends a `CloseNotice` first; and a client that sends `{"type":"heartbeat"}` every
 *   HEARTBEAT_INTERVAL_MS is dropped once nothing came from it for DEAD_PEER_TIMEOUT_MS (a
 *   closed tab leaves no trace on WebRTC for ~13 s otherwise).
 * - WebTransport: never a token in the URL. The client opens the first bidirectional stream and
 *   sends the auth message as its first frame; the server answers with the welcome on that
 *   stream or closes the session with a CloseCode and a `{"code","message"}` reason. Reliable
 *   game messages are length-prefixed (u32 big-endian) JSON on that stream; unreliable ones are
 *   datagrams of one JSON message each.
 */

/** WebSocket close codes (4000-4999 is the application range). */
export const CloseCode = {
  NORMAL: 1000,
  /** Token refused; the reason JSON carries the ErrorCode (TOKEN_EXPIRED, TOKEN_REPLAYED...). */
  TOKEN_REFUSED: 4001,
  /** No auth message in time. */
  AUTH_TIMEOUT: 4002,
  /** Server draining or stopping. */
  SERVER_STOPPING: 4003,
  /** Kicked by the game. */
  KICKED: 4004,
  /** The frame was not understood. */
  BAD_MESSAGE: 4005,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** geckos.io event name for game messages. */
export const GECKOS_EVENT = 'm';

/** Milliseconds a client has to authenticate after opening a transport. */
export const AUTH_TIMEOUT_MS = 10_000;

/** How often the client SDK sends a heartbeat on WebRTC (unreliable). */
export const HEARTBEAT_INTERVAL_MS = 500;

/** A WebRTC peer that sent heartbeats and then nothing for this long is gone. */
export const DEAD_PEER_TIMEOUT_MS = 2_000;

/** Client → server on WebRTC: "still here" (never reaches the game). */
export interface HeartbeatMessage {
  type: 'heartbeat';
}

/** Server → client on WebRTC right before it closes the player (a WebSocket close frame's stand-in). */
export interface CloseNotice {
  type: 'close';
  /** The CloseCode a WebSocket would have closed with. */
  closeCode: number;
  /** The ErrorCode (SERVER_DRAINING when the server stops). */
  code: string;
  message: string;
}

export interface AuthMessage {
  type: 'auth';
  token: string;
}

/**
 * Server → client after the token (or a reconnect credential, in place of the token) checked
 * out.
 */
export interface WelcomeMessage {
  type: 'welcome';
  /** netcode client id, decimal string. */
  clientId: string;
  serverId: string;
  /** What the token's user data said about this player. */
  player: { playerId?: string; name?: string; mode?: string; team?: string };
  /**
   * How to come back to this seat after a drop (reconnect-credential.ts): a fresh credential in
   * every welcome; absent when the server holds no seats for reconnects (grace 0).
   */
  reconnect?: { credential: string; graceMs: number };
  /** True when this welcome answers a reconnect credential: the same seat and player state. */
  resumed?: boolean;
}
