/**
 * Parties by code: `createParty()` opens the matchmaker socket and gets a code (`K7QF-2M`) to
 * share; friends `joinParty(code)`. Everyone sees the roster live; the leader calls `queue()`,
 * and each member's `play()` connects with their own answer (same server, same team).
 */
import {
  ErrorCode,
  type PartyMessage,
  type PlayReply,
  type PlayRequest,
  type ProgressMessage,
  type TransportKind,
} from '@playgap/protocol';
import type { Channel } from './channel.js';
import { PlaygapClientError } from './errors.js';
import { parseFrontMessage } from './front-message.js';
import { resolveMatchmakerUrl } from './matchmaker-url.js';
import { DEFAULT_TIMEOUTS, type PlayOptions, playWith } from './play.js';
import { cancelledError } from './step.js';

/** Who a member is, as in a play request. */
export interface PartyOptions {
  game: string;
  version: string;
  /** ws(s):// or http(s):// of the front; default: this page's host at `/matchmaker/ws`. */
  matchmakerUrl?: string;
  name?: string;
  /** What the mode's rules read (skill...). */
  attributes?: PlayRequest['attributes'];
  latencies?: PlayRequest['latencies'];
  /** Transports this member can use (the leader's go in the ticket). */
  transports?: readonly TransportKind[];
  /** Opening the socket and getting the first roster. Default 10 000 ms. */
  openTimeoutMs?: number;
  WebSocketImpl?: typeof WebSocket;
}

type Listener<T> = (value: T) => void;

/**
 * A party this browser is in. Events: `roster` (every change), `refused` (a command the
 * matchmaker turned down: `{code, message}`), `progress` (the queue), `end` (the final answer
 * arrived, or the party ended for this member).
 */
