/**
 * The game server: waits for the sidecar, runs the transports on the deployment's ports with
 * token checks, reports players coming and going, heartbeats, drains and stops on request.
 */
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloseCode, ErrorCode, TransportKind, type TransportOffer } from '@playgap/protocol';
import {
  DEFAULTS,
  type GameServerOptions,
  type ResolvedPort,
  resolvePort,
  sidecarUrlFrom,
} from './config.js';
import { ConnectionRefusedError } from './errors.js';
import { Player, type PlayerLink, type SendOptions } from './player.js';
import {
  SidecarClient,
  type SidecarEvent,
  type SidecarInfo,
  type VerifiedToken,
} from './sidecar-client.js';
import type { TransportContext } from './transports/context.js';
import { attachGeckosTransport } from './transports/geckos.js';
import { attachWebSocketTransport } from './transports/websocket.js';
import { startWebTransport } from './transports/webtransport.js';

interface GameServerEvents {
  connect: [player: Player];
  disconnect: [player: Player, reason: string];
  /** The sidecar asked to drain: no new players; stop when the game wants (or when empty). */
  drain: [];
  /** The server is closing (sidecar shutdown, signal or close()). */
  close: [];
}

/** Addresses the transports listen on (internal ports). */
export interface ListeningPorts {
  game?: number;
  rtc?: number;
  wt?: number;
}

/**
 * A running game server. Get one from {@link createGameServer}.
 *
 * @example
 * server.on('connect', (p) => server.broadcast({ t: 'joined', name: p.info.name }));
 * server.on('disconnect', (p) => server.broadcast({ t: 'left', id: p.clientId }));
 */
export class GameServer extends EventEmitter<GameServerEvents> {
  readonly info: SidecarInfo;
  readonly sidecar: SidecarClient;
  readonly players = new Map<string, Player>();
  readonly offers: TransportOffer[] = [];
  readonly ports: ListeningPorts = {};
  #draining = false;
  #closing: Promise<void> | undefined;
  readonly #cleanups: (() => Promise<void> | void)[] = [];
  readonly #pendingReports = new Set<Promise<void>>();
  readonly #log: (m: string) => void;
  readonly #options: GameServerOptions;
  /** @internal */
  closeAllLinks: ((code: CloseCode, reason: { code: string; message: string }) => void)[] = [];

