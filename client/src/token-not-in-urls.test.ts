/**
 * The connect token never rides in a URL (URLs end up in console errors, logs and history): a
 * grep over the SDK's sources, and every transport run against doubles that record each URL
 * it opens, while the token still reaches the server in a message or a header.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlayReply, TransportEndpoint } from '@playgap/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FrameReader } from './transports/framing.js';
import { webrtcTransport } from './transports/webrtc.js';
import { websocketTransport } from './transports/websocket.js';
import { webtransportTransport } from './transports/webtransport.js';

const TOKEN = 'c2VjcmV0+dG9rZW4/bm90/aW4=';
const TOKEN_FORMS = [
  TOKEN,
  TOKEN.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''),
  encodeURIComponent(TOKEN),
];
const reply = {
  type: 'ready',
  token: TOKEN,
  serverId: 's',
  clientId: '1',
  certDigest: Array.from({ length: 32 }, () => '00').join(':'),
} as PlayReply;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

function expectNoToken(urls: string[]): void {
  expect(urls.length).toBeGreaterThan(0);
  for (const url of urls) for (const form of TOKEN_FORMS) expect(url).not.toContain(form);
}

const attempt = (endpoint: TransportEndpoint) => ({
  endpoint,
  reply,
  signal: new AbortController().signal,
});

afterEach(() => vi.unstubAllGlobals());

describe('the connect token stays out of URLs', () => {
  it('no SDK source builds a URL with a token parameter', () => {
    const offenders = sources(join(import.meta.dirname)).filter((file) =>
      /[?&]token=|searchParams\.(set|append)\(\s*['"`]token/.test(readFileSync(file, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('WebSocket opens the bare endpoint and sends the token as the first frame', async () => {
    const urls: string[] = [];
    const sent: string[] = [];
    class FakeSocket {
      onopen: (() => void) | null = null;
      onmessage: ((e: { data: string }) => void) | null = null;
      onclose: ((e: { code: number; reason: string }) => void) | null = null;
      onerror: (() => void) | null = null;
      readyState = 1;
      constructor(url: string) {
        urls.push(url);
        queueMicrotask(() => this.onopen?.());
      }
      send(text: string) {
        sent.push(text);
        this.onmessage?.({ data: '{"type":"welcome","clientId":"1","serverId":"s","player":{}}' });
      }
      close() {}
    }
    await websocketTransport(FakeSocket as unknown as typeof WebSocket).connect(
      attempt({ kind: 'websocket', url: 'ws://127.0.0.1:4000/ws', port: 4000 }),
    );
    expectNoToken(urls);
    expect(JSON.parse(sent[0] ?? '{}')).toEqual({ type: 'auth', token: TOKEN });
  });

  it('WebTransport opens the bare endpoint and sends the token in the first stream frame', async () => {
    const urls: string[] = [];
    const written: Uint8Array[] = [];
    class FakeSession {
      ready = Promise.resolve();
      closed = new Promise(() => {});
      datagrams = { readable: new ReadableStream(), writable: new WritableStream() };
      constructor(url: string) {
        urls.push(url);
      }
      async createBidirectionalStream() {
        const welcome = '{"type":"welcome","clientId":"1","serverId":"s","player":{}}';
        const body = new TextEncoder().encode(welcome);
        const frame = new Uint8Array(4 + body.length);
        new DataView(frame.buffer).setUint32(0, body.length);
        frame.set(body, 4);
        return {
          readable: new ReadableStream({ start: (c) => c.enqueue(frame) }),
          writable: new WritableStream<Uint8Array>({ write: (chunk) => void written.push(chunk) }),
        };
      }
      close() {}
    }
    await webtransportTransport(FakeSession as unknown as typeof WebTransport).connect(
      attempt({ kind: 'webtransport', url: 'https://127.0.0.1:4002/wt', port: 4002 }),
    );
    expectNoToken(urls);
    expect(JSON.parse(new FrameReader().push(written[0] ?? new Uint8Array())[0] ?? '{}')).toEqual({
      type: 'auth',
      token: TOKEN,
    });
  });

  it('WebRTC (the real geckos client) puts the token in the Authorization header of signaling', async () => {
    const requests: { url: string; authorization: string | null }[] = [];
    vi.stubGlobal('RTCPeerConnection', class {});
    vi.stubGlobal('fetch', async (url: string | URL, init?: RequestInit) => {
      requests.push({
        url: String(url),
        authorization: new Headers(init?.headers).get('authorization'),
      });
      return new Response('{"code":"TOKEN_EXPIRED","message":"expired"}', { status: 401 });
    });
    await expect(
      webrtcTransport().connect(attempt({ kind: 'webrtc', url: 'http://127.0.0.1', port: 4000 })),
    ).rejects.toMatchObject({ code: 'TOKEN_REFUSED' });
    expectNoToken(requests.map((r) => r.url));
    expect(requests[0]?.authorization).toBe(TOKEN);
  });
});