export class Party {
  /** The latest roster. */
  roster: PartyMessage;
  readonly #socket: WebSocket;
  readonly #options: PartyOptions;
  readonly #listeners = {
    roster: new Set<Listener<PartyMessage>>(),
    refused: new Set<Listener<PlaygapClientError>>(),
    progress: new Set<Listener<ProgressMessage>>(),
    end: new Set<Listener<PlayReply | PlaygapClientError>>(),
  };
  readonly #progressLog: ProgressMessage[] = [];
  #final: PlayReply | PlaygapClientError | undefined;

  /** @internal use createParty / joinParty */
  constructor(socket: WebSocket, first: PartyMessage, options: PartyOptions) {
    this.#socket = socket;
    this.roster = first;
    this.#options = options;
  }

  /** The code to share (`K7QF-2M`). */
  get code(): string {
    return this.roster.code;
  }

  get isLeader(): boolean {
    return this.roster.leaderId === this.roster.you;
  }

  /** The final answer, once it came (the socket is closed then). */
  get final(): PlayReply | PlaygapClientError | undefined {
    return this.#final;
  }

  on(event: 'roster', listener: Listener<PartyMessage>): () => void;
  on(event: 'refused', listener: Listener<PlaygapClientError>): () => void;
  on(event: 'progress', listener: Listener<ProgressMessage>): () => void;
  on(event: 'end', listener: Listener<PlayReply | PlaygapClientError>): () => void;
  on(event: 'roster' | 'refused' | 'progress' | 'end', listener: Listener<never>): () => void {
    const set = this.#listeners[event] as Set<Listener<never>>;
    set.add(listener);
    return () => set.delete(listener);
  }

  /** The leader queues the party for `mode` (default: the party's, then the game's). */
  queue(mode?: string): void {
    this.#send(mode === undefined ? { type: 'party_queue' } : { type: 'party_queue', mode });
  }

  /** The leader takes the party out of the queue (it is open again). */
  cancel(): void {
    this.#send({ type: 'cancel' });
  }

  /** Leave the party (the leader's leave ends it for everyone). */
  leave(): void {
    if (this.#final) return;
    this.#send({ type: 'party_leave' });
  }

  /**
   * Wait for this member's answer (the leader queues) and connect to the match's server,
   * with the same progress, transport fallback and reconnects as `play()`.
   *
   * @example
   * const party = await joinParty('K7QF-2M', { game: 'arena', version: '1.0.0' });
   * const channel = await party.play({ onProgress: (p) => show(p) });
   */
  play(
    options: Omit<PlayOptions, 'game' | 'version' | 'mode' | 'party' | 'name'> = {},
  ): Promise<Channel> {
    const { game, version } = this.#options;
    return playWith(
      {
        ...options,
        game,
        version,
        ...(this.#options.matchmakerUrl ? { matchmakerUrl: this.#options.matchmakerUrl } : {}),
        ...(this.#options.WebSocketImpl ? { WebSocketImpl: this.#options.WebSocketImpl } : {}),
      },
      (_request, onProgress, round) => {
        if (round > 0) {
          return Promise.reject(
            new PlaygapClientError(
              ErrorCode.SERVER_GONE,
              "The party's server went away; form the party again to play on.",
            ),
          );
        }
        return this.#answer(onProgress, options.signal);
      },
    );
  }

  #answer(onProgress: (p: ProgressMessage) => void, signal?: AbortSignal): Promise<PlayReply> {
    for (const p of this.#progressLog) onProgress(p);
    return new Promise((resolve, reject) => {
      const settle = (final: PlayReply | PlaygapClientError) => {
        offProgress();
        offEnd();
        signal?.removeEventListener('abort', onAbort);
        if (final instanceof PlaygapClientError) reject(final);
        else resolve(final);
      };
      const offProgress = this.on('progress', onProgress);
      const offEnd = this.on('end', settle);
      const onAbort = () => {
        this.leave();
        settle(cancelledError('waiting for the party'));
      };
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
      if (this.#final) settle(this.#final);
    });
  }

  #send(message: Record<string, unknown>): void {
    if (this.#socket.readyState === 1) this.#socket.send(JSON.stringify(message));
  }

  /** @internal */
  _receive(data: unknown): void {
    let message: ReturnType<typeof parseFrontMessage>;
    try {
      message = parseFrontMessage(data);
    } catch (error) {
      this._end(error as PlaygapClientError);
      return;
    }
    if (message.type === 'party') {
      this.roster = message;
      for (const l of this.#listeners.roster) l(message);
    } else if (message.type === 'party_refused') {
      const refusal = new PlaygapClientError(message.code, message.message);
      for (const l of this.#listeners.refused) l(refusal);
    } else if (message.type === 'progress') {
      this.#progressLog.push(message);
      for (const l of this.#listeners.progress) l(message);
    } else if (message.type === 'ready') {
      this._end(message);
    } else {
      this._end(new PlaygapClientError(message.code, message.message));
    }
  }

  /** @internal */
  _end(final: PlayReply | PlaygapClientError): void {
    if (this.#final) return;
    this.#final = final;
    if (this.#socket.readyState <= 1) this.#socket.close();
    for (const l of this.#listeners.end) l(final);
  }
}

/**
 * Create a party; resolves once the matchmaker gave it a code. `mode` fixes its size (that
 * mode's team) and the mode `queue()` uses by default.
 *
 * @example
 * const party = await createParty({ game: 'arena', version: '1.0.0', mode: '2v2', name: 'Ada' });
 * shareLink(`${location.origin}/?partyCode=${party.code}`);
 */
export function createParty(options: PartyOptions & { mode?: string }): Promise<Party> {
  const { mode } = options;
  return open(options, { type: 'party_create', ...(mode ? { mode } : {}) });
}

/**
 * Join a friend's party by its code (any case, dash optional).
 *
 * @example
 * const party = await joinParty('k7qf2m', { game: 'arena', version: '1.0.0', name: 'Bob' });
 * party.on('roster', (r) => render(r.members));
 */
export function joinParty(code: string, options: PartyOptions): Promise<Party> {
  return open(options, { type: 'party_join', code });
}

function open(options: PartyOptions, opening: Record<string, unknown>): Promise<Party> {
  let url: string;
  try {
    url = resolveMatchmakerUrl(options.matchmakerUrl);
  } catch (cause) {
    return Promise.reject(
      new PlaygapClientError(ErrorCode.MATCHMAKER_UNREACHABLE, String(cause), { cause }),
    );
  }
  const WebSocketImpl = options.WebSocketImpl ?? globalThis.WebSocket;
  const first = {
    ...opening,
    game: options.game,
    version: options.version,
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.attributes ? { attributes: options.attributes } : {}),
    ...(options.latencies ? { latencies: options.latencies } : {}),
    ...(options.transports ? { transports: [...options.transports] } : {}),
  };
  return new Promise((resolve, reject) => {
    let party: Party | undefined;
    let socket: WebSocket;
    try {
      socket = new WebSocketImpl(url);
    } catch (cause) {
      reject(
        new PlaygapClientError(
          ErrorCode.MATCHMAKER_UNREACHABLE,
          `The matchmaker URL ${url} is not valid.`,
          {
            cause,
          },
        ),
      );
      return;
    }
    const timer = setTimeout(() => {
      fail(
        new PlaygapClientError(
          ErrorCode.MATCHMAKER_UNREACHABLE,
          'The matchmaker did not answer the party request in time.',
        ),
      );
    }, options.openTimeoutMs ?? DEFAULT_TIMEOUTS.matchmakerOpenMs);
    const fail = (error: PlaygapClientError) => {
      clearTimeout(timer);
      if (socket.readyState <= 1) socket.close();
      reject(error);
    };
    socket.onerror = () => undefined;
    socket.onopen = () => socket.send(JSON.stringify(first));
    socket.onmessage = (event) => {
      if (party) {
        party._receive(event.data);
        return;
      }
      let message: ReturnType<typeof parseFrontMessage>;
      try {
        message = parseFrontMessage(event.data);
      } catch (error) {
        fail(error as PlaygapClientError);
        return;
      }
      if (message.type === 'party') {
        clearTimeout(timer);
        party = new Party(socket, message, options);
        resolve(party);
      } else if (message.type === 'error') {
        fail(new PlaygapClientError(message.code, message.message));
      }
    };
    socket.onclose = (event) => {
      const gone = new PlaygapClientError(
        ErrorCode.MATCHMAKER_UNREACHABLE,
        `The matchmaker closed the party's connection (${event.code}) without an answer.`,
      );
      if (party) party._end(gone);
      else fail(gone);
    };
  });
}
