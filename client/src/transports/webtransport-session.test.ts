import type { PlayReply } from '@playgap/protocol';
import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameReader } from './framing.js';
import { webtransportTransport } from './webtransport.js';

const digest = Array.from({ length: 32 }, () => 'AB').join(':');
const reply = { token: 'ab+/cd==', certDigest: digest, serverId: 's', clientId: '1' } as PlayReply;
const endpoint = { kind: 'webtransport' as const, url: 'https://127.0.0.1:4433/wt', port: 4433 };
const encoder = new TextEncoder();

type CloseInfo = { closeCode: number; reason: string };

/**
 * A WebTransport double whose server side the test drives: the stream the client opens yields
 * `serverFrames`, or, given close info, the session closes with it and the stream just ends.
 */
function fakeWebTransport(serverFrames: Uint8Array[] | CloseInfo) {
  const written: Uint8Array[] = [];
  const datagramsOut: string[] = [];
  const state = { url: '', options: undefined as unknown, closed: false };
  let pushDatagram: (bytes: Uint8Array) => void = () => {};
  class FakeSession {
    ready = Promise.resolve();
    closed: Promise<CloseInfo | undefined>;
    #closeSession!: (info?: CloseInfo) => void;
    datagrams: { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> };
    constructor(url: string, options: unknown) {
      state.url = url;
      state.options = options;
      this.closed = new Promise((resolve) => {
        this.#closeSession = resolve;
      });
      this.datagrams = {
        readable: new ReadableStream({
          start(c) {
            pushDatagram = (bytes) => c.enqueue(bytes);
          },
        }),
        writable: new WritableStream<Uint8Array>({
          write: (chunk) => void datagramsOut.push(new TextDecoder().decode(chunk)),
        }),
      };
    }
    async createBidirectionalStream() {
      const refused = !Array.isArray(serverFrames);
      if (refused) this.#closeSession(serverFrames);
      return {
        readable: new ReadableStream({
          start(c) {
            if (refused) c.close();
            else for (const frame of serverFrames) c.enqueue(frame);
          },
        }),
        writable: new WritableStream<Uint8Array>({
          write: (chunk) => void written.push(chunk),
        }),
      };
    }
    close() {
      state.closed = true;
      this.#closeSession();
    }
    serverClose(info: CloseInfo) {
      this.#closeSession(info);
    }
  }
  let last: FakeSession | undefined;
  const Tracked = class extends FakeSession {
    constructor(url: string, options: unknown) {
      super(url, options);
      last = this;
    }
  };
  return {
    WebTransport: Tracked as unknown as typeof WebTransport,
    closeSession: (info: CloseInfo) => last?.serverClose(info),
    state,
    written,
    datagramsOut,
    pushDatagram: (text: string) => pushDatagram(encoder.encode(text)),
  };
}

const welcome = JSON.stringify({
  type: 'welcome',
  clientId: '1',
  serverId: 's',
  player: { name: 'Ada' },
});
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('WebTransport transport', () => {
  it('opens the session at the bare URL with the pinned digest, sends the token in its first frame, then reads the welcome', async () => {
    const fake = fakeWebTransport([
      encodeFrame(welcome),
      encodeFrame('{"type":"snapshot","tick":1}'),
    ]);
    const channel = await webtransportTransport(fake.WebTransport).connect({
      endpoint,
      reply,
      signal: new AbortController().signal,
    });
    expect(fake.state.url).toBe('https://127.0.0.1:4433/wt');
    expect(new FrameReader().push(fake.written[0]!)).toEqual([
      JSON.stringify({ type: 'auth', token: 'ab+/cd==' }),
    ]);
    const options = fake.state.options as {
      serverCertificateHashes: { algorithm: string; value: Uint8Array }[];
    };
    expect(options.serverCertificateHashes[0]?.algorithm).toBe('sha-256');
    expect([...(options.serverCertificateHashes[0]?.value ?? [])]).toEqual(Array(32).fill(0xab));
    expect(channel.welcome.player.name).toBe('Ada');
    const got: unknown[] = [];
    channel.on('message', (m) => got.push(m));
    fake.pushDatagram('{"type":"snapshot","tick":2}');
    await flush();
    expect(got).toEqual([
      { type: 'snapshot', tick: 1 },
      { type: 'snapshot', tick: 2 },
    ]);
  });

  it('sends reliable messages as length-prefixed frames and unreliable ones as datagrams', async () => {
    const fake = fakeWebTransport([encodeFrame(welcome)]);
    const channel = await webtransportTransport(fake.WebTransport).connect({
      endpoint,
      reply,
      signal: new AbortController().signal,
    });
    channel.send({ type: 'input', x: 1 });
    channel.send({ type: 'input', x: 0 }, { reliable: false });
    await flush();
    const frames = fake.written.flatMap((chunk) => new FrameReader().push(chunk));
    expect(frames.slice(1)).toEqual(['{"type":"input","x":1}']);
    expect(fake.datagramsOut).toEqual(['{"type":"input","x":0}']);
  });

  it("refuses with the reason of the server's close when the session closes before the welcome", async () => {
    const fake = fakeWebTransport({
      closeCode: 4001,
      reason: '{"code":"TOKEN_REPLAYED","message":"already used"}',
    });
    await expect(
      webtransportTransport(fake.WebTransport).connect({
        endpoint,
        reply,
        signal: new AbortController().signal,
      }),
    ).rejects.toMatchObject({
      code: 'TOKEN_REFUSED',
      transport: 'webtransport',
      reason: 'TOKEN_REPLAYED',
    });
    expect(fake.state.closed).toBe(true);
  });

  it('reports a close for stopping (4003) as SERVER_DRAINING, so play() finds another server', async () => {
    const fake = fakeWebTransport({ closeCode: 4003, reason: '' });
    await expect(
      webtransportTransport(fake.WebTransport).connect({
        endpoint,
        reply,
        signal: new AbortController().signal,
      }),
    ).rejects.toMatchObject({ code: 'TOKEN_REFUSED', reason: 'SERVER_DRAINING' });
  });

  it('refuses with the server reason when the first frame is a refusal instead of a welcome', async () => {
    const fake = fakeWebTransport([encodeFrame('{"code":"TOKEN_EXPIRED","message":"expired"}')]);
    await expect(
      webtransportTransport(fake.WebTransport).connect({
        endpoint,
        reply,
        signal: new AbortController().signal,
      }),
    ).rejects.toMatchObject({ code: 'TOKEN_REFUSED', reason: 'TOKEN_EXPIRED' });
  });

  it('reports a session the server closes with 4003 after the welcome as SERVER_DRAINING', async () => {
    const fake = fakeWebTransport([encodeFrame(welcome)]);
    const channel = await webtransportTransport(fake.WebTransport).connect({
      endpoint,
      reply,
      signal: new AbortController().signal,
    });
    const closed = new Promise((r) => channel.on('close', r));
    fake.closeSession({
      closeCode: 4003,
      reason: '{"code":"SERVER_DRAINING","message":"The server is stopping."}',
    });
    expect(await closed).toEqual({
      code: 'SERVER_DRAINING',
      reason: 'The server is stopping.',
      resumable: false,
    });
  });
});
