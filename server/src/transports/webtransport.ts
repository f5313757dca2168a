/**
 * WebTransport through `@fails-components/webtransport` with the sidecar's certificate: HTTP/3
 * (UDP) plus HTTP/2 (TCP) on the same port when the optional quiche addon is installed, HTTP/2
 * only otherwise (Node clients and bots; browsers need HTTP/3). The token is
 * the session URL's `token` query parameter. After the check the server opens the first
 * bidirectional stream and writes the welcome on it; reliable messages are length-prefixed
 * JSON on that stream (either direction), unreliable ones are datagrams of one JSON message.
 * A refused token still gets a session, closed at once with `closeCode` 4001 (4003 when
 * draining) and reason `{code, message}` JSON, so the client can tell why.
 */
import { CloseCode, ErrorCode, TransportKind, type WelcomeMessage } from '@playgap/protocol';
import { toWireError } from '../errors.js';
import type { Player } from '../player.js';
import type { VerifiedToken } from '../sidecar-client.js';
import { MAX_MESSAGE_BYTES, type TransportContext } from './context.js';
import { encodeFrame, FrameDecoder } from './length-prefixed.js';

export interface WebTransportOptions {
  port: number;
  host?: string;
  path: string;
  certPem: string;
  keyPem: string;
  maxMessageBytes?: number;
}

type Decision = { admitted: VerifiedToken } | { refusal: { code: string; message: string } };

// Minimal shapes of the library's session objects (it ships loose JS types).
interface WtStream {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
}
interface WtSession {
  ready: Promise<unknown>;
  closed: Promise<unknown>;
  userData?: Decision;
  close(info?: { closeCode?: number; reason?: string }): void;
  createBidirectionalStream(): Promise<WtStream>;
  incomingBidirectionalStreams: ReadableStream<WtStream>;
  datagrams: {
    readable: ReadableStream<Uint8Array>;
    createWritable?: () => WritableStream<Uint8Array>;
    writable?: WritableStream<Uint8Array>;
  };
}
interface WtServer {
  startServer(): void;
  stopServer(): void;
  ready: Promise<unknown>;
  address(): { port: number } | null;
  setRequestCallback(cb: (args: { header: Record<string, string> }) => Promise<unknown>): void;
  sessionStream(path: string): ReadableStream<WtSession>;
  updateCert(cert: string, key: string, http2only: boolean): void;
}

/**
 * base64url (URL-safe) → standard base64, the form the sidecar takes.
 *
 * @example
 * base64UrlToBase64('ab-_cd'); // 'ab+/cd=='
 */
export function base64UrlToBase64(value: string): string {
  const b64 = value.replace(/-/g, '+').replace(/_/g, '/');
  return b64 + '='.repeat((4 - (b64.length % 4)) % 4);
}

/**
 * Start the WebTransport (HTTP/2) server.
 *
 * @example
 * const wt = await startWebTransport(context, { port: 5002, path: '/wt', certPem, keyPem });
 * await wt.close();
 */
