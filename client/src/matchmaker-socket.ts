/**
 * A socket to the matchmaker front that places one player after another: opened with
 * `?keep=1`, it stays open after each answer, so a page that places more than once (play
 * again, a transport refused, a server gone), a bot or a load test pays for one WebSocket (and
 * TLS) handshake instead of one per placement. The front closes it after 10 s idle; the next
 * placement opens another. An idle kept socket holds one of its IP's concurrent-placement slots,
 * so close it once you are done placing.
 */
import {
  ErrorCode,
  type PlayReply,
  type PlayRequest,
  type ProgressMessage,
} from '@playgap/protocol';
import { PlaygapClientError } from './errors.js';
import { parseFrontMessage } from './front-message.js';
import { cancelledError } from './step.js';

export interface MatchmakerSocketOptions {
  /** The front's socket URL (`ws(s)://…/matchmaker/ws`). */
  url: string;
  /** Max ms for the socket to open; default 10 000. */
  openTimeoutMs?: number;
  /** false: a socket per placement, closed by the front after its answer. Default true. */
  keep?: boolean;
  WebSocketImpl?: typeof WebSocket;
}

export interface PlaceOptions {
  /** Max ms from sending the request to the reply (includes starting a server); default 120 000. */
  replyTimeoutMs?: number;
  signal?: AbortSignal | undefined;
  onProgress?: (progress: ProgressMessage) => void;
}

/** What one placement listens to on the socket. */
interface Waiter {
  message(data: unknown): void;
  closed(code: number): void;
  fail(error: Error): void;
}

/**
 * @example
 * const matchmaker = new MatchmakerSocket({ url: 'wss://mm.example.com/matchmaker/ws' });
 * const first = await matchmaker.place({ game: 'arena', version: '1.0.0' });
 * const again = await matchmaker.place({ game: 'arena', version: '1.0.0' });
 * matchmaker.close();
 */
export class MatchmakerSocket {
  /** The front's socket URL as given (without `?keep=1`). */
  readonly url: string;
  readonly #url: string;
  readonly #openTimeoutMs: number;
  readonly #WebSocketImpl: typeof WebSocket;
  #socket: WebSocket | undefined;
  /** Placements this socket has answered (a reused socket may have been closed for idling). */
  #answered = 0;
  #waiter: Waiter | undefined;
  /** A placement is running (from its call, before its socket is open). */
  #busy = false;
  /** Rejects the socket being opened (close() while it opens). */
  #abortOpen: ((error: PlaygapClientError) => void) | undefined;

  constructor(options: MatchmakerSocketOptions) {
    const keep = options.keep ?? true;
    this.url = options.url;
    this.#url = keep ? `${options.url}${options.url.includes('?') ? '&' : '?'}keep=1` : options.url;
    this.#openTimeoutMs = options.openTimeoutMs ?? 10_000;
    this.#WebSocketImpl = options.WebSocketImpl ?? globalThis.WebSocket;
  }

  /** Ask for a seat: the PlayReply, or the front's coded error. One placement at a time. */
  async place(request: PlayRequest, options: PlaceOptions = {}): Promise<PlayReply> {
    if (this.#busy) {
      throw new PlaygapClientError(
        ErrorCode.BAD_REQUEST,
        'One placement at a time on a matchmaker socket: await the one running.',
      );
    }
    this.#busy = true;
    const reused = this.#socket !== undefined && this.#answered > 0;
    try {
      return await this.#placeOnce(request, options);
    } catch (error) {
      // The front may close a reused socket for idling just as the request leaves: once more.
      if (reused && error instanceof IdleClosed) return await this.#placeOnce(request, options);
      throw error instanceof IdleClosed ? error.unreachable : error;
    } finally {
      this.#busy = false;
    }
  }

  /**
   * Hang up now and free the IP's slot (a placement running ends with CANCELLED; the front
   * cancels its ticket). A later `place()` opens a new socket.
   */
  close(): void {
    this.#abortOpen?.(cancelledError('finding a server'));
    this.#waiter?.fail(cancelledError('finding a server'));
    this.#drop();
  }

