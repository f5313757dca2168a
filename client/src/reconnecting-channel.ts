/**
 * The channel `play()` returns: the game's one link, whichever connection is under it. When
 * the connection drops (not a kick, not the game's close) it wins the seat back with the
 * reconnect credential, with backoff, until the grace period is over; when the server is gone
 * or refuses the credential it asks the matchmaker once for a new server. `reconnecting` and
 * `reconnected` say what happens; `close` comes only when the player is really out.
 */
import { Backoff, type BackoffOptions, ErrorCode, type WelcomeMessage } from '@playgap/protocol';
import type {
  Channel,
  ChannelCloseEvent,
  ChannelEvents,
  ReconnectedEvent,
  ReconnectingEvent,
  SendOptions,
} from './channel.js';
import { PlaygapClientError } from './errors.js';
import {
  forgetSavedSeat,
  markSeatDropped,
  type SavedSeat,
  type SeatStorage,
  saveSeat,
} from './saved-seat.js';

/** What the channel needs from play(): how to resume a seat and how to find a new one. */
export interface RecoveryDeps {
  game: string;
  version: string;
  storage: SeatStorage | undefined;
  backoff: BackoffOptions;
  now: () => number;
  /** Reconnect to `seat`'s server with its credential (every allowed transport, best first). */
  resume(seat: SavedSeat, signal: AbortSignal): Promise<Channel>;
  /** Matchmake and connect as play() does, for a new server. */
  matchmake(signal: AbortSignal): Promise<{ channel: Channel; seat: SavedSeat | undefined }>;
  /** Progress for play()'s onProgress. */
  report(stage: 'reconnecting' | 'connected', message: string, channel?: Channel): void;
}

type Listeners = { [E in keyof ChannelEvents]: Set<ChannelEvents[E]> };

/**
 * A channel that survives drops.
 *
 * @example
 * const conn = new ReconnectingChannel(channel, seat, deps);
 * conn.on('reconnecting', (e) => (status.textContent = `Reconnecting (${e.attempt})…`));
 */
