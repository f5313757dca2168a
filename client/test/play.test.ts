import { waitFor } from '@playgap/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { MatchmakerSocket, PlaygapClientError, type PlayProgress, play } from '../src/index.js';
import { websocketTransport } from '../src/transports/websocket.js';
import { type FrontScript, type StandIn, startStandIn } from './stand-in.js';

const WebSocketImpl = WebSocket as unknown as typeof globalThis.WebSocket;
let standIn: StandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

async function playAgainst(script: FrontScript, extra: Partial<Parameters<typeof play>[0]> = {}) {
  standIn = await startStandIn(script);
  return play({
    game: 'arena',
    version: '1.0.0',
    name: 'Ada',
    matchmakerUrl: standIn.url,
    WebSocketImpl,
    implementations: [websocketTransport(WebSocketImpl)],
    ...extra,
  });
}

describe('play() over WebSocket against a stand-in front and game server', () => {
  it('matchmakes, reports every stage in order and exchanges messages', async () => {
    const stages: PlayProgress[] = [];
    const conn = await playAgainst('ok', { onProgress: (p) => stages.push(p) });
    expect(stages.map((p) => p.stage)).toEqual([
      'matchmaking',
      'queued',
      'deploying',
      'connecting',
      'connected',
    ]);
    expect(stages[2]?.elapsedMs).toBe(1000);
    expect(standIn?.requests[0]).toEqual({
      game: 'arena',
      version: '1.0.0',
      name: 'Ada',
      transports: ['websocket'],
    });
    expect(conn.transport).toBe('websocket');
    expect(conn.welcome.player.name).toBe('Ada');
    const messages: unknown[] = [];
    conn.on('message', (m) => messages.push(m));
    await waitFor(() => messages.length === 1, { timeoutMs: 5_000, intervalMs: 10 });
    expect(messages[0]).toEqual({ type: 'snapshot', tick: 1 });
    conn.send({ type: 'input', up: true }, { reliable: false });
    await waitFor(() => standIn?.received.length === 1, { timeoutMs: 5_000, intervalMs: 10 });
    conn.close();
    expect(conn.open).toBe(false);
  });

  it('places every play() over the kept matchmaker socket it is given, which stays open', async () => {
    standIn = await startStandIn('ok');
    const matchmaker = new MatchmakerSocket({ url: standIn.url, WebSocketImpl });
    try {
      for (const name of ['Ada', 'Bo']) {
        const conn = await play({
          game: 'arena',
          version: '1.0.0',
          name,
          matchmaker,
          WebSocketImpl,
          implementations: [websocketTransport(WebSocketImpl)],
        });
        expect(conn.transport).toBe('websocket');
        conn.close();
      }
      expect(standIn.requests.map((r) => (r as { name: string }).name)).toEqual(['Ada', 'Bo']);
      expect(standIn.frontSockets).toBe(1);
    } finally {
      matchmaker.close();
    }
  });

  it('passes the front NO_CAPACITY error on with its code', async () => {
    await expect(playAgainst('no-capacity')).rejects.toMatchObject({
      code: 'NO_CAPACITY',
      message: 'All full.',
    });
  });

  it('refuses an expired token with TOKEN_REFUSED and the server reason', async () => {
    const error = await playAgainst('refuse-token').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlaygapClientError);
    expect(error).toMatchObject({ code: 'TOKEN_REFUSED', reason: 'TOKEN_EXPIRED' });
    expect((error as Error).message).toContain('The token expired');
  });

  it('times out a silent matchmaker with CONNECT_TIMEOUT', async () => {
    await expect(playAgainst('silent', { timeouts: { matchmakingMs: 50 } })).rejects.toMatchObject({
      code: 'CONNECT_TIMEOUT',
    });
  });

  it('reports MATCHMAKER_UNREACHABLE when the front hangs up or talks nonsense', async () => {
    await expect(playAgainst('hang-up')).rejects.toMatchObject({ code: 'MATCHMAKER_UNREACHABLE' });
    await standIn?.close();
    await expect(playAgainst('garbage')).rejects.toMatchObject({ code: 'MATCHMAKER_UNREACHABLE' });
  });

  it('reports MATCHMAKER_UNREACHABLE when nothing listens', async () => {
    standIn = await startStandIn('ok');
    const url = standIn.url;
    await standIn.close();
    standIn = undefined;
    await expect(
      play({
        game: 'arena',
        version: '1',
        matchmakerUrl: url,
        WebSocketImpl,
        implementations: [websocketTransport(WebSocketImpl)],
      }),
    ).rejects.toMatchObject({ code: 'MATCHMAKER_UNREACHABLE' });
  });

  it('cancels with CANCELLED when the signal aborts mid-matchmaking', async () => {
    const controller = new AbortController();
    const pending = playAgainst('silent', {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.stage === 'matchmaking') queueMicrotask(() => controller.abort());
      },
    });
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('emits close with SERVER_DRAINING when the server stops the game', async () => {
    const conn = await playAgainst('ok');
    const closes: unknown[] = [];
    conn.on('close', (e) => closes.push(e));
    conn.send({ type: 'kick' });
    await waitFor(() => closes.length === 1, { timeoutMs: 5_000, intervalMs: 10 });
    expect(closes[0]).toMatchObject({ code: 'SERVER_DRAINING', reason: 'Bye' });
  });
});

describe('play() transport fallback with a used token', () => {
  it('asks the matchmaker again for the transports not yet tried when the next one is refused as a replay', async () => {
    standIn = await startStandIn('ok');
    const { ChannelBase } = await import('../src/channel.js');
    class Ok extends ChannelBase {
      readonly transport = 'websocket' as const;
      protected transmit(): void {}
      protected hangUp(): void {}
    }
    const attempts: string[] = [];
    let websocketCalls = 0;
    const conn = await play({
      game: 'arena',
      version: '1.0.0',
      matchmakerUrl: standIn.url,
      WebSocketImpl,
      transports: ['webrtc', 'websocket'],
      implementations: [
        {
          kind: 'webrtc',
          supported: () => true,
          connect: () => {
            attempts.push('webrtc');
            return Promise.reject(new PlaygapClientError('TRANSPORT_FAILED', 'ICE failed'));
          },
        },
        {
          kind: 'websocket',
          supported: () => true,
          connect: () => {
            attempts.push('websocket');
            websocketCalls++;
            if (websocketCalls === 1) {
              return Promise.reject(
                new PlaygapClientError('TOKEN_REFUSED', 'used', { reason: 'TOKEN_REPLAYED' }),
              );
            }
            return Promise.resolve(new Ok());
          },
        },
      ],
    });
    expect(conn.transport).toBe('websocket');
    expect(attempts).toEqual(['webrtc', 'websocket', 'websocket']);
    expect(standIn.requests.map((r) => (r as { transports: string[] }).transports)).toEqual([
      ['webrtc', 'websocket'],
      ['websocket'],
    ]);
  });
});
