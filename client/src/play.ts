/**
 * `play()`: the whole matchmake-then-connect flow in one call, with typed progress, a deadline
 * on every step, cancellation, and transport fallback.
 */
import {
  BACKOFF_DEFAULTS,
  ErrorCode,
  type PlayReply,
  type PlayRequest,
  type ProgressMessage,
  type ProgressStage,
  type TicketProgress,
  type TransportKind,
} from '@playgap/protocol';
import type { Channel } from './channel.js';
import { connectWithFallback, transportOrder } from './connect.js';
import { PlaygapClientError } from './errors.js';
import { type MeasureLatencyOptions, measureForPlay } from './latency.js';
import { matchmake } from './matchmake.js';
import type { MatchmakerSocket } from './matchmaker-socket.js';
import { resolveMatchmakerUrl } from './matchmaker-url.js';
import { ReconnectingChannel } from './reconnecting-channel.js';
import {
  defaultSeatStorage,
  forgetSavedSeat,
  loadSavedSeat,
  type SavedSeat,
  type SeatStorage,
  saveSeat,
} from './saved-seat.js';
import type { Transport } from './transports/transport.js';
import { webrtcTransport } from './transports/webrtc.js';
import { websocketTransport } from './transports/websocket.js';
import { webtransportTransport } from './transports/webtransport.js';

/**
 * Every stage `play()` reports, in order. `measuring_latency` only with `measureLatency`; the
 * four after `matchmaking` come from the matchmaker.
 * `retrying`: the server refused us before the welcome because it is stopping; `play()` asks
 * the matchmaker once more (the stages from `matchmaking` on then repeat). `reconnecting`:
 * rejoining a seat this tab held (after a reload), or, once connected, winning it back after
 * a drop; `connected` follows when that worked.
 */
export type PlayStage =
  | 'measuring_latency'
  | 'matchmaking'
  | ProgressStage
  | 'connecting'
  | 'connected'
  | 'retrying'
  | 'reconnecting';

/**
 * One progress event. `elapsedMs` counts from the `play()` call (matchmaker stages: from the
 * matchmaker's clock, i.e. since it got the request).
 */
export interface PlayProgress {
  stage: PlayStage;
  elapsedMs: number;
  /** Human text, e.g. "Starting a server near you (4 s)". */
  message: string;
  /** `connecting`/`connected`: the transport being tried or that won. */
  transport?: TransportKind;
  /** `retrying`: the server's refusal code (SERVER_DRAINING). */
  reason?: ErrorCode;
  /** `searching` / `match_found` (queued modes): mode, expansion stage, seconds waited, match id. */
  ticket?: TicketProgress;
}

/**
 * Where a reply comes from: the matchmaker for this request (the default), or a party's socket
 * (party.ts), whose leader queued for everyone.
 */
export type FindReply = (
  request: PlayRequest,
  onProgress: (progress: ProgressMessage) => void,
  round: number,
) => Promise<PlayReply>;

/** Deadlines of each step, in milliseconds. */
export interface PlayTimeouts {
  /** Opening the matchmaker WebSocket. Default 10 000. */
  matchmakerOpenMs?: number;
  /** From the request to the reply, including starting a server. Default 120 000. */
  matchmakingMs?: number;
  /** One transport attempt: open and token check. Default 10 000. */
  transportMs?: number;
}

/**
 * Step deadlines used when `timeouts` leaves one out.
 *
 * @example
 * play({ game, version, timeouts: { ...DEFAULT_TIMEOUTS, transportMs: 5_000 } });
 */
export const DEFAULT_TIMEOUTS: Readonly<Required<PlayTimeouts>> = Object.freeze({
  matchmakerOpenMs: 10_000,
  matchmakingMs: 120_000,
  transportMs: 10_000,
});

/**
 * The transports `play()` allows by default, best first.
 *
 * @example
 * play({ game, version, transports: DEFAULT_TRANSPORTS.filter((t) => t !== 'webtransport') });
 */
export const DEFAULT_TRANSPORTS: readonly TransportKind[] = ['webtransport', 'webrtc', 'websocket'];

/** How the channel wins its seat back after a drop (see docs/client-sdk.md). */
export interface ReconnectOptions {
  /** Default true. Only servers that hand out reconnect credentials are rejoined. */
  enabled?: boolean;
  /** First wait between attempts. Default 250 ms, doubling. */
  initialDelayMs?: number;
  /** Longest wait between attempts. Default 4000 ms. */
  maxDelayMs?: number;
  /** Where the seat is kept so a reload rejoins it: default sessionStorage; null = memory only. */
  storage?: SeatStorage | null;
}

/**
 * Reconnect defaults.
 *
 * @example
 * play({ game, version, reconnect: { ...DEFAULT_RECONNECT, maxDelayMs: 2_000 } });
 */
export const DEFAULT_RECONNECT = Object.freeze({
  enabled: true,
  initialDelayMs: 250,
  maxDelayMs: 4_000,
});

