/**
 * WebRTC transport through geckos.io: signaling on the game's HTTP server, data on ONE UDP
 * port (multiplexed). The token rides in geckos' `authorization` and is checked before a peer
 * connection exists; a refusal is HTTP 401 `{code, message}`. The offer's ICE candidates are
 * rewritten to the public IP + external UDP port, and peers that never open their data channel
 * (half-open) are closed and their seat given back. A peer that sends heartbeats (the client
 * SDK does) and then goes quiet for `deadPeerTimeoutMs` is dropped; a player the server closes
 * gets a CloseNotice first (geckos has no close reason), so a drain reads as SERVER_DRAINING.
 */
import type { IncomingMessage, OutgoingMessage, Server, ServerResponse } from 'node:http';
import geckos, { type GeckosServer, type ServerChannel } from '@geckos.io/server';
import {
  type CloseNotice,
  DEAD_PEER_TIMEOUT_MS,
  ErrorCode,
  GECKOS_EVENT,
  TransportKind,
  type WelcomeMessage,
} from '@playgap/protocol';
import { toWireError } from '../errors.js';
import type { VerifiedToken } from '../sidecar-client.js';
import { type TransportContext, welcomeFor } from './context.js';
import { type IceMapping, rewriteCandidate, rewriteSdp } from './ice-rewrite.js';

export interface GeckosTransportOptions {
  /** UDP port node-datachannel binds (one port, multiplexed). */
  dataPort: number;
  /** Announce this address and port instead of the local ones; omit to keep them. */
  iceMapping?: IceMapping;
  /** CORS origin for the signaling routes. Default `*`. */
  corsOrigin?: string;
  /** Close a peer whose data channel is not open this long after signaling. Default 15000 ms. */
  halfOpenTimeoutMs?: number;
  /** How often to look for half-open and dead peers. Default 1000 ms. */
  reapIntervalMs?: number;
  /** Drop a peer that sent heartbeats and then nothing for this long. Default DEAD_PEER_TIMEOUT_MS. */
  deadPeerTimeoutMs?: number;
  /** Clock (Unix ms), injectable for tests. */
  now?: () => number;
}

/** node-datachannel's DataChannel, as geckos keeps it on the channel. */
interface RawDataChannel {
  isOpen(): boolean;
  bufferedAmount(): number;
  sendMessage(message: string): boolean;
}

interface PendingPeer {
  clientId: string;
  createdAt: number;
}

/** The geckos internals this module wraps (not in geckos' public types). */
interface GeckosInternals {
  connectionsManager: {
    createConnection(
      auth: string | undefined,
      req: IncomingMessage,
      res: OutgoingMessage,
    ): Promise<CreateResult>;
    connections: Map<string, GeckosConnection>;
  };
}
interface CreateResult {
  status: number;
  connection?: { id: string; localDescription?: { sdp: string; type: string } };
}
interface GeckosConnection {
  close(): Promise<void>;
  additionalCandidates: { candidate: string; sdpMid: string }[];
}

/**
 * Attach geckos.io to `server`.
 *
 * @example
 * const rtc = attachGeckosTransport(httpServer, context, {
 *   dataPort: 5001, iceMapping: { publicIp: '203.0.113.7', internalPort: 5001, externalPort: 31001 },
 * });
 */