  async #placeOnce(request: PlayRequest, options: PlaceOptions): Promise<PlayReply> {
    const { signal } = options;
    if (signal?.aborted) throw cancelledError('finding a server');
    const socket = await this.#open(signal);
    const replyTimeoutMs = options.replyTimeoutMs ?? 120_000;
    return new Promise<PlayReply>((resolve, reject) => {
      let sawMessage = false;
      const settle = (error: Error | undefined, reply?: PlayReply, drop = false) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#waiter = undefined;
        if (drop) this.#drop();
        if (error) reject(error);
        else resolve(reply as PlayReply);
      };
      const onAbort = () => settle(cancelledError('finding a server'), undefined, true);
      signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(
        () =>
          settle(
            new PlaygapClientError(
              ErrorCode.CONNECT_TIMEOUT,
              `No server was found within ${Math.round(replyTimeoutMs / 1000)} s.`,
            ),
            undefined,
            true,
          ),
        replyTimeoutMs,
      );
      this.#waiter = {
        message: (data) => {
          sawMessage = true;
          let message: ReturnType<typeof parseFrontMessage>;
          try {
            message = parseFrontMessage(data);
          } catch (error) {
            settle(error as PlaygapClientError, undefined, true);
            return;
          }
          if (message.type === 'progress') options.onProgress?.(message);
          else if (message.type === 'ready') {
            this.#answered++;
            settle(undefined, message);
          } else if (message.type === 'error') {
            this.#answered++;
            settle(new PlaygapClientError(message.code, message.message));
          }
          // Party messages belong on a party's socket (party.ts), not here.
        },
        closed: (code) => {
          const unreachable = new PlaygapClientError(
            ErrorCode.MATCHMAKER_UNREACHABLE,
            `The matchmaker closed the connection (${code}) without an answer.`,
          );
          settle(!sawMessage && code === 1000 ? new IdleClosed(unreachable) : unreachable);
        },
        fail: (error) => settle(error),
      };
      socket.send(JSON.stringify(request));
    });
  }

  /** The open socket, or a new one. */
  #open(signal: AbortSignal | undefined): Promise<WebSocket> {
    const current = this.#socket;
    if (current && current.readyState === 1) return Promise.resolve(current);
    this.#drop();
    this.#answered = 0;
    const url = this.#url;
    return new Promise<WebSocket>((resolve, reject) => {
      let socket: WebSocket;
      try {
        socket = new this.#WebSocketImpl(url);
      } catch (cause) {
        reject(
          new PlaygapClientError(
            ErrorCode.MATCHMAKER_UNREACHABLE,
            `The matchmaker URL ${url} is not valid.`,
            { cause },
          ),
        );
        return;
      }
      this.#socket = socket;
      const fail = (error: PlaygapClientError) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#abortOpen = undefined;
        if (this.#socket === socket) this.#drop();
        reject(error);
      };
      this.#abortOpen = fail;
      const onAbort = () => fail(cancelledError('finding a server'));
      signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(
        () =>
          fail(
            new PlaygapClientError(
              ErrorCode.MATCHMAKER_UNREACHABLE,
              `The matchmaker did not answer within ${Math.round(this.#openTimeoutMs / 1000)} s.`,
            ),
          ),
        this.#openTimeoutMs,
      );
      // A no-op error listener: the close event carries what matters (and Node's `ws` throws on
      // an unheard error).
      socket.onerror = () => undefined;
      socket.onopen = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#abortOpen = undefined;
        socket.onclose = (event) => {
          if (this.#socket === socket) this.#socket = undefined;
          this.#waiter?.closed(event.code);
        };
        resolve(socket);
      };
      socket.onmessage = (event) => this.#waiter?.message(event.data);
      socket.onclose = () =>
        fail(
          new PlaygapClientError(
            ErrorCode.MATCHMAKER_UNREACHABLE,
            `The matchmaker at ${url} could not be reached.`,
          ),
        );
    });
  }

  #drop(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = null;
    if (socket.readyState <= 1) socket.close();
  }
}

/** A reused socket closed before any answer: most likely the front's idle close. */
class IdleClosed extends Error {
  constructor(readonly unreachable: PlaygapClientError) {
    super(unreachable.message);
  }
}