export interface PlayOptions {
  /** App name (the Edgegap app). */
  game: string;
  version: string;
  /** ws(s):// or http(s):// of the front; default: this page's host at `/matchmaker/ws`. */
  matchmakerUrl?: string;
  /** Display name for the others (travels in the token). */
  name?: string;
  mode?: string;
  party?: string;
  /** Transports allowed, best first (default webtransport, webrtc, websocket). */
  transports?: readonly TransportKind[];
  timeouts?: PlayTimeouts;
  /**
   * Ping the matchmaker's regions first and send the round trips as `latencies`, so a new
   * server starts in the fastest region (`true` = the defaults of measureLatencies). A
   * measurement that fails is skipped: play goes on without latencies.
   */
  measureLatency?: boolean | Omit<MeasureLatencyOptions, 'signal'>;
  /** Abort to cancel: `play()` rejects with CANCELLED and closes what it opened. */
  signal?: AbortSignal;
  onProgress?: (progress: PlayProgress) => void;
  /** Reconnects after a drop and rejoin after a reload (on by default). */
  reconnect?: ReconnectOptions;
  /**
   * Place over this kept matchmaker socket instead of a socket per placement (play again,
   * bots): it stays open after `play()` resolves, so close it when done. `matchmakerUrl` is
   * then the socket's own.
   */
  matchmaker?: MatchmakerSocket;
  /** Test seams: transport implementations, WebSocket class, clock. */
  implementations?: Transport[];
  WebSocketImpl?: typeof WebSocket;
  now?: () => number;
}

function defaultImplementations(WebSocketImpl?: typeof WebSocket): Transport[] {
  return [webtransportTransport(), webrtcTransport(), websocketTransport(WebSocketImpl)];
}

/** Refusals after a transport fell through with the token used: a new token fixes them. */
const RETRYABLE_REFUSALS: readonly string[] = [
  ErrorCode.TOKEN_REPLAYED,
  ErrorCode.ALREADY_CONNECTED,
  ErrorCode.NO_RESERVATION,
];

/**
 * The server is stopping (it went idle as we were placed on it): another server will take us.
 * By the time we ask again the matchmaker has its draining record and places us elsewhere.
 */
const SERVER_GOING_AWAY: readonly string[] = [ErrorCode.SERVER_DRAINING];

/**
 * Find a server and connect to it.
 *
 * @example
 * const conn = await play({ game: 'arena', version: '1.0.0', name: 'Ada',
 *   onProgress: (p) => (label.textContent = p.message) });
 * conn.on('message', (msg) => console.log(msg));
 * conn.send({ type: 'input', left: true }, { reliable: false });
 */
export function play(options: PlayOptions): Promise<Channel> {
  return playWith(options, undefined);
}

/** `play()` with the reply from `findReply` (a party's socket) instead of a new request. */
export async function playWith(
  options: PlayOptions,
  findReply: FindReply | undefined,
): Promise<Channel> {
  const now = options.now ?? (() => Date.now());
  const started = now();
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const implementations = options.implementations ?? defaultImplementations(options.WebSocketImpl);
  const report = (progress: Omit<PlayProgress, 'elapsedMs'> & { elapsedMs?: number }) =>
    options.onProgress?.({ ...progress, elapsedMs: progress.elapsedMs ?? now() - started });
  let url: string;
  try {
    url = resolveMatchmakerUrl(options.matchmakerUrl ?? options.matchmaker?.url);
  } catch (cause) {
    throw new PlaygapClientError(ErrorCode.MATCHMAKER_UNREACHABLE, String(cause), { cause });
  }
  const allowed = (options.transports ?? DEFAULT_TRANSPORTS).filter((kind) =>
    implementations.some((t) => t.kind === kind && t.supported()),
  );
  if (allowed.length === 0) {
    throw new PlaygapClientError(
      ErrorCode.TRANSPORT_FAILED,
      'This browser supports none of the allowed transports.',
    );
  }
  const reconnect = { ...DEFAULT_RECONNECT, ...options.reconnect };
  if (!reconnect.enabled) {
    return (await matchmakeAndConnect(options, url, allowed, implementations, report, findReply))
      .channel;
  }
  const storage =
    options.reconnect?.storage === null
      ? undefined
      : (options.reconnect?.storage ?? defaultSeatStorage());
  const { game, version } = options;
  const remember = (reply: PlayReply, channel: Channel): SavedSeat | undefined => {
    const { token: _token, ...rest } = reply;
    return saveSeat(
      storage,
      { game, version, reply: rest, transport: channel.transport },
      channel.welcome,
    );
  };
  const resume = (seat: SavedSeat, signal?: AbortSignal): Promise<Channel> => {
    // The credential goes where the connect token went; the transport that worked goes first.
    const reply: PlayReply = { ...seat.reply, token: seat.reconnect.credential };
    const order = [seat.transport, ...allowed.filter((k) => k !== seat.transport)];
    return connectWithFallback({
      reply,
      transports: transportOrder(order, reply, implementations),
      allowed,
      attemptTimeoutMs: timeouts.transportMs,
      signal,
    });
  };
  const wrap = (channel: Channel, seat: SavedSeat | undefined) =>
    new ReconnectingChannel(channel, seat, {
      game,
      version,
      storage,
      backoff: {
        initialDelayMs: reconnect.initialDelayMs,
        maxDelayMs: reconnect.maxDelayMs,
        jitter: BACKOFF_DEFAULTS.jitter,
      },
      now,
      resume,
      matchmake: async () => {
        const found = await matchmakeAndConnect(
          options,
          url,
          allowed,
          implementations,
          report,
          findReply,
        );
        return { channel: found.channel, seat: remember(found.reply, found.channel) };
      },
      report: (stage, message, channel) =>
        report(channel ? { stage, message, transport: channel.transport } : { stage, message }),
    });

  // This tab held a seat (a reload): rejoin it before asking the matchmaker.
  const saved = loadSavedSeat(storage, game, version, now());
  if (saved) {
    report({ stage: 'reconnecting', message: 'Rejoining your game…' });
    try {
      const channel = await resume(saved, options.signal);
      const seat = saveSeat(storage, { ...saved, transport: channel.transport }, channel.welcome);
      report({
        stage: 'connected',
        transport: channel.transport,
        message: `Playing (${channel.transport})`,
      });
      return wrap(channel, seat);
    } catch (error) {
      if (error instanceof PlaygapClientError && error.code === ErrorCode.CANCELLED) throw error;
      forgetSavedSeat(storage, game); // gone or refused: a new server, below
    }
  }
  const { channel, reply } = await matchmakeAndConnect(
    options,
    url,
    allowed,
    implementations,
    report,
    findReply,
  );
  return wrap(channel, remember(reply, channel));
}

