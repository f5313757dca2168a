/**
 * WebTransport transport: the server certificate is pinned by its SHA-256
 * (`serverCertificateHashes`), so a self-signed certificate on a bare IP works. The token never
 * goes in the URL (URLs land in console errors, logs and history): the client opens the first
 * bidirectional stream and sends `{"type":"auth","token"}` as its first frame; the server
 * answers with the welcome on that stream, or closes the session with a close code and a
 * `{code, message}` reason. Reliable messages are length-prefixed JSON on that stream,
 * unreliable ones are datagrams.
 */
import { CloseCode, ErrorCode, TransportKind, type WelcomeMessage } from '@playgap/protocol';
import { certDigestToBytes } from '../cert-digest.js';
import { ChannelBase } from '../channel.js';
import { PlaygapClientError } from '../errors.js';
import { asWelcome, parseRefusal, tokenRefused } from '../welcome.js';
import { encodeFrame, FrameReader } from './framing.js';
import type { Transport, TransportAttempt } from './transport.js';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** What a session close after the welcome means: SERVER_DRAINING for 4003, else its reason. */
function closeEvent(info: { closeCode?: number; reason?: string } | undefined): {
  code: ErrorCode;
  reason: string;
  resumable: boolean;
} {
  const refusal = parseRefusal(info?.reason);
  if (info?.closeCode === CloseCode.SERVER_STOPPING)
    return {
      code: ErrorCode.SERVER_DRAINING,
      reason: refusal.message ?? 'The server is stopping.',
      resumable: false,
    };
  const code = info?.closeCode ?? 0;
  return {
    code: ErrorCode.DISCONNECTED,
    reason: refusal.message ?? 'The server closed the session.',
    // An application close code (4000-4999) is the server's choice: a kick, not a drop.
    resumable: code < 4000 || code >= 5000,
  };
}

/** The refusal a close carries: the session's close info, read once it has closed. */
async function refusalOf(session: WebTransport): Promise<PlaygapClientError> {
  const info = (await Promise.race([
    session.closed.catch((error: unknown) => error),
    new Promise((resolve) => setTimeout(resolve, 1_000, undefined)),
  ])) as { closeCode?: number; reason?: string } | undefined;
  if (info?.closeCode === CloseCode.SERVER_STOPPING) {
    // Refused for stopping: play() answers SERVER_DRAINING by asking for another server.
    return tokenRefused(
      'webtransport',
      info.reason ||
        JSON.stringify({ code: ErrorCode.SERVER_DRAINING, message: 'The server is stopping' }),
    );
  }
  return tokenRefused('webtransport', info?.reason || undefined);
}

class WebTransportChannel extends ChannelBase {
  readonly transport = TransportKind.WEBTRANSPORT;
  constructor(
    private readonly session: WebTransport,
    private readonly writer: WritableStreamDefaultWriter<Uint8Array>,
    welcome: WelcomeMessage,
  ) {
    super();
    this.welcome = welcome;
    this.#readDatagrams().catch(() => undefined);
    session.closed.then(
      (info) => this.closed(closeEvent(info as { closeCode?: number; reason?: string })),
      () =>
        this.closed({
          code: ErrorCode.DISCONNECTED,
          reason: 'The session was lost.',
          resumable: true,
        }),
    );
  }
  deliver(text: string): void {
    try {
      this.receive(JSON.parse(text));
    } catch {
      // Not JSON: not a game message.
    }
  }
  async #readDatagrams(): Promise<void> {
    const reader = this.session.datagrams.readable.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      this.deliver(decoder.decode(value));
    }
  }
  protected transmit(text: string, reliable: boolean): void {
    if (reliable) {
      this.writer.write(encodeFrame(text)).catch(() => undefined);
      return;
    }
    const writer = this.session.datagrams.writable.getWriter();
    writer.write(encoder.encode(text)).catch(() => undefined);
    writer.releaseLock();
  }
  protected hangUp(): void {
    this.session.close({ closeCode: 0, reason: 'bye' });
  }
}

/**
 * The WebTransport transport (Chromium, Firefox; needs HTTP/3 on the server).
 *
 * @example
 * const channel = await webtransportTransport().connect({ endpoint, reply, signal });
 */
export function webtransportTransport(
  WebTransportImpl: typeof WebTransport | undefined = globalThis.WebTransport,
): Transport {
  return {
    kind: TransportKind.WEBTRANSPORT,
    supported: () => typeof WebTransportImpl === 'function',
    connect: async ({ endpoint, reply, signal }: TransportAttempt) => {
      if (!WebTransportImpl) throw new TypeError('WebTransport is not available.');
      const session = new WebTransportImpl(endpoint.url, {
        serverCertificateHashes: [
          { algorithm: 'sha-256', value: certDigestToBytes(reply.certDigest) },
        ],
      });
      const onAbort = () => session.close();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        await session.ready;
        const stream = await session.createBidirectionalStream();
        const writer = stream.writable.getWriter();
        await writer.write(encodeFrame(JSON.stringify({ type: 'auth', token: reply.token })));
        const reader = stream.readable.getReader();
        const frames = new FrameReader();
        let channel: WebTransportChannel | undefined;
        let welcome: WelcomeMessage | undefined;
        const backlog: string[] = [];
        while (!welcome) {
          const { value, done } = await reader
            .read()
            .catch(() => ({ done: true, value: undefined }));
          if (done || !value) throw await refusalOf(session);
          for (const text of frames.push(value)) {
            if (!welcome) {
              welcome = asWelcome(text);
              if (!welcome) throw tokenRefused('webtransport', text);
            } else backlog.push(text);
          }
        }
        channel = new WebTransportChannel(session, writer, welcome);
        for (const text of backlog) channel.deliver(text);
        const reliable = channel;
        (async () => {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) return;
            for (const text of frames.push(value)) reliable.deliver(text);
          }
        })().catch(() => undefined);
        signal.removeEventListener('abort', onAbort);
        return channel;
      } catch (error) {
        signal.removeEventListener('abort', onAbort);
        try {
          session.close();
        } catch {
          // Already closed.
        }
        if (error instanceof PlaygapClientError) throw error;
        throw new PlaygapClientError(
          ErrorCode.TRANSPORT_FAILED,
          'The WebTransport session could not be opened.',
          { transport: 'webtransport', cause: error },
        );
      }
    },
  };
}
