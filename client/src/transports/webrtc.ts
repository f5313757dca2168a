/**
 * WebRTC transport through geckos.io: signaling over the server's TCP port with the token in
 * geckos' `authorization` (a refusal is HTTP 401), then data channels over one UDP port. Game
 * messages ride the geckos event GECKOS_EVENT. The welcome is geckos' userData (a welcome, or
 * the verified token `{clientId, player}`), or the first message when userData is empty. The
 * channel sends a heartbeat every HEARTBEAT_INTERVAL_MS so the server notices a closed tab in
 * about two seconds, and reads the server's CloseNotice as the close reason (SERVER_DRAINING
 * when the server stops) instead of a bare disconnect.
 */
import {
  ErrorCode,
  GECKOS_EVENT,
  HEARTBEAT_INTERVAL_MS,
  isErrorCode,
  type PlayReply,
  TransportKind,
  type WelcomeMessage,
} from '@playgap/protocol';
import { ChannelBase } from '../channel.js';
import { PlaygapClientError } from '../errors.js';
import { asWelcome, tokenRefused } from '../welcome.js';
import type { Transport, TransportAttempt } from './transport.js';

/** The part of geckos' ClientChannel this transport uses (a fake can stand in for tests). */
export interface GeckosChannelLike {
  userData: unknown;
  onConnect(callback: (error?: { status?: number; message?: string }) => void): unknown;
  onDisconnect(callback: () => void): void;
  on(event: string, callback: (data: unknown) => void): void;
  emit(event: string, data: unknown, options?: { reliable?: boolean }): void;
  close(): void;
}

export type GeckosFactory = (options: {
  url: string;
  port: number;
  authorization: string;
  iceServers: RTCIceServer[];
}) => GeckosChannelLike;

class WebRtcChannel extends ChannelBase {
  readonly transport = TransportKind.WEBRTC;
  readonly #heartbeat: ReturnType<typeof setInterval>;
  /** What the server's CloseNotice said, until the connection really goes. */
  #notice: { code: ErrorCode; reason: string } | undefined;
  constructor(
    private readonly geckos: GeckosChannelLike,
    welcome: WelcomeMessage,
  ) {
    super();
    this.welcome = welcome;
    this.#heartbeat = setInterval(() => {
      try {
        geckos.emit(GECKOS_EVENT, { type: 'heartbeat' }, { reliable: false });
      } catch {
        // closing
      }
    }, HEARTBEAT_INTERVAL_MS);
  }
  deliver(message: unknown): void {
    const notice = closeNotice(message);
    if (notice) {
      // The server is about to close this player: report why now, not a bare disconnect later.
      this.#notice = notice;
      this.gone();
      return;
    }
    this.receive(message);
  }
  gone(): void {
    clearInterval(this.#heartbeat);
    // Without the server's close notice the link was lost, not closed on purpose.
    this.closed(
      this.#notice ?? {
        code: ErrorCode.DISCONNECTED,
        reason: 'The WebRTC connection closed.',
        resumable: true,
      },
    );
  }
  protected transmit(text: string, reliable: boolean): void {
    this.geckos.emit(GECKOS_EVENT, JSON.parse(text), { reliable });
  }
  protected hangUp(): void {
    clearInterval(this.#heartbeat);
    safeClose(this.geckos);
  }
}

/** The server's `{type:'close', code, message}` notice, as a close event; else undefined. */
function closeNotice(message: unknown): { code: ErrorCode; reason: string } | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const { type, code, message: text } = message as Record<string, unknown>;
  if (type !== 'close') return undefined;
  return {
    code: typeof code === 'string' && isErrorCode(code) ? code : ErrorCode.DISCONNECTED,
    reason: typeof text === 'string' ? text : 'The server closed the connection.',
  };
}

function safeClose(channel: GeckosChannelLike): void {
  try {
    channel.close();
  } catch {
    // geckos throws when closing a channel whose peer connection never existed.
  }
}

async function loadGeckos(): Promise<GeckosFactory> {
  const module = await import('@geckos.io/client');
  return module.geckos as unknown as GeckosFactory;
}

/** A welcome built from geckos userData `{clientId, player}` and the reply. */
function welcomeFromUserData(userData: unknown, reply: PlayReply): WelcomeMessage {
  const record = (typeof userData === 'object' && userData !== null ? userData : {}) as Record<
    string,
    unknown
  >;
  // The same reading as a welcome on the other transports (reconnect credential included).
  const welcome = asWelcome({ ...record, type: 'welcome' }) as WelcomeMessage;
  if (typeof record.clientId !== 'string') welcome.clientId = reply.clientId;
  if (typeof record.serverId !== 'string') welcome.serverId = reply.serverId;
  return welcome;
}

/** Split `http://ip:port` into the base URL geckos wants and the port. */
function signalingAddress(url: string, port: number): { url: string; port: number } {
  const parsed = new URL(url);
  const explicit = parsed.port === '' ? undefined : Number(parsed.port);
  return { url: `${parsed.protocol}//${parsed.hostname}`, port: port || explicit || 80 };
}

/**
 * The WebRTC (geckos.io) transport.
 *
 * @example
 * const channel = await webrtcTransport().connect({ endpoint, reply, signal });
 */
export function webrtcTransport(factory?: GeckosFactory): Transport {
  return {
    kind: TransportKind.WEBRTC,
    supported: () => factory !== undefined || typeof globalThis.RTCPeerConnection === 'function',
    connect: async ({ endpoint, reply, signal }: TransportAttempt) => {
      const make = factory ?? (await loadGeckos());
      const address = signalingAddress(endpoint.url, endpoint.port);
      const geckos = make({ ...address, authorization: reply.token, iceServers: [] });
      return new Promise((resolve, reject) => {
        let channel: WebRtcChannel | undefined;
        let settled = false;
        const fail = (error: unknown) => {
          if (settled) return;
          settled = true;
          safeClose(geckos);
          reject(error);
        };
        const accept = (welcome: WelcomeMessage) => {
          if (settled) return;
          settled = true;
          channel = new WebRtcChannel(geckos, welcome);
          resolve(channel);
        };
        signal.addEventListener('abort', () => fail(signal.reason), { once: true });
        geckos.on(GECKOS_EVENT, (data) => {
          if (channel) {
            channel.deliver(data);
            return;
          }
          const welcome = asWelcome(data);
          if (welcome) accept(welcome);
        });
        geckos.onDisconnect(() => {
          if (channel) channel.gone();
          else
            fail(
              new PlaygapClientError(
                ErrorCode.TRANSPORT_FAILED,
                'The WebRTC connection closed before the welcome.',
                { transport: 'webrtc' },
              ),
            );
        });
        geckos.onConnect((error) => {
          if (error) {
            fail(
              error.status === 503
                ? // A draining server: play() answers SERVER_DRAINING by asking for another one.
                  tokenRefused(
                    'webrtc',
                    JSON.stringify({
                      code: ErrorCode.SERVER_DRAINING,
                      message: 'The server is stopping',
                    }),
                  )
                : error.status === 401 || error.status === 403
                  ? tokenRefused('webrtc', undefined)
                  : new PlaygapClientError(
                      ErrorCode.TRANSPORT_FAILED,
                      `WebRTC signaling failed${error.status ? ` (HTTP ${error.status})` : ''}.`,
                      { transport: 'webrtc', cause: error },
                    ),
            );
            return;
          }
          // The data channel is open, so the token was accepted. geckos hands over what the
          // server's authorization returned: a welcome, or the verified token's fields.
          accept(asWelcome(geckos.userData) ?? welcomeFromUserData(geckos.userData, reply));
        });
      });
    },
  };
}
