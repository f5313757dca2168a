/**
 * `GET /matchmaker/ws` without the web framework: the HTTP server's `upgrade` event goes
 * straight to `ws`, so a placement pays for no routing, hooks, request objects or child loggers
 * (about a tenth of a warm placement's CPU went there). One play request in, progress and one
 * final message out, then a normal close; a kept socket (`?keep=1`) waits for the next request
 * instead, until it idles out. Refusals before the upgrade (origin, path) are plain HTTP
 * answers with the same JSON error body as the rest of the front.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  ErrorCode,
  type ErrorMessage,
  type FrontMessage,
  isPartyOpening,
  MAX_PLAY_REQUEST_BYTES,
  type PartyCreateMessage,
  type PartyFrontMessage,
  type PartyJoinMessage,
  PlaygapError,
  parsePartyOpening,
} from '@playgap/protocol';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { toWireError } from '../errors.js';
import type { PartySocketSession } from './party-socket.js';
import type { PlacementAnswer } from './play-client.js';
import type { RequestLimits } from './request-limits.js';

/** The path browsers open (kept from Bevygap). */
export const PLAY_SOCKET_PATH = '/matchmaker/ws';

/** Normal close after the final message. */
const CLOSE_NORMAL = 1000;
const CLOSE_GOING_AWAY = 1001;
const CLOSE_TOO_BIG = 1009;
/** `?keep=1`: the socket stays open after a final answer and takes the next play request. */
const KEEP_QUERY = /[?&]keep=1(?:&|$)/;
/** Largest frame the socket reads; the play request itself is capped lower. */
const MAX_FRAME_BYTES = 64 * 1024;

export interface PlaySocketOptions {
  server: Server;
  limits: RequestLimits;
  allowOrigin: (origin: string | undefined) => boolean;
  ipOf: (request: IncomingMessage) => string;
  /** Admit-free placement of one raw request (the socket already holds the IP's slot). */
  place: (
    raw: string,
    ip: string,
    onProgress: (message: FrontMessage) => void,
    /** Aborted when the player leaves (cancels a queued ticket). */
    signal?: AbortSignal,
  ) => Promise<PlacementAnswer>;
  /** Parties by code: a first message `party_create` / `party_join` starts one (absent: refused). */
  openParty?: (
    opening: PartyCreateMessage | PartyJoinMessage,
    ip: string,
    send: (message: FrontMessage | PartyFrontMessage) => void,
  ) => PartySocketSession;
  /** An outcome counted before any placement (refused origin, oversized, rate limited). */
  count: (outcome: string) => void;
  now: () => number;
  /** Default 10 000 ms. */
  firstMessageTimeoutMs: number;
  /**
   * The "queued" progress goes out only when no answer came within this long (default 50 ms):
   * a warm placement answers in a few milliseconds, and its queued frame would be a write of
   * its own for a stage nobody sees.
   */
  queuedNoticeAfterMs: number;
}

/** One play request (or party session) of a socket, from its message to its final answer. */
interface Current {
  startedAt: number;
  leaving: AbortController;
  sentProgress: boolean;
  queuedTimer?: NodeJS.Timeout;
  party?: PartySocketSession;
}

function errorMessage(code: ErrorCode, message: string): ErrorMessage {
  return { type: 'error', code, message };
}

/** Answer an upgrade request with a plain HTTP status and a JSON error, then hang up. */
function refuse(socket: Duplex, status: number, text: string, body: ErrorMessage): void {
  const json = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
  );
}

/**
 * Serve play sockets on `server`'s upgrades; returns the function that closes every open one
 * (going away) and stops taking new ones.
 *
 * @example
 * const close = servePlaySockets({ server: app.server, limits, allowOrigin, ipOf, place, ... });
 * app.addHook('preClose', async () => close());
 */