  /** @internal use createGameServer */
  constructor(
    info: SidecarInfo,
    sidecar: SidecarClient,
    options: GameServerOptions,
    log: (m: string) => void,
  ) {
    super();
    this.info = info;
    this.sidecar = sidecar;
    this.#options = options;
    this.#log = log;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** Send one message to every connected player. */
  broadcast(message: unknown, options?: SendOptions): void {
    if (this.players.size === 0) return;
    const json = JSON.stringify(message);
    const reliable = options?.reliable ?? true;
    for (const p of this.players.values()) p.sendJson(json, reliable);
  }

  /** Mark ready with the running transports (done by createGameServer unless autoReady false). */
  async ready(): Promise<void> {
    await this.sidecar.ready(this.offers, this.#options.capacity);
  }

  /** Take no new players from now on (connections are refused with SERVER_DRAINING). */
  drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    this.emit('drain');
  }

  /**
   * Close every player (close code SERVER_STOPPING), report them gone, stop the transports.
   * Safe to call more than once.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#draining = true;
    this.emit('close');
    const reason = { code: ErrorCode.SERVER_DRAINING, message: 'The server is stopping.' };
    for (const p of [...this.players.values()]) p.disconnect(CloseCode.SERVER_STOPPING, reason);
    for (const closeAll of this.closeAllLinks) closeAll(CloseCode.SERVER_STOPPING, reason);
    await withTimeout(
      (async () => {
        // a player whose close event has not come yet is reported here
        while (this.players.size > 0 || this.#pendingReports.size > 0) {
          for (const p of [...this.players.values()]) p.closed('server closing');
          await Promise.all([...this.#pendingReports]);
        }
      })(),
      this.#options.closeTimeoutMs ?? DEFAULTS.closeTimeoutMs,
    );
    for (const cleanup of this.#cleanups.reverse()) {
      try {
        await cleanup();
      } catch (err) {
        this.#log(`close: ${String(err)}`);
      }
    }
  }

  /** @internal */
  addCleanup(fn: () => Promise<void> | void): void {
    this.#cleanups.push(fn);
  }

  /** @internal the context every transport gets */
  context(): TransportContext {
    return {
      serverId: this.info.serverId,
      log: this.#log,
      admit: async (token: string): Promise<VerifiedToken> => {
        if (this.#draining)
          throw new ConnectionRefusedError(
            ErrorCode.SERVER_DRAINING,
            'The server takes no new players.',
          );
        return this.sidecar.verifyToken(token);
      },
      join: (admitted: VerifiedToken, link: PlayerLink): Player => {
        const player = new Player(admitted.clientId, admitted.player ?? {}, admitted.seat, link);
        this.players.set(player.clientId, player);
        player.once('close', (reason) => {
          if (this.players.get(player.clientId) === player) this.players.delete(player.clientId);
          this.#report(player.clientId);
          this.emit('disconnect', player, reason);
        });
        this.emit('connect', player);
        return player;
      },
      release: (clientId: string) => this.#report(clientId),
    };
  }

  #report(clientId: string): void {
    const p = this.sidecar.disconnect(clientId).catch((err: unknown) => {
      this.#log(`could not report disconnect of ${clientId}: ${String(err)}`);
    });
    this.#pendingReports.add(p);
    void p.finally(() => this.#pendingReports.delete(p));
  }
}

/**
 * Start a game server under the sidecar: wait for it, run the transports on the ports it
 * names, mark ready, heartbeat, follow its events.
 *
 * @example
 * import { createGameServer } from '@playgap/server';
 * const server = await createGameServer({ capacity: 16 });
 * server.on('connect', (player) => {
 *   player.on('message', (msg) => player.send({ echo: msg }));
 * });
 */
export async function createGameServer(options: GameServerOptions = {}): Promise<GameServer> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((m: string) => console.log(`[playgap-server] ${m}`));
  const sidecar = new SidecarClient({ url: sidecarUrlFrom(options, env) });
  const info = await sidecar.waitUntilUp({
    timeoutMs: options.sidecarWaitTimeoutMs ?? DEFAULTS.sidecarWaitTimeoutMs,
  });
  const server = new GameServer(info, sidecar, options, log);
  try {
    await startTransports(server, options, env, log);
    startBackground(server, options, log);
    if (options.autoReady ?? true) await server.ready();
  } catch (err) {
    await server.close();
    throw err;
  }
  if (options.handleSignals ?? true) {
    installSignalHandlers(server, log, (options.closeTimeoutMs ?? DEFAULTS.closeTimeoutMs) + 2_000);
  }
  return server;
}

async function startTransports(
  server: GameServer,
  options: GameServerOptions,
  env: NodeJS.ProcessEnv,
  log: (m: string) => void,
): Promise<void> {
  const names = { game: 'game', rtc: 'rtc', wt: 'wt', ...options.portNames };
  const enabled = { websocket: true, webrtc: true, webtransport: true, ...options.transports };
  const paths = { websocket: '/ws', webtransport: '/wt', ...options.paths };
  const host = options.host ?? '0.0.0.0';
  const context = server.context();
  const game = resolvePort(names.game, server.info, env);
  const rtc = resolvePort(names.rtc, server.info, env);
  const wt = resolvePort(names.wt, server.info, env);

  // WebTransport first: the client prefers it, and the offers keep that order.
  if (enabled.webtransport && wt) {
    const certFile = env['PLAYGAP_CERT_FILE'] ?? server.info.certFile;
    const keyFile = env['PLAYGAP_KEY_FILE'] ?? server.info.keyFile;
    if (certFile && keyFile) {
      const [certPem, keyPem] = await Promise.all([
        readFile(certFile, 'utf8'),
        readFile(keyFile, 'utf8'),
      ]);
      const transport = await startWebTransport(context, {
        port: wt.internal,
        host,
        path: paths.webtransport,
        certPem,
        keyPem,
      });
      server.ports.wt = transport.port;
      server.offers.push({
        kind: TransportKind.WEBTRANSPORT,
        port: names.wt,
        path: paths.webtransport,
      });
      server.addCleanup(() => transport.close());
      certificateReloaders.set(server, async (next) => {
        // The event names the renewed files; older sidecars renew in place.
        const cert = typeof next.certFile === 'string' ? next.certFile : certFile;
        const key = typeof next.keyFile === 'string' ? next.keyFile : keyFile;
        const [c, k] = await Promise.all([readFile(cert, 'utf8'), readFile(key, 'utf8')]);
        transport.updateCert(c, k);
        log('webtransport: certificate renewed');
      });
    } else {
      log('webtransport: no certificate from the sidecar; not started');
    }
  }

  if (!game) {
    if (server.offers.length === 0)
      log(`no "${names.game}" port: no WebSocket or WebRTC transport`);
    return;
  }
  const http = createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    res
      .writeHead(404, { 'content-type': 'application/json' })
      .end(JSON.stringify({ code: 'NOT_FOUND', message: 'Not found.' }));
  });
  const geckos =
    enabled.webrtc && rtc ? mapGeckos(http, server, context, options, env, rtc) : undefined;
  const ws = enabled.websocket
    ? attachWebSocketTransport(http, context, {
        path: paths.websocket,
        ...(options.authTimeoutMs ? { authTimeoutMs: options.authTimeoutMs } : {}),
      })
    : undefined;
  await listen(http, game.internal, host);
  server.ports.game = (http.address() as AddressInfo).port;
  if (geckos) {
    server.ports.rtc = rtc?.internal;
    server.offers.push({ kind: TransportKind.WEBRTC, port: names.game, dataPort: names.rtc });
    server.addCleanup(() => geckos.close());
  }
  if (ws) {
    server.offers.push({ kind: TransportKind.WEBSOCKET, port: names.game, path: paths.websocket });
    server.closeAllLinks.push(ws.closeAll);
    server.addCleanup(() => ws.close());
  }
  server.addCleanup(
    () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  );
}

