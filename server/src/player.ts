/**
 * A connected player, the same object whichever transport carried it. Transports feed it
 * messages and tell it when the connection ended; the game sends and listens.
 */
import { EventEmitter } from 'node:events';
import { CloseCode, type TransportKind } from '@playgap/protocol';

/** What the token's user data said about the player (trusted: the matchmaker signed it). */
export interface PlayerInfo {
  playerId?: string;
  name?: string;
  mode?: string;
  team?: string;
}

/** Options of {@link Player.send}. */
export interface SendOptions {
  /** Default true. Unreliable messages may be dropped (WebRTC, WebTransport datagrams). */
  reliable?: boolean;
}

/** The transport side of a player: implemented once per transport. */
export interface PlayerLink {
  readonly transport: TransportKind;
  send(message: unknown, reliable: boolean): void;
  /** Send a message already serialised with JSON.stringify (broadcast serialises once). */
  sendJson(json: string, reliable: boolean): void;
  close(code: CloseCode, reason?: { code: string; message: string }): void;
}

interface PlayerEvents {
  message: [message: unknown];
  close: [reason: string];
}

/**
 * One player on this server.
 *
 * @example
 * server.on('connect', (player) => {
 *   player.send({ t: 'hello', name: player.info.name });
 *   player.on('message', (msg) => console.log(player.clientId, msg));
 * });
 */
export class Player extends EventEmitter<PlayerEvents> {
  /** netcode client id (decimal string), unique on this server while connected. */
  readonly clientId: string;
  readonly info: PlayerInfo;
  /** Seat index the sidecar gave this player, when it said. */
  readonly seat: number | undefined;
  readonly #link: PlayerLink;
  #open = true;

  constructor(clientId: string, info: PlayerInfo, seat: number | undefined, link: PlayerLink) {
    super();
    this.clientId = clientId;
    this.info = info;
    this.seat = seat;
    this.#link = link;
  }

  /** `webtransport`, `webrtc` or `websocket`. */
  get transport(): TransportKind {
    return this.#link.transport;
  }

  get connected(): boolean {
    return this.#open;
  }

  /** Send one JSON-serialisable game message. Ignored once the player is gone. */
  send(message: unknown, options: SendOptions = {}): void {
    if (!this.#open) return;
    this.#link.send(message, options.reliable ?? true);
  }

  /** @internal Send a message already serialised with JSON.stringify. */
  sendJson(json: string, reliable: boolean): void {
    if (this.#open) this.#link.sendJson(json, reliable);
  }

  /** Close the player's connection (close code KICKED unless told otherwise). */
  disconnect(code: CloseCode = CloseCode.KICKED, reason?: { code: string; message: string }): void {
    if (!this.#open) return;
    this.#link.close(code, reason);
  }

  /** @internal Called by the transport for every game message received. */
  receive(message: unknown): void {
    if (this.#open) this.emit('message', message);
  }

  /** @internal Called by the transport once when the connection is gone. */
  closed(reason: string): boolean {
    if (!this.#open) return false;
    this.#open = false;
    this.emit('close', reason);
    return true;
  }
}
