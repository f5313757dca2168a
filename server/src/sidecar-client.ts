/**
 * HTTP client of the sidecar's local API (docs/sidecar-api.md): info, ready, token checks,
 * disconnects, heartbeats, drain, and the `/v1/events` server-sent events stream.
 */
import { Backoff, ErrorCode, isErrorCode, type TransportOffer } from '@playgap/protocol';
import {
  type SidecarDisconnectResult,
  type SidecarOperation,
  type SidecarRequest,
  type SidecarResponse,
  type SidecarServerInfo,
  type SidecarVerifyResult,
  sidecarEventsRoute,
  sidecarRoutes,
  sidecarUrl,
} from '@playgap/protocol/sidecar-api';
import { SidecarRequestError, SidecarUnavailableError } from './errors.js';

/**
 * What `GET /v1/info` says about this server: the contract's type
 * (@playgap/protocol/sidecar-api), the very one the sidecar answers with.
 */
export type SidecarInfo = SidecarServerInfo;

/**
 * An admitted player: what `POST /v1/tokens/verify` returns for an accepted token (the
 * contract's `SidecarVerifyResult`), of which a WebRTC join that was verified during
 * signaling carries only the client id, player and seat.
 */
export type VerifiedToken = Pick<SidecarVerifyResult, 'clientId' | 'player'> &
  Partial<Omit<SidecarVerifyResult, 'clientId' | 'player'>> & {
    /** Admitted with a reconnect credential: the player's held seat, given back. */
    resumed?: boolean;
  };

/** One event of `GET /v1/events`. */
export interface SidecarEvent {
  event: string;
  data: unknown;
}

export interface SidecarClientOptions {
  /** Base URL, e.g. `http://127.0.0.1:7777` (PLAYGAP_SIDECAR_URL). */
  url: string;
  /** Per-request timeout. Default 5000 ms. */
  requestTimeoutMs?: number;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;

/**
 * Talks to one sidecar.
 *
 * @example
 * const sidecar = new SidecarClient({ url: process.env.PLAYGAP_SIDECAR_URL! });
 * const info = await sidecar.waitUntilUp({ timeoutMs: 30_000 });
 * const { clientId, player } = await sidecar.verifyToken(token);
 */
export class SidecarClient {
  readonly url: string;
  readonly #requestTimeoutMs: number;

  constructor(options: SidecarClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.#requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /**
   * Poll `/v1/info` with exponential backoff until the sidecar answers (it may still be
   * starting when the game server starts).
   */
  async waitUntilUp(
    opts: { timeoutMs?: number; initialDelayMs?: number; maxDelayMs?: number } = {},
  ): Promise<SidecarInfo> {
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const backoff = new Backoff({
      initialDelayMs: opts.initialDelayMs ?? 50,
      maxDelayMs: opts.maxDelayMs ?? 1_000,
    });
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
      try {
        return await this.info();
      } catch (err) {
        lastError = err;
        if (err instanceof SidecarRequestError) throw err;
      }
      const delayMs = backoff.next();
      if (Date.now() + delayMs > deadline) break;
      await new Promise((r) => setTimeout(r, delayMs));
    }
    throw new SidecarUnavailableError(
      `The sidecar at ${this.url} did not answer within ${timeoutMs} ms.`,
      { cause: lastError },
    );
  }

  info(): Promise<SidecarInfo> {
    return this.#call('info');
  }

  /** Declare the transports that run; the matchmaker may now place players here. */
  async ready(transports: TransportOffer[], capacity?: number): Promise<void> {
    await this.#call('ready', capacity === undefined ? { transports } : { transports, capacity });
  }

  /** Verify and consume a connect token (base64). Throws SidecarRequestError with the refusal code. */
  verifyToken(token: string): Promise<VerifiedToken> {
    return this.#call('verify', { token });
  }

  /**
   * Redeem a reconnect credential (`pgr1.`): the player's held seat, same client id, and the
   * next credential. Throws SidecarRequestError RECONNECT_REFUSED or RECONNECT_EXPIRED.
   */
  async reconnect(credential: string): Promise<VerifiedToken> {
    const result = await this.#call('reconnect', { credential });
    return { ...result, resumed: true };
  }