export function attachGeckosTransport(
  server: Server,
  context: TransportContext,
  options: GeckosTransportOptions,
) {
  const now = options.now ?? Date.now;
  const halfOpenTimeoutMs = options.halfOpenTimeoutMs ?? 15_000;
  const deadPeerTimeoutMs = options.deadPeerTimeoutMs ?? DEAD_PEER_TIMEOUT_MS;
  const pending = new Map<string, PendingPeer>();
  /** Players whose client sends heartbeats: when they were last heard from. */
  const heard = new Map<ServerChannel, { at: number; close(): void }>();
  /** Close notices sent, not yet flushed: close() waits for them. */
  let noticesInFlight: Promise<void>[] = [];

  const io: GeckosServer = geckos({
    iceServers: [],
    multiplex: true,
    portRange: { min: options.dataPort, max: options.dataPort },
    cors: { origin: options.corsOrigin ?? '*', allowAuthorization: true },
    authorization: async (
      auth: string | undefined,
      _req: IncomingMessage,
      res: OutgoingMessage,
    ) => {
      try {
        if (!auth) throw new Error('no token');
        const admitted = await context.admit(auth);
        // geckos hands this back to the client as `userData`: the welcome, plus the seat.
        const welcome: WelcomeMessage & { seat?: number } = welcomeFor(admitted, context.serverId);
        if (admitted.seat !== undefined) welcome.seat = admitted.seat;
        return welcome;
      } catch (err) {
        const wire = auth
          ? toWireError(err)
          : { code: 'TOKEN_MALFORMED', message: 'No token in authorization.' };
        // geckos answers `401: Unauthorized` as text; send the coded JSON instead. A draining
        // server answers 503, so the client can tell "find another server" from a bad token.
        const status = wire.code === ErrorCode.SERVER_DRAINING ? 503 : 401;
        const end = res.end.bind(res);
        res.end = ((..._args: unknown[]) => {
          res.setHeader('Content-Type', 'application/json');
          return end(JSON.stringify(wire));
        }) as typeof res.end;
        return status;
      }
    },
  });
  const internals = io as unknown as GeckosInternals;
  const manager = internals.connectionsManager;
  const create = manager.createConnection.bind(manager);
  manager.createConnection = async (auth, req, res) => {
    const result = await create(auth, req, res);
    const id = result.connection?.id;
    if (result.status !== 200 || !id) return result;
    const userData = (result as { userData?: { clientId?: string } }).userData;
    if (userData?.clientId) pending.set(id, { clientId: userData.clientId, createdAt: now() });
    const mapping = options.iceMapping;
    if (mapping) {
      const desc = result.connection?.localDescription;
      if (desc) desc.sdp = rewriteSdp(desc.sdp, mapping);
      const conn = manager.connections.get(id);
      if (conn) rewriteTrickledCandidates(conn, mapping);
    }
    return result;
  };

  io.addServer(server);
  guardRequestListeners(server, context);
  io.onConnection((channel: ServerChannel) => {
    const welcome = channel.userData as (WelcomeMessage & { seat?: number }) | undefined;
    const id = channel.id ?? '';
    pending.delete(id);
    if (!welcome?.clientId) {
      void channel.close();
      return;
    }
    const admitted: VerifiedToken = { clientId: welcome.clientId, player: welcome.player };
    if (welcome.seat !== undefined) admitted.seat = welcome.seat;
    if (welcome.reconnect) admitted.reconnect = welcome.reconnect;
    if (welcome.resumed) admitted.resumed = true;
    const player = context.join(admitted, {
      transport: TransportKind.WEBRTC,
      send: (message, reliable) =>
        channel.emit(GECKOS_EVENT, message as object, reliable ? { reliable: true } : undefined),
      sendJson: (json, reliable) => {
        if (reliable) {
          channel.emit(GECKOS_EVENT, JSON.parse(json) as object, { reliable: true });
          return;
        }
        // Same frame geckos' emit writes (`{"<event>":<data>}`), built once per broadcast.
        const dc = (channel as unknown as { dataChannel?: RawDataChannel }).dataChannel;
        if (!dc?.isOpen() || dc.bufferedAmount() > 0) return; // drop like geckos when buffering
        try {
          dc.sendMessage(`{"${GECKOS_EVENT}":${json}}`);
        } catch {
          // peer closing: an unreliable message may be lost
        }
      },
      close: (closeCode, reason) => {
        heard.delete(channel);
        if (!reason) {
          void channel.close();
          return;
        }
        const notice: CloseNotice = { type: 'close', closeCode, ...reason };
        channel.emit(GECKOS_EVENT, notice, { reliable: true });
        // Give the notice a moment on the wire before the data channel goes.
        const flushed = new Promise<void>((resolve) => {
          setTimeout(() => {
            void channel.close();
            resolve();
          }, CLOSE_FLUSH_MS).unref();
        });
        noticesInFlight.push(flushed);
      },
    });
    channel.on(GECKOS_EVENT, (data) => {
      const live = heard.get(channel);
      if (live) live.at = now();
      if (isHeartbeat(data)) {
        if (!live) heard.set(channel, { at: now(), close: () => player.closed('timeout') });
        return;
      }
      player.receive(data);
    });
    channel.onDisconnect(() => {
      heard.delete(channel);
      player.closed('closed');
    });
  });

  /**
   * Close half-open peers and give back seats of peers geckos dropped before they opened; drop
   * peers whose heartbeats stopped.
   */
  function reap(): void {
    const t = now();
    for (const [channel, live] of heard) {
      if (t - live.at < deadPeerTimeoutMs) continue;
      heard.delete(channel);
      context.log(`webrtc: dropping a peer silent for ${t - live.at} ms`);
      live.close();
      void Promise.resolve(channel.close()).catch(() => {});
    }
    for (const [id, peer] of pending) {
      const conn = manager.connections.get(id);
      if (!conn || t - peer.createdAt >= halfOpenTimeoutMs) {
        pending.delete(id);
        context.log(`webrtc: closing half-open peer of client ${peer.clientId}`);
        if (conn) void conn.close().catch(() => {});
        context.release(peer.clientId);
      }
    }
  }
  const reaper = setInterval(reap, options.reapIntervalMs ?? 1_000);
  reaper.unref();

  return {
    reap,
    /** Peers that passed the token check but whose data channel is not open yet. */
    get halfOpen(): number {
      return pending.size;
    },
    /** Peers whose client sends heartbeats. */
    get watched(): number {
      return heard.size;
    },
    async close(): Promise<void> {
      clearInterval(reaper);
      await Promise.all(noticesInFlight);
      noticesInFlight = [];
      const closing = [...manager.connections.values()].map((c) => c.close().catch(() => {}));
      await Promise.all(closing);
    },
  };
}

