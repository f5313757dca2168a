/**
 * Node bot connections to a playgap game server over each transport, with the same wire as
 * the browser SDK (protocol/src/game-wire.ts): WebSocket (auth frame), WebTransport in HTTP/2
 * mode (token query, server-opened stream, length-prefixed JSON + datagrams), and WebRTC
 * through @geckos.io/client on node-datachannel's WebRTC polyfill.
 */
import geckos from '@geckos.io/client';
import { installNodeWebRtc } from '@playgap/testkit/node-webrtc';
import WebSocket from 'ws';

installNodeWebRtc();

export type BotTransport = 'websocket' | 'webtransport' | 'webrtc';

export interface BotWelcome {
  type: 'welcome';
  clientId: string;
  serverId: string;
  player: { name?: string };
}

/** One bot's open connection. */
export interface BotLink {
  welcome: BotWelcome;
  send(message: unknown, reliable: boolean): void;
  onMessage(cb: (message: unknown) => void): void;
  onClose(cb: () => void): void;
  close(): void;
}

export interface BotTarget {
  /** ws://host:port/ws, https://host:port/wt, or http://host:port (geckos signaling). */
  url: string;
  token: string;
  /** Colon hex SHA-256 of the server cert (webtransport). */
  certDigest?: string;
  timeoutMs?: number;
}

/** Fan-out of received messages that keeps the ones that arrive before the first listener. */
function inbox() {
  const pending: unknown[] = [];
  const listeners: ((m: unknown) => void)[] = [];
  return {
    deliver(m: unknown) {
      if (listeners.length === 0) pending.push(m);
      for (const cb of listeners) cb(m);
    },
    listen(cb: (m: unknown) => void) {
      listeners.push(cb);
      for (const m of pending.splice(0)) cb(m);
    },
  };
}

export class BotConnectError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'BotConnectError';
  }
}

/**
 * Connect one bot.
 *
 * @example
 * const link = await connectBot('webrtc', { url: 'http://127.0.0.1:4000', token });
 * link.send({ type: 'input', x: 1, y: 0 }, true);
 */
export function connectBot(transport: BotTransport, target: BotTarget): Promise<BotLink> {
  const timeoutMs = target.timeoutMs ?? 10_000;
  const attempt =
    transport === 'websocket'
      ? viaWebSocket(target)
      : transport === 'webrtc'
        ? viaGeckos(target)
        : viaWebTransport(target);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new BotConnectError('CONNECT_TIMEOUT', `${transport} took over ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  return Promise.race([attempt, timeout]).finally(() => clearTimeout(timer));
}

function viaWebSocket(target: BotTarget): Promise<BotLink> {
  const ws = new WebSocket(target.url);
  return new Promise((resolve, reject) => {
    const box = inbox();
    const closeCbs: (() => void)[] = [];
    let welcome: BotWelcome | undefined;
    ws.on('error', (err) => reject(new BotConnectError('TRANSPORT_FAILED', String(err))));
    ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', token: target.token })));
    ws.on('close', (code, reason) => {
      if (!welcome) reject(new BotConnectError('TOKEN_REFUSED', `closed ${code} ${reason}`));
      for (const cb of closeCbs) cb();
    });
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as unknown;
      if (!welcome) {
        welcome = message as BotWelcome;
        resolve({
          welcome,
          send: (m) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(m)),
          onMessage: (cb) => box.listen(cb),
          onClose: (cb) => closeCbs.push(cb),
          close: () => ws.close(),
        });
        return;
      }
      box.deliver(message);
    });
  });
}

function viaGeckos(target: BotTarget): Promise<BotLink> {
  const u = new URL(target.url);
  const channel = geckos({
    url: `${u.protocol}//${u.hostname}`,
    port: Number(u.port || 80),
    authorization: target.token,
    iceServers: [],
  } as never);
  return new Promise((resolve, reject) => {
    channel.onConnect((error) => {
      if (error) {
        reject(new BotConnectError('TOKEN_REFUSED', `geckos: ${error.message ?? 'refused'}`));
        return;
      }
      const welcome = channel.userData as BotWelcome;
      const box = inbox();
      channel.on('m', (d) => box.deliver(d));
      resolve({
        welcome,
        send: (m, reliable) =>
          channel.emit('m', m as never, reliable ? { reliable: true } : undefined),
        onMessage: (cb) => box.listen(cb),
        onClose: (cb) => channel.onDisconnect(() => cb()),
        close: () => closeGeckos(channel),
      });
    });
  });
}

