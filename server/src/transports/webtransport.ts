/**
 * WebTransport through `@fails-components/webtransport` with the sidecar's certificate: HTTP/3
 * (UDP) plus HTTP/2 (TCP) on the same port when the optional quiche addon is installed, or
 * HTTP/2 only when asked for (Node clients and bots; browsers need HTTP/3).
 *
 * The token never rides in the URL (URLs end up in logs, console errors and history): the
 * client opens the first bidirectional stream and sends `{"type":"auth","token"}` as its first
 * length-prefixed frame within the auth timeout; the server answers with the welcome on that
 * stream. Reliable messages are length-prefixed JSON on it (either direction), unreliable ones
 * are datagrams of one JSON message. A refusal closes the session with `closeCode` 4001 (4003
 * when draining, 4002 when no auth came in time) and reason `{code, message}` JSON.
 */
import { AUTH_TIMEOUT_MS, CloseCode, ErrorCode, TransportKind } from '@playgap/protocol';
import { toWireError } from '../errors.js';
import type { LinkHandle } from '../player.js';
import type { VerifiedToken } from '../sidecar-client.js';
import { MAX_MESSAGE_BYTES, type TransportContext, welcomeFor } from './context.js';
import { encodeFrame, FrameDecoder } from './length-prefixed.js';

export interface WebTransportOptions {
  port: number;
  host?: string;
  path: string;
  certPem: string;
  keyPem: string;
  maxMessageBytes?: number;
  /** Longest wait for the auth frame after the session opens. Default AUTH_TIMEOUT_MS. */
  authTimeoutMs?: number;
  /** HTTP/3 needs the quiche addon; without it the caller may still ask for HTTP/2 only. */
  http3: boolean;
}

type Refusal = { code: string; message: string };

// Minimal shapes of the library's session objects (it ships loose JS types).
interface WtStream {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
}
interface WtSession {
  ready: Promise<unknown>;
  closed: Promise<unknown>;
  close(info?: { closeCode?: number; reason?: string }): void;
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
 * Whether the optional HTTP/3 addon (`@fails-components/webtransport-transport-http3-quiche`)
 * loads: without it browsers cannot use WebTransport at all.
 *
 * @example
 * if (!(await hasQuicheAddon())) log('webtransport: off');
 */
export async function hasQuicheAddon(): Promise<boolean> {
  const name = '@fails-components/webtransport-transport-http3-quiche';
  return import(name).then(
    () => true,
    () => false,
  );
}

/**
 * Start the WebTransport server (HTTP/3 + HTTP/2, or HTTP/2 only with `http3: false`).
 *
 * @example
 * const wt = await startWebTransport(context, { port: 5002, path: '/wt', certPem, keyPem, http3: true });
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
  const authTimeoutMs = options.authTimeoutMs ?? AUTH_TIMEOUT_MS;
  const { http3 } = options;
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
    `webtransport: ${http3 ? 'HTTP/3 + HTTP/2' : 'HTTP/2 only (Node clients; no browser)'} on ${options.port}`,
  );
  const sessions = new Set<WtSession>();

  server.setRequestCallback(async ({ header }) => {
    const url = new URL(header[':path'] ?? '/', 'https://game.invalid');
    if (url.pathname !== options.path) return { status: 404 };
    return { status: 200, path: options.path };
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

  function refuse(session: WtSession, refusal: Refusal, closeCode?: number): void {
    const code =
      closeCode ??
      (refusal.code === ErrorCode.SERVER_DRAINING
        ? CloseCode.SERVER_STOPPING
        : CloseCode.TOKEN_REFUSED);
    try {
      session.close({ closeCode: code, reason: JSON.stringify(refusal) });
    } catch {
      // already closed
    }
  }

  async function handleSession(session: WtSession): Promise<void> {
    sessions.add(session);
    void session.closed.catch(() => {}).finally(() => sessions.delete(session));
    await session.ready;
    // The auth frame: first frame of the first stream the client opens, within the timeout.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), authTimeoutMs);
    });
    const streams = session.incomingBidirectionalStreams.getReader();
    const opened = await Promise.race([
      streams.read().catch(() => ({ done: true, value: undefined })),
      late,
    ]);
    streams.releaseLock();
    if (opened === 'late' || opened.done || !opened.value) {
      clearTimeout(timer);
      if (opened === 'late')
        refuse(
          session,
          { code: ErrorCode.REQUEST_TIMEOUT, message: 'No auth message in time.' },
          CloseCode.AUTH_TIMEOUT,
        );
      return;
    }
    const stream = opened.value;
    const frames = new FrameDecoder(maxBytes);
    const reader = stream.readable.getReader();
    const first = await Promise.race([firstFrame(reader, frames), late]);
    clearTimeout(timer);
    if (first === 'late') {
      refuse(
        session,
        { code: ErrorCode.REQUEST_TIMEOUT, message: 'No auth message in time.' },
        CloseCode.AUTH_TIMEOUT,
      );
      return;
    }
    const token = authToken(first.message);
    if (!token) {
      refuse(session, {
        code: ErrorCode.TOKEN_MALFORMED,
        message: 'The first message must be {"type":"auth","token":"<connect token>"}.',
      });
      return;
    }
    let admitted: VerifiedToken;
    try {
      admitted = await context.admit(token);
    } catch (err) {
      refuse(session, toWireError(err));
      return;
    }
    const writer = stream.writable.getWriter();
    const datagramWritable = session.datagrams.createWritable?.() ?? session.datagrams.writable;
    const datagramWriter = datagramWritable?.getWriter();
    void writer.write(encodeFrame(welcomeFor(admitted, context.serverId))).catch(() => {});
    const closeWith = (code: number, reason?: { code: string; message: string }) => {
      try {
        session.close(
          reason ? { closeCode: code, reason: JSON.stringify(reason) } : { closeCode: code },
        );
      } catch {
        // already closed
      }
    };
    const player: LinkHandle = context.join(admitted, {
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
    for (const m of first.rest) player.receive(m);
    void readFramesFrom(reader, frames, (m) => player.receive(m), onBad);
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

/** The token of an auth message, or undefined. */
function authToken(message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const { type, token } = message as { type?: unknown; token?: unknown };
  return type === 'auth' && typeof token === 'string' && token.length > 0 ? token : undefined;
}

/** The first frame of a stream and any that came in the same chunks; undefined message at end. */
async function firstFrame(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  decoder: FrameDecoder,
): Promise<{ message: unknown; rest: unknown[] }> {
  for (;;) {
    const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
    if (done || !value) return { message: undefined, rest: [] };
    let messages: unknown[];
    try {
      messages = decoder.push(value);
    } catch {
      return { message: undefined, rest: [] };
    }
    if (messages.length > 0) return { message: messages[0], rest: messages.slice(1) };
  }
}

async function readFrames(
  readable: ReadableStream<Uint8Array>,
  maxBytes: number,
  onMessage: (m: unknown) => void,
  onBad: () => void,
): Promise<void> {
  await readFramesFrom(readable.getReader(), new FrameDecoder(maxBytes), onMessage, onBad);
}

async function readFramesFrom(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  decoder: FrameDecoder,
  onMessage: (m: unknown) => void,
  onBad: () => void,
): Promise<void> {
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