function mapGeckos(
  http: Server,
  server: GameServer,
  context: TransportContext,
  options: GameServerOptions,
  env: NodeJS.ProcessEnv,
  rtc: ResolvedPort,
) {
  const publicIp = env['ARBITRIUM_PUBLIC_IP'] ?? server.info.publicIp;
  return attachGeckosTransport(http, context, {
    dataPort: rtc.internal,
    ...(publicIp
      ? { iceMapping: { publicIp, internalPort: rtc.internal, externalPort: rtc.external } }
      : {}),
    ...(options.corsOrigin ? { corsOrigin: options.corsOrigin } : {}),
    halfOpenTimeoutMs: options.halfOpenTimeoutMs ?? DEFAULTS.halfOpenTimeoutMs,
    reapIntervalMs: options.reapIntervalMs ?? DEFAULTS.reapIntervalMs,
    ...(options.now ? { now: options.now } : {}),
  });
}

const certificateReloaders = new WeakMap<
  GameServer,
  (next: { certFile?: unknown; keyFile?: unknown }) => Promise<void>
>();

/** Heartbeats and the sidecar's event stream, both stopped by close(). */
function startBackground(
  server: GameServer,
  options: GameServerOptions,
  log: (m: string) => void,
): void {
  const heartbeat = setInterval(() => {
    server.sidecar.heartbeat().catch((err: unknown) => log(`heartbeat failed: ${String(err)}`));
  }, options.heartbeatIntervalMs ?? DEFAULTS.heartbeatIntervalMs);
  heartbeat.unref();
  const abort = new AbortController();
  server.addCleanup(() => {
    clearInterval(heartbeat);
    abort.abort();
  });
  const onEvent = (e: SidecarEvent) => {
    if (e.event === 'drain') server.drain();
    else if (e.event === 'shutdown') void server.close();
    else if (e.event === 'certificate') {
      certificateReloaders
        .get(server)?.((e.data ?? {}) as { certFile?: unknown; keyFile?: unknown })
        .catch((err: unknown) => log(`certificate reload failed: ${String(err)}`));
    }
  };
  void (async () => {
    let delayMs = 100;
    while (!abort.signal.aborted) {
      try {
        await server.sidecar.followEvents(onEvent, abort.signal);
        delayMs = 100;
      } catch {
        // sidecar restarting or stream unsupported: retry below
      }
      if (abort.signal.aborted) return;
      await new Promise((r) => setTimeout(r, delayMs).unref());
      delayMs = Math.min(delayMs * 2, 5_000);
    }
  })();
}

function installSignalHandlers(
  server: GameServer,
  log: (m: string) => void,
  hardDeadlineMs: number,
): void {
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: closing`);
    // A transport that hangs while closing must not keep the process past the supervisor's grace.
    setTimeout(() => process.exit(0), hardDeadlineMs).unref();
    void server.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  server.addCleanup(() => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  });
}

function listen(http: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
}

async function withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
