/**
 * The game server: waits for the sidecar, runs the transports on the deployment's ports with
 * token checks, reports players coming and going, heartbeats, drains and stops on request. A
 * player whose connection drops stays (away) for the sidecar's grace period: a reconnect
 * credential in place of a token gives the same Player its new connection.
 */
import { EventEmitter } from 'node:events';
import {
  CloseCode,
  ErrorCode,
  isReconnectCredential,
  parseReconnectCredential,
  type TransportOffer,
} from '@playgap/protocol';
import type { SidecarEventData, SidecarRequest } from '@playgap/protocol/sidecar-api';
import { Backfill } from './backfill.js';
import { DEFAULTS, type GameServerOptions, sidecarUrlFrom } from './config.js';
import { ConnectionRefusedError } from './errors.js';
import { installSignalHandlers, startBackground } from './lifecycle.js';
import { type LinkHandle, Player, type PlayerLink, type SendOptions } from './player.js';
import { SidecarClient, type SidecarInfo, type VerifiedToken } from './sidecar-client.js';
import { startTransports } from './start-transports.js';
import type { TransportContext } from './transports/context.js';

interface GameServerEvents {
  /** A new player joined. */
  connect: [player: Player];
  /**
   * A player's connection dropped; its seat is held for `graceMs` and it may come back (the
   * same Player object, `playerReconnected`). Keep its state meanwhile.
   */
  playerDisconnected: [player: Player, graceMs: number];
  /** A dropped player came back within its grace period, on any transport. */
  playerReconnected: [player: Player];
  /** The player is gone for good: it left, was kicked, or its grace period ended. */
  playerLeft: [player: Player, reason: string];
  /** Same as `playerLeft` (the name it always had). */
  disconnect: [player: Player, reason: string];
  /** The sidecar asked to drain: no new players; stop when the game wants (or when empty). */
  drain: [];
  /** The server is closing (sidecar shutdown, signal or close()). */
  close: [];
  /** A backfill request's progress or end (also on its handle). */
  backfill: [data: SidecarEventData['backfill']];
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
  #stopping = false;
  #closing: Promise<void> | undefined;
  /** Grace period of each player the sidecar gave a reconnect credential, by client id. */
  readonly #graceMs = new Map<string, number>();
  /** Players away (dropped, in grace): the timer that lets them go if no `left` event comes. */
  readonly #away = new Map<string, NodeJS.Timeout>();
  /** Drop reports on their way to the sidecar: a reconnect of that player waits for its own. */
  readonly #dropReports = new Map<string, Promise<void>>();
  readonly #cleanups: (() => Promise<void> | void)[] = [];
  readonly #pendingReports = new Set<Promise<void>>();
  readonly #log: (m: string) => void;
  readonly #options: GameServerOptions;
  /** Open backfill requests made through requestBackfill, by id. */
  readonly #backfills = new Map<string, Backfill>();
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

