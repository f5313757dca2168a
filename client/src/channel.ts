/**
 * The small channel a game talks through once connected, the same whichever transport won:
 * `send`, `on('message')`, `on('close')`, `close()`. Transports extend `ChannelBase`.
 */
import type { ErrorCode, TransportKind, WelcomeMessage } from '@playgap/protocol';

/** Why a channel closed: `code` is set when it was not the game's own `close()`. */
export interface ChannelCloseEvent {
  /** DISCONNECTED, SERVER_DRAINING, TOKEN_REFUSED... or undefined after `close()`. */
  code: ErrorCode | undefined;
  /** Human text. */
  reason: string;
  /**
   * Set by a transport when the link was lost without the server closing it on purpose (a
   * drop, not a kick or a stop): the seat may be won back with the reconnect credential.
   */
  resumable?: boolean;
}

export interface SendOptions {
  /** Default true. Unreliable messages may be lost or reordered (WebRTC, WebTransport datagrams). */
  reliable?: boolean;
}

/** The connection dropped and the SDK is winning the seat back (or, last, matchmaking). */
export interface ReconnectingEvent {
  /** 1, 2, ... since the drop. */
  attempt: number;
  /** Wait before this attempt, in ms. */
  delayMs: number;
  /** True for the last resort: the seat is lost, a new server is being found. */
  matchmaking: boolean;
  /** Why: DISCONNECTED for a drop; SERVER_GONE, RECONNECT_EXPIRED... before matchmaking. */
  code: ErrorCode;
}

/** The channel is back: on the same seat (`resumed`), or on a new server after matchmaking. */
export interface ReconnectedEvent {
  welcome: WelcomeMessage;
  /** True: same server, seat and player state. False: a new server (start the game over). */
  resumed: boolean;
  transport: TransportKind;
}

export interface ChannelEvents {
  message: (message: unknown) => void;
  /** The player is out for good (after any reconnect attempts). */
  close: (event: ChannelCloseEvent) => void;
  reconnecting: (event: ReconnectingEvent) => void;
  reconnected: (event: ReconnectedEvent) => void;
}

/**
 * A connected player's link to the game server.
 *
 * @example
 * conn.on('message', (msg) => applySnapshot(msg));
 * conn.send({ type: 'input', up: true }, { reliable: false });
 */
export interface Channel {
  /** Transport that won the fallback. */
  readonly transport: TransportKind;
  /** What the server said when it accepted the token. */
  readonly welcome: WelcomeMessage;
  /** False once closed. */
  readonly open: boolean;
  /** Send one JSON-serialisable game message. Dropped silently once closed. */
  send(message: unknown, options?: SendOptions): void;
  /** Subscribe; returns the unsubscribe function. */
  on<E extends keyof ChannelEvents>(event: E, listener: ChannelEvents[E]): () => void;
  /** Disconnect (idempotent). */
  close(): void;
}

/**
 * Listener bookkeeping and close-once logic shared by every transport.
 *
 * @example
 * class MyChannel extends ChannelBase { ... this.receive(msg); ... this.closed({code, reason}); }
 */
export abstract class ChannelBase implements Channel {
  abstract readonly transport: TransportKind;
  welcome!: WelcomeMessage;
  #open = true;
  /** Set by close(): whatever the transport reports while hanging up, the game chose this. */
  #closing = false;
  #listeners: { [E in keyof ChannelEvents]: Set<ChannelEvents[E]> } = {
    message: new Set(),
    close: new Set(),
    reconnecting: new Set(),
    reconnected: new Set(),
  };
  #pending: unknown[] = [];
  #ready = false;

  get open(): boolean {
    return this.#open;
  }

  on<E extends keyof ChannelEvents>(event: E, listener: ChannelEvents[E]): () => void {
    this.#listeners[event].add(listener);
    if (event === 'message' && !this.#ready) {
      // Messages that arrived between the welcome and the game's first subscription (the
      // first snapshot, typically) are delivered rather than lost.
      this.#ready = true;
      const pending = this.#pending;
      this.#pending = [];
      queueMicrotask(() => {
        for (const message of pending) this.receive(message);
      });
    }
    return () => this.#listeners[event].delete(listener);
  }

  send(message: unknown, options?: SendOptions): void {
    if (!this.#open) return;
    this.transmit(JSON.stringify(message), options?.reliable ?? true);
  }

  close(): void {
    if (!this.#open) return;
    this.#closing = true;
    this.hangUp();
    this.closed({ code: undefined, reason: 'Closed by the game.' });
  }

  /** Transport → game: one decoded message. */
  protected receive(message: unknown): void {
    if (!this.#open) return;
    if (!this.#ready) {
      this.#pending.push(message);
      return;
    }
    for (const listener of this.#listeners.message) listener(message);
  }

  /** Transport → game: the link is gone (called once). */
  protected closed(event: ChannelCloseEvent): void {
    if (!this.#open) return;
    this.#open = false;
    // A transport whose hang-up reports its own close at once (geckos does) is not a failure.
    const final = this.#closing ? { code: undefined, reason: 'Closed by the game.' } : event;
    for (const listener of this.#listeners.close) listener(final);
    for (const set of Object.values(this.#listeners)) set.clear();
  }

  /** Put one encoded message on the wire. */
  protected abstract transmit(text: string, reliable: boolean): void;
  /** Tear the transport down without emitting anything. */
  protected abstract hangUp(): void;
}