/** How long a close notice gets before its data channel is closed. */
const CLOSE_FLUSH_MS = 150;

function isHeartbeat(data: unknown): boolean {
  return (
    typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'heartbeat'
  );
}

/**
 * geckos' request handler is async and some bad inputs make it throw after it answered (a
 * remote description without `sdp` answers 400, then fails again): catch those rejections so
 * they never become an unhandled rejection that would end the process.
 */
function guardRequestListeners(server: Server, context: TransportContext): void {
  const listeners = server.listeners('request') as ((
    req: IncomingMessage,
    res: ServerResponse,
  ) => unknown)[];
  server.removeAllListeners('request');
  for (const listener of listeners) {
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      try {
        const result = listener.call(server, req, res);
        if (result instanceof Promise) result.catch((err: unknown) => onError(err, res));
      } catch (err) {
        onError(err, res);
      }
    });
  }
  function onError(err: unknown, res: ServerResponse): void {
    context.log(`webrtc signaling: ${String(err)}`);
    if (!res.headersSent) res.writeHead(500).end();
    else if (!res.writableEnded) res.end();
  }
}

/**
 * geckos pushes trickled candidates onto `additionalCandidates` and the signaling route hands
 * them out (then replaces the array): rewrite each one as it is pushed, on every array.
 */
function rewriteTrickledCandidates(conn: GeckosConnection, mapping: IceMapping): void {
  type Candidate = GeckosConnection['additionalCandidates'][number];
  const rewrite = (c: Candidate): Candidate => ({
    ...c,
    candidate: rewriteCandidate(c.candidate, mapping),
  });
  const wrap = (array: Candidate[]): Candidate[] => {
    const list = array.map(rewrite);
    list.push = (...items: Candidate[]) => Array.prototype.push.apply(list, items.map(rewrite));
    return list;
  };
  let list = wrap(conn.additionalCandidates);
  Object.defineProperty(conn, 'additionalCandidates', {
    configurable: true,
    get: () => list,
    set: (value: Candidate[]) => {
      list = wrap(value);
    },
  });
}