  /**
   * Ask the matchmakers for `count` more players for a running match: a `team` (`team-2`) or
   * any team with room, from the waiting tickets that fit the mode's rules with the players
   * still in the match. The newcomers connect with tokens like anyone. Refusals (a
   * SidecarRequestError with its code): UNKNOWN_MATCH, UNKNOWN_TEAM, BACKFILL_NO_ROOM,
   * SERVER_NOT_READY, SERVER_DRAINING, NATS_UNAVAILABLE, BAD_REQUEST.
   *
   * @example
   * const backfill = await server.requestBackfill({ team: 'team-2', count: 1, expiresInSeconds: 60 });
   * backfill.on('filled', (playerIds) => console.log('coming:', playerIds));
   * // later, if the round ends first: await backfill.withdraw();
   */
  async requestBackfill(request: SidecarRequest<'requestBackfill'>): Promise<Backfill> {
    const { backfillId, expiresAt } = await this.sidecar.requestBackfill(request);
    const backfill = new Backfill(backfillId, request.matchId, expiresAt, this.sidecar);
    this.#backfills.set(backfillId, backfill);
    void backfill.ended.then(() => this.#backfills.delete(backfillId));
    return backfill;
  }

  /** @internal a `backfill` event of the sidecar */
  backfillEvent(data: SidecarEventData['backfill']): void {
    this.#backfills.get(data.backfillId)?.update(data);
    this.emit('backfill', data);
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
    this.#stopping = true;
    this.emit('close');
    // Players away in their grace period cannot come back to a server that stops.
    for (const p of [...this.players.values()]) {
      if (!p.connected) this.#leave(p, 'server closing');
    }
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
        if (isReconnectCredential(token)) {
          // A returning player keeps its seat even on a draining server, not on a stopping one.
          if (this.#stopping)
            throw new ConnectionRefusedError(ErrorCode.SERVER_DRAINING, 'The server is stopping.');
          // A reconnect must reach the sidecar after the drop it follows, or the seat would be
          // put in grace while the player is back.
          const clientId = parseReconnectCredential(token)?.clientId;
          if (clientId !== undefined) await this.#dropReports.get(clientId);
          return this.sidecar.reconnect(token);
        }
        if (this.#draining)
          throw new ConnectionRefusedError(
            ErrorCode.SERVER_DRAINING,
            'The server takes no new players.',
          );
        return this.sidecar.verifyToken(token);
      },
      join: (admitted: VerifiedToken, link: PlayerLink): LinkHandle => {
        if (admitted.reconnect) this.#graceMs.set(admitted.clientId, admitted.reconnect.graceMs);
        else this.#graceMs.delete(admitted.clientId);
        const known = admitted.resumed ? this.players.get(admitted.clientId) : undefined;
        if (known) {
          clearTimeout(this.#away.get(known.clientId));
          this.#away.delete(known.clientId);
          const handle = known.attach(link);
          this.emit('playerReconnected', known);
          return handle;
        }
        const player = new Player(admitted.clientId, admitted.player ?? {}, admitted.seat, link);
        this.players.set(player.clientId, player);
        player.on('close', (reason, final) => this.#onClose(player, reason, final));
        this.emit('connect', player);
        return player.handle(link);
      },
      release: (clientId: string) => this.#report(clientId, true),
    };
  }

  /** A player's connection ended: hold it (away) for its grace period, or let it go. */
  #onClose(player: Player, reason: string, final: boolean): void {
    if (this.players.get(player.clientId) !== player) return;
    const graceMs = this.#graceMs.get(player.clientId);
    if (final || this.#stopping || graceMs === undefined || graceMs <= 0) {
      this.#leave(player, reason);
      this.#report(player.clientId, true);
      return;
    }
    this.#holdAway(player, graceMs);
    this.emit('playerDisconnected', player, graceMs);
    const report = this.sidecar.disconnect(player.clientId).then(
      (answer) => {
        // The sidecar holds no seat (it is stopping, or reconnects are off): gone now.
        if (!answer.graceMs && !player.connected) this.#leave(player, reason);
      },
      (err: unknown) => {
        this.#log(`could not report the drop of ${player.clientId}: ${String(err)}`);
      },
    );
    this.#dropReports.set(player.clientId, report);
    void report.finally(() => {
      if (this.#dropReports.get(player.clientId) === report) {
        this.#dropReports.delete(player.clientId);
      }
    });
    this.#track(report);
  }

  /** Let an away player go if neither a reconnect nor the sidecar's `left` event comes. */
  #holdAway(player: Player, graceMs: number): void {
    clearTimeout(this.#away.get(player.clientId));
    const slackMs = this.#options.graceSlackMs ?? DEFAULTS.graceSlackMs;
    const timer = setTimeout(() => {
      if (!player.connected) this.#leave(player, 'grace over');
    }, graceMs + slackMs);
    timer.unref();
    this.#away.set(player.clientId, timer);
  }

  /** @internal The sidecar freed a held seat (`left` event): that player is gone for good. */
  graceOver(clientId: string): void {
    const player = this.players.get(clientId);
    if (player && !player.connected) this.#leave(player, 'grace over');
  }

  #leave(player: Player, reason: string): void {
    if (this.players.get(player.clientId) !== player) return;
    this.players.delete(player.clientId);
    this.#graceMs.delete(player.clientId);
    clearTimeout(this.#away.get(player.clientId));
    this.#away.delete(player.clientId);
    this.emit('playerLeft', player, reason);
    this.emit('disconnect', player, reason);
  }

  #report(clientId: string, final: boolean): void {
    this.#track(
      this.sidecar
        .disconnect(clientId, final)
        .then(() => undefined)
        .catch((err: unknown) => {
          this.#log(`could not report disconnect of ${clientId}: ${String(err)}`);
        }),
    );
  }

  #track(p: Promise<void>): void {
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