export function servePlaySockets(options: PlaySocketOptions): () => void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const { limits, now } = options;
  let closing = false;

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    const path = request.url?.split('?', 1)[0];
    if (path !== PLAY_SOCKET_PATH || closing) {
      refuse(socket, 404, 'Not Found', errorMessage(ErrorCode.BAD_REQUEST, 'No such socket.'));
      return;
    }
    if (!options.allowOrigin(request.headers.origin)) {
      options.count(ErrorCode.ORIGIN_NOT_ALLOWED);
      refuse(
        socket,
        403,
        'Forbidden',
        errorMessage(ErrorCode.ORIGIN_NOT_ALLOWED, 'This origin may not use the matchmaker.'),
      );
      return;
    }
    const keep = KEEP_QUERY.test(request.url ?? '');
    wss.handleUpgrade(request, socket, head, (ws) => play(ws, options.ipOf(request), keep));
  };
  options.server.on('upgrade', onUpgrade);

  function play(socket: WebSocket, ip: string, keep: boolean): void {
    // Sockets count against the per-IP limits from the moment they open, so idle sockets
    // cannot pile up; the slot is freed with the final message (a kept socket: on close).
    let release: () => void;
    try {
      release = limits.admit(ip);
    } catch (error) {
      const wire = toWireError(error);
      options.count(wire.code);
      socket.send(JSON.stringify(errorMessage(wire.code, wire.message)));
      socket.close(CLOSE_NORMAL);
      return;
    }
    /** The request in flight: the only time the socket reads cancel and party commands. */
    let current: Current | undefined;
    let served = 0;
    let over = false;
    let idleTimer: NodeJS.Timeout | undefined;
    const waitForRequest = () => {
      idleTimer = setTimeout(() => {
        if (served === 0) {
          finish(
            errorMessage(
              ErrorCode.REQUEST_TIMEOUT,
              `Send the play request within ${options.firstMessageTimeoutMs / 1000} s of connecting.`,
            ),
          );
        }
        // Never asked (a kept socket too), or a kept socket idle as long: a normal close; the
        // client opens another.
        end(CLOSE_NORMAL);
      }, options.firstMessageTimeoutMs);
    };
    const end = (closeCode: number) => {
      if (over) return;
      over = true;
      clearTimeout(idleTimer);
      if (socket.readyState === socket.OPEN) socket.close(closeCode);
      release();
    };
    const send = (message: FrontMessage | PartyFrontMessage) => {
      if (!over && socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    };
    /** The request's final message; then close, or (kept socket) wait for the next request. */
    const finish = (message: FrontMessage, closeCode = CLOSE_NORMAL) => {
      if (over) return;
      const request = current;
      current = undefined;
      clearTimeout(request?.queuedTimer);
      clearTimeout(idleTimer);
      const stays = keep && closeCode === CLOSE_NORMAL;
      if (socket.readyState === socket.OPEN) {
        // One TCP write for the last progress, the answer and (unless kept) the close frame.
        const raw = (socket as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
        raw?.cork();
        if (message.type === 'ready' && request) {
          send({
            type: 'progress',
            stage: 'ready',
            elapsedMs: now() - request.startedAt,
            message: 'Your server is ready',
          });
        }
        send(message);
        if (!stays) end(closeCode);
        if (raw) process.nextTick(() => raw.uncork());
      }
      if (stays) waitForRequest();
      else end(closeCode);
    };
    waitForRequest();
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (over) return;
      if (current) {
        if (current.party) {
          if (!isBinary) current.party.command(String(data));
        } else if (!isBinary && /^\s*\{\s*"type"\s*:\s*"cancel"\s*\}\s*$/.test(String(data))) {
          // One request at a time; while it runs only a cancel means something.
          current.leaving.abort();
        }
        return;
      }
      clearTimeout(idleTimer);
      const request: Current = {
        startedAt: now(),
        // Leaving (closing the socket, or sending {"type":"cancel"}) cancels a queued ticket.
        leaving: new AbortController(),
        sentProgress: false,
      };
      current = request;
      if (isBinary) {
        finish(errorMessage(ErrorCode.BAD_REQUEST, 'Send the play request as a JSON text frame.'));
        return;
      }
      const bytes = Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.isBuffer(data)
          ? data
          : Buffer.from(new Uint8Array(data));
      if (bytes.length > MAX_PLAY_REQUEST_BYTES) {
        options.count(ErrorCode.PAYLOAD_TOO_LARGE);
        finish(
          errorMessage(
            ErrorCode.PAYLOAD_TOO_LARGE,
            `The play request is larger than ${MAX_PLAY_REQUEST_BYTES} bytes.`,
          ),
          CLOSE_TOO_BIG,
        );
        return;
      }
      // The first request was charged when the socket opened; a kept socket's next ones here.
      if (served++ > 0) {
        try {
          limits.charge(ip);
        } catch (error) {
          const wire = toWireError(error);
          options.count(wire.code);
          finish(errorMessage(wire.code, wire.message));
          return;
        }
      }
      const text = bytes.toString('utf8');
      if (/"type"\s*:\s*"party_/.test(text) && startParty(text, request)) return;
      request.queuedTimer = setTimeout(() => {
        if (!request.sentProgress && current === request) {
          send({
            type: 'progress',
            stage: 'queued',
            elapsedMs: now() - request.startedAt,
            message: 'Looking for a server',
          });
        }
      }, options.queuedNoticeAfterMs);
      void options
        .place(
          text,
          ip,
          (m) => {
            if (current !== request) return;
            request.sentProgress = true;
            send(m);
          },
          request.leaving.signal,
        )
        .then((answer) => {
          if (current === request) finish(answer);
        });
    });
    /** A party opening starts a party session; false when `text` is not one (a play request). */
    function startParty(text: string, request: Current): boolean {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return false;
      }
      if (!isPartyOpening(value)) return false;
      let opening: PartyCreateMessage | PartyJoinMessage;
      try {
        if (!options.openParty) {
          throw new PlaygapError(ErrorCode.BAD_REQUEST, 'This matchmaker serves no parties.');
        }
        opening = parsePartyOpening(value);
      } catch (error) {
        const wire = toWireError(error);
        options.count(wire.code);
        finish(errorMessage(wire.code, wire.message));
        return true;
      }
      const session = options.openParty(opening, ip, (m) => {
        if (current === request) send(m);
      });
      request.party = session;
      void session.answer.then((answer) => {
        options.count(answer.type === 'ready' ? 'ok' : answer.code);
        if (current === request) finish(answer);
      });
      return true;
    }
    socket.on('close', () => {
      const request = current;
      current = undefined;
      if (request) {
        clearTimeout(request.queuedTimer);
        request.party?.leave();
        request.leaving.abort();
      }
      over = true;
      clearTimeout(idleTimer);
      release();
    });
    socket.on('error', () => {});
  }

  return () => {
    closing = true;
    options.server.off('upgrade', onUpgrade);
    for (const client of wss.clients) client.close(CLOSE_GOING_AWAY);
    wss.close();
  };
}
