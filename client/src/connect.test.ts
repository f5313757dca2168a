import type { PlayReply, TransportKind } from '@playgap/protocol';
import { describe, expect, it } from 'vitest';
import { ChannelBase } from './channel.js';
import { connectWithFallback, transportOrder } from './connect.js';
import { PlaygapClientError } from './errors.js';
import type { Transport } from './transports/transport.js';

const reply: PlayReply = {
  type: 'ready',
  token: 't',
  serverId: 's',
  ip: '127.0.0.1',
  port: 1,
  transports: [
    { kind: 'webtransport', url: 'https://127.0.0.1:1/', port: 1 },
    { kind: 'webrtc', url: 'http://127.0.0.1', port: 1 },
    { kind: 'websocket', url: 'ws://127.0.0.1:1/', port: 1 },
  ],
  certDigest: '',
  clientId: '1',
  expiresAt: 0,
};

class FakeChannel extends ChannelBase {
  constructor(readonly transport: TransportKind) {
    super();
  }
  protected transmit(): void {}
  protected hangUp(): void {}
}

type Behaviour = 'ok' | 'fail' | 'refuse' | 'hang' | 'unsupported';
function fake(kind: TransportKind, behaviour: Behaviour, log: string[]): Transport {
  return {
    kind,
    supported: () => behaviour !== 'unsupported',
    connect: ({ signal }) => {
      log.push(kind);
      if (behaviour === 'ok') return Promise.resolve(new FakeChannel(kind));
      if (behaviour === 'refuse')
        return Promise.reject(new PlaygapClientError('TOKEN_REFUSED', 'no', { transport: kind }));
      if (behaviour === 'fail') return Promise.reject(new Error('boom'));
      return new Promise((_, reject) =>
        signal.addEventListener('abort', () => reject(signal.reason)),
      );
    },
  };
}

describe('transport fallback', () => {
  it('orders by client preference, keeps only offered and supported transports', () => {
    const log: string[] = [];
    const available = [
      fake('websocket', 'ok', log),
      fake('webrtc', 'unsupported', log),
      fake('webtransport', 'ok', log),
    ];
    const offered = {
      ...reply,
      transports: reply.transports.filter((t) => t.kind !== 'webtransport'),
    };
    expect(
      transportOrder(['webtransport', 'webrtc', 'websocket'], offered, available).map(
        (t) => t.kind,
      ),
    ).toEqual(['websocket']);
  });

  it('falls through a failing and a hanging transport to the next one', async () => {
    const log: string[] = [];
    const transports = [
      fake('webtransport', 'fail', log),
      fake('webrtc', 'hang', log),
      fake('websocket', 'ok', log),
    ];
    const failures: PlaygapClientError[] = [];
    const channel = await connectWithFallback({
      reply,
      transports,
      attemptTimeoutMs: 20,
      failures,
    });
    expect(channel.transport).toBe('websocket');
    expect(log).toEqual(['webtransport', 'webrtc', 'websocket']);
    expect(failures.map((f) => f.code)).toEqual(['TRANSPORT_FAILED', 'CONNECT_TIMEOUT']);
  });

  it('stops at a refused token instead of trying the next transport', async () => {
    const log: string[] = [];
    const transports = [fake('webrtc', 'refuse', log), fake('websocket', 'ok', log)];
    await expect(
      connectWithFallback({ reply, transports, attemptTimeoutMs: 1000 }),
    ).rejects.toMatchObject({
      code: 'TOKEN_REFUSED',
    });
    expect(log).toEqual(['webrtc']);
  });

  it('reports TRANSPORT_FAILED naming every transport when all fail', async () => {
    const log: string[] = [];
    const transports = [fake('webrtc', 'fail', log), fake('websocket', 'fail', log)];
    await expect(
      connectWithFallback({ reply, transports, attemptTimeoutMs: 1000 }),
    ).rejects.toMatchObject({
      code: 'TRANSPORT_FAILED',
      message: expect.stringContaining('webrtc, websocket'),
    });
  });

  it('cancels a hanging attempt with CANCELLED when the signal aborts', async () => {
    const log: string[] = [];
    const controller = new AbortController();
    const pending = connectWithFallback({
      reply,
      transports: [fake('websocket', 'hang', log)],
      attemptTimeoutMs: 60_000,
      signal: controller.signal,
    });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});

describe('connectWithFallback when nothing the page allows is offered', () => {
  it('names what the page asked for and what the server offers', async () => {
    const withoutWebTransport: PlayReply = {
      ...reply,
      transports: reply.transports.filter((e) => e.kind !== 'webtransport'),
    };
    const error = await connectWithFallback({
      reply: withoutWebTransport,
      transports: [],
      attemptTimeoutMs: 1_000,
      signal: new AbortController().signal,
      allowed: ['webtransport'],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlaygapClientError);
    expect((error as Error).message).toBe(
      'This page allows webtransport, but the game server offers webrtc, websocket (WebTransport needs HTTP/3 on the server); allow one of those.',
    );
  });
});