/**
 * geckos' `close()` fires a `POST …/close` to the server and drops the promise; when the server
 * is already gone that rejection is unhandled, which ends a Node process. The request starts
 * synchronously inside `close()`, so a fetch that swallows its failure is swapped in just for it.
 */
function closeGeckos(channel: { close(): void }): void {
  const realFetch = globalThis.fetch;
  globalThis.fetch = ((...args: Parameters<typeof fetch>) =>
    realFetch(...args).catch(() => new Response(null, { status: 503 }))) as typeof fetch;
  try {
    channel.close();
  } catch {
    // never connected
  } finally {
    globalThis.fetch = realFetch;
  }
}

async function viaWebTransport(target: BotTarget): Promise<BotLink> {
  const { WebTransport } = (await import('@fails-components/webtransport')) as unknown as {
    WebTransport: new (
      url: string,
      options: unknown,
      // biome-ignore lint/suspicious/noExplicitAny: the library ships loose JS types
    ) => any;
  };
  const hash = Buffer.from((target.certDigest ?? '').replace(/:/g, ''), 'hex');
  const session = new WebTransport(target.url, {
    serverCertificateHashes: [{ algorithm: 'sha-256', value: hash }],
    forceReliable: true,
  });
  session.closed.catch(() => {});
  await session.ready;
  // The token goes in the first frame of the stream the client opens, never in the URL.
  const stream = (await session.createBidirectionalStream()) as {
    readable: ReadableStream<Uint8Array>;
    writable: WritableStream<Uint8Array>;
  };
  const reader = stream.readable.getReader();
  const writer = stream.writable.getWriter();
  const auth = Buffer.from(JSON.stringify({ type: 'auth', token: target.token }));
  const authFrame = Buffer.alloc(4 + auth.length);
  authFrame.writeUInt32BE(auth.length, 0);
  auth.copy(authFrame, 4);
  void writer.write(authFrame).catch(() => {});
  let buffer = Buffer.alloc(0);
  const box = inbox();
  const deliver = (m: unknown) => box.deliver(m);
  const readFrame = async (): Promise<unknown> => {
    for (;;) {
      if (buffer.length >= 4) {
        const n = buffer.readUInt32BE(0);
        if (buffer.length >= 4 + n) {
          const m = JSON.parse(buffer.subarray(4, 4 + n).toString());
          buffer = buffer.subarray(4 + n);
          return m;
        }
      }
      const { value, done } = await reader.read();
      if (done) throw new BotConnectError('TOKEN_REFUSED', 'webtransport: stream ended');
      buffer = Buffer.concat([buffer, value]);
    }
  };
  const welcome = (await readFrame()) as BotWelcome;
  void (async () => {
    for (;;) deliver(await readFrame());
  })().catch(() => {});
  void (async () => {
    const dg = session.datagrams.readable.getReader();
    for (;;) {
      const { value, done } = await dg.read();
      if (done) return;
      deliver(JSON.parse(Buffer.from(value).toString()));
    }
  })().catch(() => {});
  const dgWriter = session.datagrams.createWritable?.().getWriter();
  return {
    welcome,
    send: (m, reliable) => {
      const body = Buffer.from(JSON.stringify(m));
      if (!reliable && dgWriter) {
        void dgWriter.write(body).catch(() => {});
        return;
      }
      const frame = Buffer.alloc(4 + body.length);
      frame.writeUInt32BE(body.length, 0);
      body.copy(frame, 4);
      void writer.write(frame).catch(() => {});
    },
    onMessage: (cb) => box.listen(cb),
    onClose: (cb) => void session.closed.then(cb, cb),
    close: () => session.close({ closeCode: 0, reason: 'bye' }),
  };
}
