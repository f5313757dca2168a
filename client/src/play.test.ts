// play() against a stand-in matchmaker (a WebSocket class that answers every request with a
// reply) and stand-in transports: a server that refuses us before the welcome because it is
// stopping makes play() ask the matchmaker exactly once more, and says so.
import { ErrorCode, type PlayReply, type TransportKind } from '@playgap/protocol';
import { describe, expect, it } from 'vitest';
import { ChannelBase } from './channel.js';
import { PlaygapClientError } from './errors.js';
import { type PlayProgress, play } from './play.js';
import type { Transport } from './transports/transport.js';
import { websocketTransport } from './transports/websocket.js';

function replyFor(serverId: string): PlayReply {
  return {
    type: 'ready',
    token: `token-for-${serverId}`,
    serverId,
    ip: '127.0.0.1',
    port: 1,
    transports: [{ kind: 'websocket', url: `ws://127.0.0.1:1/${serverId}`, port: 1 }],
    certDigest: '',
    clientId: '1',
    expiresAt: Date.now() + 30_000,
  };
}

/** A matchmaker front that places request n on server `servers[n]` (the last one after that). */
function standInMatchmaker(servers: string[]) {
  const requests: unknown[] = [];
  class FrontSocket {
    readyState = 0;
    onopen: (() => void) | null = null;
    onmessage: ((event: { data: string }) => void) | null = null;
    onclose: ((event: { code: number }) => void) | null = null;
    onerror: (() => void) | null = null;
    constructor() {
      queueMicrotask(() => {
        this.readyState = 1;
        this.onopen?.();
      });
    }
    send(text: string) {
      const serverId = servers[Math.min(requests.length, servers.length - 1)] as string;
      requests.push(JSON.parse(text));
      queueMicrotask(() => this.onmessage?.({ data: JSON.stringify(replyFor(serverId)) }));
    }
    close() {
      this.readyState = 3;
    }
  }
  return { requests, WebSocketImpl: FrontSocket as unknown as typeof WebSocket };
}

class StandInChannel extends ChannelBase {
  readonly transport: TransportKind = 'websocket';
  protected transmit(): void {}
  protected hangUp(): void {}
}

/** A websocket transport whose servers in `stopping` refuse with SERVER_DRAINING. */
function transportRefusingOn(stopping: Set<string>): Transport {
  return {
    kind: 'websocket',
    supported: () => true,
    connect: async ({ reply }) => {
      if (stopping.has(reply.serverId)) {
        throw new PlaygapClientError(ErrorCode.TOKEN_REFUSED, 'refused', {
          transport: 'websocket',
          reason: ErrorCode.SERVER_DRAINING,
        });
      }
      const channel = new StandInChannel();
      channel.welcome = { type: 'welcome', clientId: '1', serverId: reply.serverId, player: {} };
      return channel;
    },
  };
}

describe('play() and a server that is stopping', () => {
  it('asks the matchmaker exactly once more when the server refuses with SERVER_DRAINING', async () => {
    const front = standInMatchmaker(['stopping-a', 'fresh-b']);
    const progress: PlayProgress[] = [];
    const channel = await play({
      game: 'arena',
      version: '1.0.0',
      matchmakerUrl: 'ws://127.0.0.1:1/matchmaker/ws',
      transports: ['websocket'],
      implementations: [transportRefusingOn(new Set(['stopping-a']))],
      WebSocketImpl: front.WebSocketImpl,
      onProgress: (p) => progress.push(p),
    });
    expect(channel.welcome.serverId).toBe('fresh-b');
    expect(front.requests).toHaveLength(2);
    expect(progress.map((p) => p.stage)).toEqual([
      'matchmaking',
      'connecting',
      'retrying',
      'matchmaking',
      'connecting',
      'connected',
    ]);
    expect(progress.find((p) => p.stage === 'retrying')).toMatchObject({
      reason: 'SERVER_DRAINING',
      message: expect.stringContaining('stopping'),
    });
  });

  it('gives up with the refusal when the second server is stopping too', async () => {
    const front = standInMatchmaker(['stopping-a', 'stopping-b', 'fresh-c']);
    const run = play({
      game: 'arena',
      version: '1.0.0',
      matchmakerUrl: 'ws://127.0.0.1:1/matchmaker/ws',
      transports: ['websocket'],
      implementations: [transportRefusingOn(new Set(['stopping-a', 'stopping-b']))],
      WebSocketImpl: front.WebSocketImpl,
    });
    await expect(run).rejects.toMatchObject({ code: 'TOKEN_REFUSED', reason: 'SERVER_DRAINING' });
    expect(front.requests).toHaveLength(2);
  });
});

describe('websocket transport refusals before the welcome', () => {
  /** A game server socket that closes with `code` and `reason` as soon as it gets the token. */
  function closingSocket(code: number, reason: string) {
    return class {
      readyState = 0;
      onopen: (() => void) | null = null;
      onmessage: ((event: { data: string }) => void) | null = null;
      onclose: ((event: { code: number; reason: string }) => void) | null = null;
      onerror: (() => void) | null = null;
      constructor() {
        queueMicrotask(() => this.onopen?.());
      }
      send() {
        queueMicrotask(() => this.onclose?.({ code, reason }));
      }
      close() {}
    } as unknown as typeof WebSocket;
  }

  it('turns a 4003 close (server stopping) into TOKEN_REFUSED with SERVER_DRAINING', async () => {
    const reply = replyFor('stopping-a');
    const attempt = websocketTransport(
      closingSocket(4003, JSON.stringify({ code: 'SERVER_DRAINING', message: 'stopping' })),
    ).connect({
      endpoint: reply.transports[0]!,
      reply,
      signal: new AbortController().signal,
    });
    await expect(attempt).rejects.toMatchObject({
      code: 'TOKEN_REFUSED',
      reason: 'SERVER_DRAINING',
    });
  });

  it('reads a 4003 close without a reason as SERVER_DRAINING too', async () => {
    const reply = replyFor('stopping-a');
    const attempt = websocketTransport(closingSocket(4003, '')).connect({
      endpoint: reply.transports[0]!,
      reply,
      signal: new AbortController().signal,
    });
    await expect(attempt).rejects.toMatchObject({ reason: 'SERVER_DRAINING' });
  });
});