/**
 * Matchmake and connect, with transport fallback and the retries described on `play()`.
 */
async function matchmakeAndConnect(
  options: PlayOptions,
  url: string,
  allowedAtFirst: readonly TransportKind[],
  implementations: Transport[],
  report: (progress: Omit<PlayProgress, 'elapsedMs'> & { elapsedMs?: number }) => void,
  findReply: FindReply | undefined,
): Promise<{ channel: Channel; reply: PlayReply }> {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  let allowed = [...allowedAtFirst];
  let latencies: PlayRequest['latencies'];
  if (options.measureLatency) {
    report({ stage: 'measuring_latency', message: 'Measuring latency to the regions…' });
    latencies = await measureForPlay(url, options.measureLatency, options.signal);
  }
  // A transport that fails after its token check leaves the token used: the next transport is
  // refused as a replay. Then ask the matchmaker once more for the transports not yet tried.
  // A server that refuses us because it is stopping: ask once more, for any transport.
  for (let round = 0; ; round++) {
    const request: PlayRequest = { game: options.game, version: options.version };
    if (options.name !== undefined) request.name = options.name;
    if (options.mode !== undefined) request.mode = options.mode;
    if (options.party !== undefined) request.party = options.party;
    request.transports = [...allowed];
    if (latencies) request.latencies = latencies;
    report({ stage: 'matchmaking', message: 'Finding a server…' });
    const onProgress = (p: ProgressMessage) =>
      report({
        stage: p.stage,
        elapsedMs: p.elapsedMs,
        message: p.message,
        ...(p.ticket ? { ticket: p.ticket } : {}),
      });
    const reply = findReply
      ? await findReply(request, onProgress, round)
      : options.matchmaker
        ? await options.matchmaker.place(request, {
            replyTimeoutMs: timeouts.matchmakingMs,
            signal: options.signal,
            onProgress,
          })
        : await matchmake({
            url,
            request,
            openTimeoutMs: timeouts.matchmakerOpenMs,
            replyTimeoutMs: timeouts.matchmakingMs,
            signal: options.signal,
            onProgress,
            ...(options.WebSocketImpl ? { WebSocketImpl: options.WebSocketImpl } : {}),
          });
    const failures: PlaygapClientError[] = [];
    const attempted: TransportKind[] = [];
    try {
      const channel = await connectWithFallback({
        reply,
        transports: transportOrder(allowed, reply, implementations),
        allowed,
        attemptTimeoutMs: timeouts.transportMs,
        signal: options.signal,
        failures,
        onAttempt: (transport) => {
          attempted.push(transport);
          report({ stage: 'connecting', transport, message: `Connecting (${transport})…` });
        },
      });
      report({
        stage: 'connected',
        transport: channel.transport,
        message: `Playing (${channel.transport})`,
      });
      return { channel, reply };
    } catch (error) {
      const refusal =
        round === 0 &&
        error instanceof PlaygapClientError &&
        error.code === ErrorCode.TOKEN_REFUSED &&
        error.reason !== undefined
          ? error.reason
          : undefined;
      if (refusal !== undefined && SERVER_GOING_AWAY.includes(refusal)) {
        report({
          stage: 'retrying',
          reason: refusal,
          message: 'The server was stopping — finding another…',
        });
        continue;
      }
      if (refusal === undefined || failures.length === 0 || !RETRYABLE_REFUSALS.includes(refusal)) {
        throw error;
      }
      // The transports that failed before the refusal; the refused one only needs a new token.
      const failedKinds = new Set(attempted.slice(0, -1));
      allowed = allowed.filter((kind) => !failedKinds.has(kind));
    }
  }
}
