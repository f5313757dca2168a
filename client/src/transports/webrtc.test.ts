import type { PlayReply } from '@playgap/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type GeckosChannelLike, webrtcTransport } from './webrtc.js';

const reply = {
  token: 'tok',
  serverId: 'srv',
  clientId: '9',
  transports: [{ kind: 'webrtc', url: 'http://10.0.0.1', port: 31000 }],
} as unknown as PlayReply;
const endpoint = { kind: 'webrtc' as const, url: 'http://10.0.0.1', port: 31000 };

/** A geckos channel double: records options and emits, lets the test drive connect/messages. */
function fakeGeckos(outcome: { status?: number } | undefined, userData: unknown = {}) {
  const handlers: Record<string, (data: unknown) => void> = {};
  let disconnect = () => {};
  const state = { options: undefined as unknown, emitted: [] as unknown[], closed: false };
  const channel: GeckosChannelLike = {
    userData,
    onConnect: (cb) => queueMicrotask(() => cb(outcome)),
    onDisconnect: (cb) => {
      disconnect = cb;
    },
    on: (event, cb) => {
      handlers[event] = cb;
    },
    emit: (_event, data, options) => state.emitted.push({ data, options }),
    close: () => {
      state.closed = true;
    },
  };
  const factory = (options: unknown) => {
    state.options = options;
    return channel;
  };
  return {
    factory,
    state,
    deliver: (data: unknown) => handlers.m?.(data),
    drop: () => disconnect(),
  };
}

describe('WebRTC transport (geckos)', () => {
  it('passes the token as authorization with no ICE servers and builds the welcome from userData', async () => {
    const fake = fakeGeckos(undefined, { clientId: '9', player: { name: 'Ada' } });
    const channel = await webrtcTransport(fake.factory).connect({
      endpoint,
      reply,
      signal: new AbortController().signal,
    });
    expect(fake.state.options).toEqual({
      url: 'http://10.0.0.1',
      port: 31000,
      authorization: 'tok',
      iceServers: [],
    });
    expect(channel.welcome).toEqual({
      type: 'welcome',
      clientId: '9',
      serverId: 'srv',
      player: { name: 'Ada' },
    });
    const got: unknown[] = [];
    channel.on('message', (m) => got.push(m));
    fake.deliver({ type: 'snapshot' });
    await Promise.resolve();
    expect(got).toEqual([{ type: 'snapshot' }]);
    channel.send({ type: 'input' }, { reliable: false });
    expect(fake.state.emitted).toEqual([{ data: { type: 'input' }, options: { reliable: false } }]);
    const closes: unknown[] = [];
    channel.on('close', (e) => closes.push(e));
    fake.drop();
    expect(closes).toEqual([
      { code: 'DISCONNECTED', reason: 'The WebRTC connection closed.', resumable: true },
    ]);
  });

  it('turns an HTTP 401 from signaling into TOKEN_REFUSED', async () => {
    const fake = fakeGeckos({ status: 401 });
    await expect(
      webrtcTransport(fake.factory).connect({
        endpoint,
        reply,
        signal: new AbortController().signal,
      }),
    ).rejects.toMatchObject({ code: 'TOKEN_REFUSED', transport: 'webrtc' });
    expect(fake.state.closed).toBe(true);
  });

  it('turns any other signaling failure into TRANSPORT_FAILED', async () => {
    const fake = fakeGeckos({ status: 500 });
    await expect(
      webrtcTransport(fake.factory).connect({
        endpoint,
        reply,
        signal: new AbortController().signal,
      }),
    ).rejects.toMatchObject({ code: 'TRANSPORT_FAILED' });
  });
});

describe('WebRTC liveness and close reasons', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends an unreliable heartbeat every 500 ms while open, and stops once closed', async () => {
    vi.useFakeTimers();
    const fake = fakeGeckos(undefined, { clientId: '9' });
    const connecting = webrtcTransport(fake.factory).connect({
      endpoint,
      reply,
      signal: new AbortController().signal,
    });
    await vi.advanceTimersByTimeAsync(0);
    const channel = await connecting;
    await vi.advanceTimersByTimeAsync(1_500);
    const beats = () =>
      fake.state.emitted.filter(
        (e) => (e as { data: { type?: string } }).data.type === 'heartbeat',
      );
    expect(beats()).toHaveLength(3);
    expect(beats()[0]).toEqual({ data: { type: 'heartbeat' }, options: { reliable: false } });
    channel.close();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(beats()).toHaveLength(3);
  });

  it("reports the server's close notice as the close reason (SERVER_DRAINING), not a bare disconnect", async () => {
    const fake = fakeGeckos(undefined, { clientId: '9' });
    const channel = await webrtcTransport(fake.factory).connect({
      endpoint,
      reply,
      signal: new AbortController().signal,
    });
    const closed = new Promise((r) => channel.on('close', r));
    const messages: unknown[] = [];
    channel.on('message', (m) => messages.push(m));
    fake.deliver({ type: 'close', closeCode: 4003, code: 'SERVER_DRAINING', message: 'Stopping.' });
    fake.drop();
    expect(await closed).toEqual({ code: 'SERVER_DRAINING', reason: 'Stopping.' });
    expect(messages).toEqual([]);
    channel.close();
  });

  it('reads an HTTP 503 from signaling as a refusal for stopping (SERVER_DRAINING)', async () => {
    const fake = fakeGeckos({ status: 503 });
    await expect(
      webrtcTransport(fake.factory).connect({
        endpoint,
        reply,
        signal: new AbortController().signal,
      }),
    ).rejects.toMatchObject({ code: 'TOKEN_REFUSED', reason: 'SERVER_DRAINING' });
  });
});
