/**
 * The game server: waits for the sidecar, runs the transports on the deployment's ports with
 * token checks, reports players coming and going, heartbeats, drains and stops on request.
 */
import { EventEmitter } from 'node:events';
import { CloseCode, ErrorCode, type TransportOffer } from '@playgap/protocol';
import { DEFAULTS, type GameServerOptions, sidecarUrlFrom } from './config.js';
import { ConnectionRefusedError } from './errors.js';
import { installSignalHandlers, startBackground } from './lifecycle.js';
import { Player, type PlayerLink, type SendOptions } from './player.js';
import { SidecarClient, type SidecarInfo, type VerifiedToken } from './sidecar-client.js';
import { startTransports } from './start-transports.js';
import type { TransportContext } from './transports/context.js';

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
    const { reloadCertificate } = await startTransports(server, options, env, log);
    startBackground(server, options, log, reloadCertificate);
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

async function withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
