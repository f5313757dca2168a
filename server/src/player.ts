/**
 * A connected player, the same object whichever transport carried it. Transports feed it
 * messages and tell it when the connection ended; the game sends and listens. A player whose
 * connection dropped keeps this object through its grace period: a reconnect attaches the new
 * connection (any transport) to it, so the game's state for the player stays where it was.
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

/** What a transport holds for one connection of a player: feed it, tell it when it ended. */
export interface LinkHandle {
  /** One game message from this connection (ignored once another connection took over). */
  receive(message: unknown): void;
  /**
   * This connection ended; `final` when the player meant to leave (the client closed it
   * normally). Ignored once another connection took over.
   */
  closed(reason: string, final?: boolean): void;
}

interface PlayerEvents {
  message: [message: unknown];
  /** The connection ended: `final` when the player left (or was kicked) for good. */
  close: [reason: string, final: boolean];
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
  #link: PlayerLink;
  #open = true;
  /** The game closed this player (disconnect()): the close that follows is final. */
  #kicked = false;

  constructor(clientId: string, info: PlayerInfo, seat: number | undefined, link: PlayerLink) {
    super();
    this.clientId = clientId;
    this.info = info;
    this.seat = seat;
    this.#link = link;
  }

  /** `webtransport`, `webrtc` or `websocket`: the current (or last) connection's. */
  get transport(): TransportKind {
    return this.#link.transport;
  }

  /** False while the player is away (dropped, in its grace period) and once it left. */
  get connected(): boolean {
    return this.#open;
  }

  /** Send one JSON-serialisable game message. Ignored while away and once the player is gone. */
  send(message: unknown, options: SendOptions = {}): void {
    if (!this.#open) return;
    this.#link.send(message, options.reliable ?? true);
  }

  /** @internal Send a message already serialised with JSON.stringify. */
  sendJson(json: string, reliable: boolean): void {
    if (this.#open) this.#link.sendJson(json, reliable);
  }

  /** Close the player's connection for good (close code KICKED unless told otherwise). */
  disconnect(code: CloseCode = CloseCode.KICKED, reason?: { code: string; message: string }): void {
    if (!this.#open) return;
    this.#kicked = true;
    this.#link.close(code, reason);
  }

  /** @internal The handle the transport of `link` feeds. */
  handle(link: PlayerLink): LinkHandle {
    return {
      receive: (message) => {
        if (this.#link === link) this.receive(message);
      },
      closed: (reason, final = false) => {
        if (this.#link === link) this.closed(reason, final);
      },
    };
  }

  /**
   * @internal The player came back on `link`: it replaces the old connection, which is
   * closed if it still looked open (a phone that switched networks).
   */
  attach(link: PlayerLink): LinkHandle {
    const old = this.#link;
    const stillOpen = this.#open;
    this.#link = link;
    this.#open = true;
    this.#kicked = false;
    if (old !== link && stillOpen) {
      old.close(CloseCode.KICKED, {
        code: 'ALREADY_CONNECTED',
        message: 'This player connected again elsewhere.',
      });
    }
    return this.handle(link);
  }

  /** @internal Called by the transport for every game message received. */
  receive(message: unknown): void {
    if (this.#open) this.emit('message', message);
  }

  /** @internal Called once when the current connection is gone. */
  closed(reason: string, final = false): boolean {
    if (!this.#open) return false;
    this.#open = false;
    this.emit('close', reason, final || this.#kicked);
    return true;
  }
}