  /**
   * Report that a player's connection ended: its seat is held for a reconnect (the answer's
   * `graceMs`) unless `final` (it left for good) or the sidecar holds none.
   */
  disconnect(clientId: string, final = false): Promise<SidecarDisconnectResult> {
    return this.#call('disconnect', final ? { clientId, final } : { clientId });
  }

  async heartbeat(): Promise<void> {
    await this.#call('heartbeat');
  }

  async setCapacity(capacity: number): Promise<void> {
    await this.#call('capacity', { capacity });
  }

  async drain(): Promise<void> {
    await this.#call('drain');
  }

  async shutdown(): Promise<void> {
    await this.#call('shutdown');
  }

  /**
   * Ask the matchmakers for `count` players for a running match (POST /v1/backfill). Throws
   * SidecarRequestError UNKNOWN_MATCH, UNKNOWN_TEAM, BACKFILL_NO_ROOM, SERVER_NOT_READY...
   */
  requestBackfill(
    request: SidecarRequest<'requestBackfill'>,
  ): Promise<SidecarResponse<'requestBackfill'>> {
    return this.#call('requestBackfill', request);
  }

  /** The open backfill requests of this server. */
  backfills(): Promise<SidecarResponse<'backfills'>> {
    return this.#call('backfills');
  }

  /** Withdraw a backfill request; SidecarRequestError UNKNOWN_BACKFILL when it is not open. */
  async withdrawBackfill(backfillId: string): Promise<void> {
    await this.#call('withdrawBackfill', { backfillId });
  }

  /** The matches placed on this server (GET /v1/match). */
  matches(): Promise<SidecarResponse<'match'>> {
    return this.#call('match');
  }

  /**
   * Follow `/v1/events` until `signal` aborts or the stream ends. Resolves when it ends;
   * the caller reconnects if it wants to.
   */
  async followEvents(onEvent: (event: SidecarEvent) => void, signal: AbortSignal): Promise<void> {
    const res = await fetch(`${this.url}${sidecarEventsRoute.url}`, {
      headers: { accept: 'text/event-stream' },
      signal,
    });
    if (!res.ok || !res.body) {
      throw new SidecarUnavailableError(`The sidecar's event stream answered ${res.status}.`);
    }
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const parsed = parseSseBlock(block);
        if (parsed) onEvent(parsed);
        end = buffer.indexOf('\n\n');
      }
    }
  }

  /**
   * Call one operation of the contract: its method and URL come from the route table, its
   * body and answer types from the schemas. Bodyless POSTs send `{}` (as they always did), GETs
   * no body.
   */
  #call<N extends SidecarOperation>(
    name: N,
    ...body: SidecarRequest<N> extends undefined ? [] : [SidecarRequest<N>]
  ): Promise<SidecarResponse<N>> {
    const route = sidecarRoutes[name];
    const { method } = route;
    if ('params' in route) {
      // Path parameters go in the URL; such a route takes no body.
      const url = sidecarUrl(route.url, body[0] as Record<string, string>);
      return this.#request<SidecarResponse<N>>(method, url, undefined);
    }
    const payload = body.length > 0 ? body[0] : method === 'GET' ? undefined : {};
    return this.#request<SidecarResponse<N>>(method, route.url, payload);
  }

  async #request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#requestTimeoutMs),
      });
    } catch (err) {
      throw new SidecarUnavailableError(
        `The sidecar at ${this.url} is unreachable (${method} ${path}).`,
        {
          cause: err,
        },
      );
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const e = (json ?? {}) as { code?: unknown; message?: unknown };
      const code = isErrorCode(e.code) ? e.code : ErrorCode.INTERNAL;
      const message =
        typeof e.message === 'string'
          ? e.message
          : `The sidecar answered ${res.status} to ${method} ${path}.`;
      throw new SidecarRequestError(code, message, res.status);
    }
    return json as T;
  }
}

/**
 * Parse one server-sent-events block (`event:` and `data:` lines); data is JSON when it parses.
 *
 * @example
 * parseSseBlock('event: drain\ndata: {"state":"draining"}'); // { event: 'drain', data: { state: 'draining' } }
 */
export function parseSseBlock(block: string): SidecarEvent | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  if (data.length === 0 && event === 'message') return undefined;
  const raw = data.join('\n');
  let parsed: unknown = raw;
  try {
    parsed = raw.length > 0 ? JSON.parse(raw) : undefined;
  } catch {
    parsed = raw;
  }
  return { event, data: parsed };
}