export class ReconnectingChannel implements Channel {
  #inner: Channel;
  #seat: SavedSeat | undefined;
  #open = true;
  #abort: AbortController | undefined;
  #listeners: Listeners = {
    message: new Set(),
    close: new Set(),
    reconnecting: new Set(),
    reconnected: new Set(),
  };
  #pending: unknown[] | undefined = [];
  readonly #onPageHide = () => {
    if (this.#seat) markSeatDropped(this.deps.storage, this.#seat, this.deps.now());
  };

  constructor(
    inner: Channel,
    seat: SavedSeat | undefined,
    private readonly deps: RecoveryDeps,
  ) {
    this.#inner = inner;
    this.#seat = seat;
    this.#attach(inner);
    // A reload or a closed tab: the grace counts from now (a reload rejoins within it).
    (globalThis as { addEventListener?: typeof addEventListener }).addEventListener?.(
      'pagehide',
      this.#onPageHide,
    );
  }

  get transport() {
    return this.#inner.transport;
  }

  /** The welcome of the current connection (after a fallback: of the new server). */
  get welcome(): WelcomeMessage {
    return this.#inner.welcome;
  }

  /** True until the player is out for good (also while reconnecting). */
  get open(): boolean {
    return this.#open;
  }

  /** Send on the current connection; dropped while reconnecting. */
  send(message: unknown, options?: SendOptions): void {
    if (this.#open) this.#inner.send(message, options);
  }

  on<E extends keyof ChannelEvents>(event: E, listener: ChannelEvents[E]): () => void {
    this.#listeners[event].add(listener);
    if (event === 'message' && this.#pending) {
      // Messages that came before the game's first subscription are delivered, not lost.
      const pending = this.#pending;
      this.#pending = undefined;
      queueMicrotask(() => {
        for (const message of pending) this.#deliver(message);
      });
    }
    return () => this.#listeners[event].delete(listener);
  }

  close(): void {
    if (!this.#open) return;
    this.#finish({ code: undefined, reason: 'Closed by the game.' });
    this.#inner.close();
  }

  #attach(inner: Channel): void {
    this.#inner = inner;
    inner.on('message', (message) => this.#deliver(message));
    inner.on('close', (event) => this.#onInnerClose(inner, event));
  }

  #deliver(message: unknown): void {
    if (!this.#open) return;
    if (this.#pending) {
      this.#pending.push(message);
      return;
    }
    for (const listener of this.#listeners.message) listener(message);
  }

  #emit<E extends 'reconnecting' | 'reconnected'>(
    event: E,
    data: Parameters<ChannelEvents[E]>[0],
  ): void {
    for (const listener of this.#listeners[event]) (listener as (d: typeof data) => void)(data);
  }

  #onInnerClose(inner: Channel, event: ChannelCloseEvent): void {
    if (inner !== this.#inner || !this.#open || event.code === undefined) return;
    if (event.resumable && this.#seat) {
      void this.#recover(event.code, true);
    } else if (event.code === ErrorCode.SERVER_DRAINING && this.#seat) {
      // The server is stopping: no seat to win back, but another server will take us.
      void this.#recover(ErrorCode.SERVER_GONE, false);
    } else {
      this.#finish(event);
    }
  }

  /** Win the seat back (resume) until its grace ends or it is refused, then matchmake once. */
  async #recover(code: ErrorCode, resume: boolean): Promise<void> {
    const abort = new AbortController();
    this.#abort = abort;
    const { now, storage } = this.deps;
    let attempt = 0;
    let why: ErrorCode = code;
    const seat = this.#seat;
    if (resume && seat) {
      markSeatDropped(storage, seat, now());
      const deadline = (seat.droppedAt ?? now()) + seat.reconnect.graceMs;
      const backoff = new Backoff(this.deps.backoff);
      why = ErrorCode.SERVER_GONE;
      for (;;) {
        const delayMs = Math.min(backoff.next(), Math.max(0, deadline - now()));
        attempt++;
        this.#emit('reconnecting', { attempt, delayMs, matchmaking: false, code });
        this.deps.report('reconnecting', `Connection lost — reconnecting (attempt ${attempt})…`);
        if (!(await sleep(delayMs, abort.signal))) return;
        if (now() >= deadline) break;
        try {
          const channel = await this.deps.resume(seat, abort.signal);
          if (!this.#open) return channel.close();
          this.#seat = saveSeat(
            storage,
            { ...seat, transport: channel.transport },
            channel.welcome,
          );
          this.#attach(channel);
          this.deps.report('connected', `Playing (${channel.transport})`, channel);
          this.#emit('reconnected', {
            welcome: channel.welcome,
            resumed: true,
            transport: channel.transport,
          });
          return;
        } catch (error) {
          if (!this.#open) return;
          if (error instanceof PlaygapClientError && error.code === ErrorCode.TOKEN_REFUSED) {
            why = error.reason ?? ErrorCode.RECONNECT_REFUSED;
            break; // refused (expired, used, server stopping): a new server, not another try
          }
        }
      }
    }
    // The seat is lost: ask the matchmaker once for a new server.
    forgetSavedSeat(storage, this.deps.game);
    this.#seat = undefined;
    attempt++;
    this.#emit('reconnecting', { attempt, delayMs: 0, matchmaking: true, code: why });
    try {
      const { channel, seat: next } = await this.deps.matchmake(abort.signal);
      if (!this.#open) return channel.close();
      this.#seat = next;
      this.#attach(channel);
      this.#emit('reconnected', {
        welcome: channel.welcome,
        resumed: false,
        transport: channel.transport,
      });
    } catch (error) {
      if (!this.#open) return;
      const failure = error instanceof PlaygapClientError ? error : undefined;
      this.#finish({
        code: failure?.code ?? ErrorCode.SERVER_GONE,
        reason: failure?.message ?? 'The game server is gone and no other could be found.',
      });
    }
  }

  #finish(event: ChannelCloseEvent): void {
    if (!this.#open) return;
    this.#open = false;
    this.#abort?.abort();
    forgetSavedSeat(this.deps.storage, this.deps.game);
    (globalThis as { removeEventListener?: typeof removeEventListener }).removeEventListener?.(
      'pagehide',
      this.#onPageHide,
    );
    for (const listener of this.#listeners.close) listener(event);
    for (const set of Object.values(this.#listeners)) set.clear();
  }
}

/** Wait `ms`; false when `signal` aborted first. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export type { ReconnectedEvent, ReconnectingEvent };