export async function startWebTransport(context: TransportContext, options: WebTransportOptions) {
  const { Http2Server, HttpServer } = (await import(
    '@fails-components/webtransport'
  )) as unknown as {
    Http2Server: new (args: Record<string, unknown>) => WtServer;
    HttpServer: new (args: Record<string, unknown>) => WtServer;
  };
  const maxBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  const http3 = await hasQuicheAddon();
  const args = {
    port: options.port,
    host: options.host ?? '0.0.0.0',
    secret: crypto.randomUUID(),
    cert: options.certPem,
    privKey: options.keyPem,
  };
  // With the optional quiche addon: HTTP/3 on UDP and HTTP/2 on TCP, same port number.
  const server = http3 ? new HttpServer({ ...args, reliability: 'both' }) : new Http2Server(args);
  context.log(
    `webtransport: ${http3 ? 'HTTP/3 + HTTP/2' : 'HTTP/2 only (no quiche addon)'} on ${options.port}`,
  );
  const sessions = new Set<WtSession>();

  server.setRequestCallback(async ({ header }) => {
    const url = new URL(header[':path'] ?? '/', 'https://game.invalid');
    if (url.pathname !== options.path) return { status: 404 };
    const token = url.searchParams.get('token');
    let decision: Decision;
    try {
      if (!token) throw Object.assign(new Error('no token'), { code: ErrorCode.TOKEN_MALFORMED });
      decision = { admitted: await context.admit(base64UrlToBase64(token)) };
    } catch (err) {
      decision = {
        refusal: token
          ? toWireError(err)
          : { code: ErrorCode.TOKEN_MALFORMED, message: 'No token in the URL.' },
      };
    }
    return { status: 200, path: options.path, userData: decision };
  });
  const sessionStream = server.sessionStream(options.path);
  server.startServer();
  await server.ready;

  void (async () => {
    const reader = sessionStream.getReader();
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done || !value) return;
      void handleSession(value).catch((err: unknown) =>
        context.log(`webtransport: session failed: ${String(err)}`),
      );
    }
  })();

  async function handleSession(session: WtSession): Promise<void> {
    sessions.add(session);
    void session.closed.catch(() => {}).finally(() => sessions.delete(session));
    const decision = session.userData;
    await session.ready;
    if (!decision || 'refusal' in decision) {
      const refusal = decision?.refusal ?? {
        code: ErrorCode.INTERNAL,
        message: 'No token decision.',
      };
      const closeCode =
        refusal.code === ErrorCode.SERVER_DRAINING
          ? CloseCode.SERVER_STOPPING
          : CloseCode.TOKEN_REFUSED;
      session.close({ closeCode, reason: JSON.stringify(refusal) });
      return;
    }
    const { admitted } = decision;
    let stream: WtStream;
    try {
      stream = await session.createBidirectionalStream();
    } catch (err) {
      context.release(admitted.clientId);
      throw err;
    }
    const writer = stream.writable.getWriter();
    const datagramWritable = session.datagrams.createWritable?.() ?? session.datagrams.writable;
    const datagramWriter = datagramWritable?.getWriter();
    const welcome: WelcomeMessage = {
      type: 'welcome',
      clientId: admitted.clientId,
      serverId: context.serverId,
      player: admitted.player ?? {},
    };
    void writer.write(encodeFrame(welcome)).catch(() => {});
    const closeWith = (code: number, reason?: { code: string; message: string }) => {
      try {
        session.close(
          reason ? { closeCode: code, reason: JSON.stringify(reason) } : { closeCode: code },
        );
      } catch {
        // already closed
      }
    };
    const player: Player = context.join(admitted, {
      transport: TransportKind.WEBTRANSPORT,
      send: (message, reliable) => {
        if (!reliable && datagramWriter) {
          void datagramWriter.write(Buffer.from(JSON.stringify(message))).catch(() => {});
        } else {
          void writer.write(encodeFrame(message)).catch(() => {});
        }
      },
      sendJson: (json, reliable) => {
        const body = Buffer.from(json, 'utf8');
        if (!reliable && datagramWriter) {
          void datagramWriter.write(body).catch(() => {});
          return;
        }
        const frame = Buffer.allocUnsafe(4 + body.length);
        frame.writeUInt32BE(body.length, 0);
        body.copy(frame, 4);
        void writer.write(frame).catch(() => {});
      },
      close: closeWith,
    });
    void session.closed.then(
      () => player.closed('closed'),
      () => player.closed('closed'),
    );
    const onBad = () =>
      closeWith(CloseCode.BAD_MESSAGE, {
        code: ErrorCode.BAD_REQUEST,
        message: 'Malformed or oversized frame.',
      });
    void readFrames(stream.readable, maxBytes, (m) => player.receive(m), onBad);
    void (async () => {
      const reader = session.incomingBidirectionalStreams.getReader();
      for (;;) {
        const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
        if (done || !value) return;
        void readFrames(value.readable, maxBytes, (m) => player.receive(m), onBad);
      }
    })();
    void (async () => {
      const reader = session.datagrams.readable.getReader();
      for (;;) {
        const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
        if (done || !value) return;
        try {
          player.receive(JSON.parse(Buffer.from(value).toString('utf8')));
        } catch {
          // an unreliable message that is not JSON is dropped, like a lost datagram
        }
      }
    })();
  }

  return {
    /** `http3+http2` when the quiche addon is installed, else `http2`. */
    mode: http3 ? 'http3+http2' : 'http2',
    get port(): number {
      return server.address()?.port ?? options.port;
    },
    updateCert(certPem: string, keyPem: string): void {
      server.updateCert(certPem, keyPem, !http3);
    },
    async close(): Promise<void> {
      for (const s of sessions) {
        try {
          s.close({ closeCode: CloseCode.SERVER_STOPPING, reason: '' });
        } catch {
          // already closed
        }
      }
      server.stopServer();
    },
  };
}

/** The optional HTTP/3 addon (`@fails-components/webtransport-transport-http3-quiche`). */
async function hasQuicheAddon(): Promise<boolean> {
  const name = '@fails-components/webtransport-transport-http3-quiche';
  return import(name).then(
    () => true,
    () => false,
  );
}

async function readFrames(
  readable: ReadableStream<Uint8Array>,
  maxBytes: number,
  onMessage: (m: unknown) => void,
  onBad: () => void,
): Promise<void> {
  const decoder = new FrameDecoder(maxBytes);
  const reader = readable.getReader();
  for (;;) {
    const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
    if (done || !value) return;
    let messages: unknown[];
    try {
      messages = decoder.push(value);
    } catch {
      onBad();
      return;
    }
    for (const m of messages) onMessage(m);
  }
}
