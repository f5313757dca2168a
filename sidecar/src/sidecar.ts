/**
 * The sidecar's core: one game server's lifecycle (starting → ready → draining/stopping/
 * unhealthy), its certificate, its record and seats in NATS KV, verify-and-consume, and the
 * timers that end it (ready timeout, missed heartbeats, idle). Transport-free: app.ts puts it on
 * HTTP, supervisor.ts wraps a child process around it.
 */
import { EventEmitter } from 'node:events';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  ErrorCode,
  KV_DEFAULTS,
  type ServerRecord,
  ServerState,
  subjects,
  TransportKind,
  type TransportOffer,
} from '@playgap/protocol';
import { createCertificateIsolated, type ServerCertificate } from './certificate.js';
import { type Clock, systemClock, type TimerHandle } from './clock.js';
import { serveControl } from './control.js';
import type { Deployment } from './deployment.js';
import { NatsUnavailableError, SeatRefusedError, SidecarError } from './errors.js';
import { openSidecarBuckets } from './kv-buckets.js';
import { ReplayGuard } from './replay-guard.js';
import { SeatBook } from './seat-book.js';
import {
  acceptedAddresses,
  assertAddressListed,
  type TokenVerifier,
  type VerifiedToken,
} from './token-check.js';

/** Longest delay between a player joining or leaving and the record showing it. */
export const PLAYERS_PUBLISH_MS = 50;

/** Why the sidecar is stopping. */
export type ShutdownReason =
  | 'requested'
  | 'drained'
  | 'idle'
  | 'ready-timeout'
  | 'unhealthy'
  | 'signal'
  | 'child-exited';

export interface SidecarOptions {
  app: string;
  version: string;
  deployment: Deployment;
  verifier: TokenVerifier;
  capacity: number;
  certDir: string;
  certValidityMs: number;
  certRenewBeforeMs: number;
  idleTimeoutMs: number;
  readyTimeoutMs: number;
  heartbeatTimeoutMs: number;
  serverHeartbeatMs?: number;
  seatHeartbeatMs?: number;
  clock?: Clock;
  /** Called when idle on Edgegap (self-stop through ARBITRIUM_DELETE_URL). */
  selfStop?: () => Promise<void>;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** The `/v1/info` body. */
export interface ServerInfo {
  serverId: string;
  app: string;
  version: string;
  publicIp: string;
  fqdn?: string;
  ports: ServerRecord['ports'];
  transports: TransportOffer[];
  certFile: string;
  keyFile: string;
  certDigest: string;
  certHashBase64: string;
  certNotAfter: number;
  location?: ServerRecord['location'];
  capacity: number;
  players: number;
  state: ServerState;
}

/** The verify-and-consume answer. */
export interface VerifyResult {
  clientId: string;
  player: VerifiedToken['player'];
  userData: string;
  seat: number;
  expiresAt: number;
}

interface NatsParts {
  nc: NatsConnection;
  servers: KV;
  seats: KV;
}

/**
 * Events: `certificate` (ServerCertificate), `drain`, `shutdown` (ShutdownReason), `state`.
 *
 * @example
 * const sidecar = new Sidecar(options); await sidecar.init(); sidecar.attachNats(nc);
 */
export class Sidecar extends EventEmitter {
  readonly clock: Clock;
  private state: ServerState = ServerState.STARTING;
  private capacity: number;
  private transports: TransportOffer[] = [];
  private cert: ServerCertificate | undefined;
  private nats: NatsParts | undefined;
  private natsUp = false;
  private seatBook: SeatBook | undefined;
  private readonly replay = new ReplayGuard();
  private readonly accepted: Set<string>;
  private readonly startedAt: number;
  private timers: Record<
    'ready' | 'idle' | 'heartbeat' | 'cert' | 'record' | 'seats' | 'players',
    TimerHandle | undefined
  > = {
    ready: undefined,
    idle: undefined,
    heartbeat: undefined,
    cert: undefined,
    record: undefined,
    seats: undefined,
    players: undefined,
  };
  private publishing: Promise<void> | undefined;
  private publishAgain = false;
  private shutdownReason: ShutdownReason | undefined;
  private closed: Promise<void> | undefined;
  private closing = false;
  private readonly log: NonNullable<SidecarOptions['log']>;

  constructor(readonly options: SidecarOptions) {
    super();
    this.clock = options.clock ?? systemClock;
    this.capacity = options.capacity;
    this.startedAt = this.clock.now();
    this.log = options.log ?? (() => {});
    this.accepted = acceptedAddresses(
      options.deployment.publicIp,
      Object.values(options.deployment.ports),
      options.deployment.local,
    );
  }

  /** Make the certificate and arm the ready timeout. */
  async init(): Promise<void> {
    await this.renewCertificate(false);
    this.timers.ready = this.clock.setTimeout(() => {
      if (this.state !== ServerState.STARTING) return;
      this.log('game server never called ready; stopping', {
        readyTimeoutMs: this.options.readyTimeoutMs,
      });
      this.shutdown('ready-timeout');
    }, this.options.readyTimeoutMs);
  }

  /** Hand over the NATS connection: open buckets, watch seats, publish the record. */
  async attachNats(nc: NatsConnection): Promise<void> {
    const { servers, seats } = await openSidecarBuckets(nc, this.options.app);
    this.nats = { nc, servers, seats };
    this.seatBook = new SeatBook(seats, this.options.deployment.serverId, () => this.capacity);
    await this.seatBook.start();
    this.natsUp = !nc.isClosed();
    await this.publishRecord();
    this.scheduleHeartbeats();
    void this.watchStatus(nc);
    serveControl(nc, subjects(this.options.app).serverControl(this.options.deployment.serverId), {
      drain: () => {
        this.drain();
        return { ok: true, state: this.state };
      },
      shutdown: () => {
        this.shutdown('requested');
        return { ok: true, state: this.state };
      },
      info: () => this.info(),
    });
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        this.natsUp = false;
        this.log('NATS disconnected; serving the local API, token checks paused');
      } else if (status.type === 'reconnect') {
        this.natsUp = true;
        this.log('NATS reconnected; republishing records');
        void this.republish();
      }
    }
  }

  private async republish(): Promise<void> {
    try {
      await this.seatBook?.start(this.nats?.seats);
      await this.seatBook?.refresh(this.clock.now());
      await this.publishRecord();
    } catch (error) {
      this.log('republish failed; retrying on the next heartbeat', { error: String(error) });
    }
  }

  private scheduleHeartbeats(): void {
    const serverMs = this.options.serverHeartbeatMs ?? KV_DEFAULTS.serverHeartbeatMs;
    const seatMs = this.options.seatHeartbeatMs ?? KV_DEFAULTS.seatHeartbeatMs;
    const recordBeat = () => {
      this.timers.record = this.clock.setTimeout(() => {
        void this.publishRecord().finally(recordBeat);
      }, serverMs);
    };
    const seatBeat = () => {
      this.timers.seats = this.clock.setTimeout(() => {
        const work =
          this.natsUp && this.seatBook
            ? this.seatBook.refresh(this.clock.now())
            : Promise.resolve();
        void work.catch(() => {}).finally(seatBeat);
      }, seatMs);
    };
    recordBeat();
    seatBeat();
  }

  /** The record this server keeps in the servers bucket. */
  record(): ServerRecord {
    const d = this.options.deployment;
    const now = this.clock.now();
    return {
      id: d.serverId,
      app: this.options.app,
      version: this.options.version,
      state: this.state,
      publicIp: d.publicIp,
      ...(d.fqdn ? { fqdn: d.fqdn } : {}),
      ports: d.ports,
      transports: this.transports,
      certDigest: this.cert?.certDigest ?? '',
      ...(d.location ? { location: d.location } : {}),
      capacity: this.capacity,
      players: this.seatBook?.players ?? 0,
      startedAt: this.startedAt,
      updatedAt: now,
    };
  }

  /** Write the record now; concurrent calls coalesce into one extra write. */
  publishRecord(): Promise<void> {
    if (this.publishing) {
      this.publishAgain = true;
      return this.publishing;
    }
    this.publishing = (async () => {
      do {
        this.publishAgain = false;
        if (!this.nats || !this.natsUp || this.closing) return;
        try {
          await this.nats.servers.put(
            this.options.deployment.serverId,
            JSON.stringify(this.record()),
          );
        } catch (error) {
          this.log('server record write failed', { error: String(error) });
          return;
        }
      } while (this.publishAgain);
    })().finally(() => {
      this.publishing = undefined;
    });
    return this.publishing;
  }

  /**
   * Player-count changes are written at most every PLAYERS_PUBLISH_MS: under a burst of joins
   * the record is rewritten a few times, not once per player (seats are the exact truth).
   */
  private publishPlayersSoon(): void {
    if (this.timers.players) return;
    this.timers.players = this.clock.setTimeout(() => {
      this.timers.players = undefined;
      void this.publishRecord();
    }, PLAYERS_PUBLISH_MS);
  }

  private publishEvent(type: string, fields: Record<string, unknown> = {}): void {
    if (!this.nats || this.nats.nc.isClosed()) return;
    const serverId = this.options.deployment.serverId;
    const subject = subjects(this.options.app).serverEvents(serverId);
    this.nats.nc.publish(
      subject,
      JSON.stringify({ type, at: this.clock.now(), serverId, ...fields }),
    );
  }

  private setState(state: ServerState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', state);
    void this.publishRecord();
  }

  info(): ServerInfo {
    const d = this.options.deployment;
    const cert = this.currentCertificate();
    return {
      serverId: d.serverId,
      app: this.options.app,
      version: this.options.version,
      publicIp: d.publicIp,
      ...(d.fqdn ? { fqdn: d.fqdn } : {}),
      ports: d.ports,
      transports: this.transports,
      certFile: cert.certFile,
      keyFile: cert.keyFile,
      certDigest: cert.certDigest,
      certHashBase64: cert.certHashBase64,
      certNotAfter: cert.notAfter,
      ...(d.location ? { location: d.location } : {}),
      capacity: this.capacity,
      players: this.seatBook?.players ?? 0,
      state: this.state,
    };
  }

  health(): {
    status: 'ok' | 'degraded';
    nats: 'connected' | 'disconnected';
    state: ServerState;
    players: number;
    uptimeMs: number;
    memory: { rssMb: number; heapUsedMb: number };
  } {
    const healthy = this.natsUp && this.state !== ServerState.UNHEALTHY;
    return {
      status: healthy ? 'ok' : 'degraded',
      nats: this.natsUp ? 'connected' : 'disconnected',
      state: this.state,
      players: this.seatBook?.players ?? 0,
      uptimeMs: this.clock.now() - this.startedAt,
      memory: {
        rssMb: mb(process.memoryUsage.rss()),
        heapUsedMb: mb(process.memoryUsage().heapUsed),
      },
    };
  }

  currentCertificate(): ServerCertificate {
    if (!this.cert)
      throw new SidecarError(ErrorCode.INTERNAL, 'The certificate is not made yet.', 500);
    return this.cert;
  }

  /** The game server takes players: it lists its transports (port names must exist). */
  ready(body: { transports: TransportOffer[]; capacity?: number }): ServerInfo {
    if (this.state === ServerState.STOPPING || this.state === ServerState.DRAINING) {
      throw new SidecarError(
        ErrorCode.SERVER_DRAINING,
        `The server is ${this.state}; it cannot become ready again.`,
        409,
      );
    }
    const kinds = new Set<string>(Object.values(TransportKind));
    for (const t of body.transports) {
      if (!kinds.has(t.kind))
        throw new SidecarError(
          ErrorCode.BAD_REQUEST,
          `Unknown transport kind ${JSON.stringify(t.kind)}.`,
          400,
        );
      for (const name of [t.port, t.dataPort]) {
        if (name !== undefined && !this.options.deployment.ports[name]) {
          throw new SidecarError(
            ErrorCode.BAD_REQUEST,
            `Transport ${t.kind} names port ${JSON.stringify(name)}, which this deployment does not have (ports: ${Object.keys(this.options.deployment.ports).join(', ') || 'none'}).`,
            400,
          );
        }
      }
    }
    this.transports = body.transports.map((t) => ({ ...t }));
    if (body.capacity !== undefined) this.capacity = body.capacity;
    this.timers.ready?.cancel();
    const wasReady = this.state === ServerState.READY;
    this.setState(ServerState.READY);
    void this.publishRecord();
    if (!wasReady) this.publishEvent('ready', { transports: this.transports });
    this.heartbeat();
    this.updateIdleTimer();
    return this.info();
  }

  setCapacity(capacity: number): ServerInfo {
    this.capacity = capacity;
    void this.publishRecord();
    return this.info();
  }

  /** The game server is alive; missing these for heartbeatTimeoutMs marks it unhealthy. */
  heartbeat(): void {
    this.timers.heartbeat?.cancel();
    const limit = this.options.heartbeatTimeoutMs;
    if (limit <= 0 || this.state === ServerState.STARTING || this.shutdownReason) return;
    this.timers.heartbeat = this.clock.setTimeout(() => {
      this.log('game server missed its heartbeats; marking unhealthy and stopping', {
        heartbeatTimeoutMs: limit,
      });
      this.setState(ServerState.UNHEALTHY);
      this.shutdown('unhealthy');
    }, limit);
  }

  /**
   * Verify a connect token and consume this client's reservation (see docs/sidecar-api.md for
   * every refusal code).
   */
  async verify(tokenBase64: string): Promise<VerifyResult> {
    if (this.state === ServerState.DRAINING || this.state === ServerState.STOPPING) {
      throw new SidecarError(
        ErrorCode.SERVER_DRAINING,
        'The server is draining and takes no new players.',
        503,
      );
    }
    if (this.state !== ServerState.READY) {
      throw new SidecarError(
        ErrorCode.SERVER_NOT_READY,
        `The server is ${this.state}, not ready; the game server must call /v1/ready first.`,
        503,
      );
    }
    if (!this.natsUp || !this.seatBook) throw new NatsUnavailableError();
    const now = this.clock.now();
    const token = this.options.verifier(tokenBase64, now);
    assertAddressListed(token.serverAddresses, this.accepted);
    const clientId = token.clientId.toString();
    const expiresAt = token.expireTimestamp * 1000;
    if (!this.replay.claim(token.nonceHex, expiresAt, now)) {
      throw new SeatRefusedError(
        ErrorCode.TOKEN_REPLAYED,
        'This connect token was already used; ask the matchmaker for a new one.',
      );
    }
    let seat: Awaited<ReturnType<SeatBook['consume']>>;
    try {
      seat = await this.seatBook.consume(clientId, now, token.player.playerId);
    } catch (error) {
      this.replay.release(token.nonceHex);
      throw error;
    }
    this.updateIdleTimer();
    this.publishPlayersSoon();
    this.publishEvent('player.connected', {
      clientId,
      seat: seat.seatIndex,
      ...(token.player.playerId ? { playerId: token.player.playerId } : {}),
    });
    return {
      clientId,
      player: token.player,
      userData: Buffer.from(token.userData).toString('base64'),
      seat: seat.seatIndex,
      expiresAt,
    };
  }

  /** A player left: free the seat; draining servers stop when the last one leaves. */
  async disconnect(clientId: string): Promise<void> {
    if (!this.seatBook?.isConnected(clientId)) {
      throw new SidecarError(
        ErrorCode.UNKNOWN_CLIENT,
        `Client ${clientId.slice(0, 40)} is not connected to this server.`,
        404,
      );
    }
    await this.seatBook.release(clientId, this.natsUp);
    this.publishPlayersSoon();
    this.publishEvent('player.disconnected', { clientId });
    if (this.state === ServerState.DRAINING && this.seatBook.players === 0)
      this.shutdown('drained');
    this.updateIdleTimer();
  }

  /** No new players; stop when the last one leaves (at once when empty). */
  drain(): void {
    if (this.shutdownReason || this.state === ServerState.DRAINING) return;
    this.setState(ServerState.DRAINING);
    this.publishEvent('draining');
    this.emit('drain');
    this.updateIdleTimer();
    if ((this.seatBook?.players ?? 0) === 0) this.shutdown('drained');
  }

  /** Start stopping (idempotent): state `stopping`, event, `shutdown` emitted for the owner. */
  shutdown(reason: ShutdownReason): void {
    if (this.shutdownReason) return;
    this.shutdownReason = reason;
    for (const timer of Object.values(this.timers)) timer?.cancel();
    if (this.state !== ServerState.UNHEALTHY) this.setState(ServerState.STOPPING);
    else void this.publishRecord();
    this.publishEvent('stopping', { reason });
    this.log('stopping', { reason });
    this.emit('shutdown', reason);
  }

  get stopReason(): ShutdownReason | undefined {
    return this.shutdownReason;
  }

  get currentState(): ServerState {
    return this.state;
  }

  private updateIdleTimer(): void {
    const idle =
      this.state === ServerState.READY &&
      (this.seatBook?.players ?? 0) === 0 &&
      this.options.idleTimeoutMs > 0;
    if (!idle) {
      this.timers.idle?.cancel();
      this.timers.idle = undefined;
      return;
    }
    if (this.timers.idle) return;
    this.timers.idle = this.clock.setTimeout(() => {
      this.timers.idle = undefined;
      void this.onIdle();
    }, this.options.idleTimeoutMs);
  }

  private async onIdle(): Promise<void> {
    this.log('idle with no players; stopping', { idleTimeoutMs: this.options.idleTimeoutMs });
    if (this.options.selfStop) {
      try {
        // Edgegap answers by stopping the container (SIGTERM), which ends us through main.
        await this.options.selfStop();
        this.publishEvent('self-stop');
        return;
      } catch (error) {
        this.log('self-stop failed; shutting down locally', { error: String(error) });
      }
    }
    this.shutdown('idle');
  }

  private async renewCertificate(announce: boolean): Promise<void> {
    const d = this.options.deployment;
    this.cert = await createCertificateIsolated({
      dir: this.options.certDir,
      publicIp: d.publicIp,
      fqdn: d.fqdn,
      validityMs: this.options.certValidityMs,
      now: this.clock.now(),
    });
    const renewBefore = Math.min(this.options.certRenewBeforeMs, this.options.certValidityMs / 2);
    this.timers.cert = this.clock.setTimeout(
      () => {
        void this.renewCertificate(true).catch((error) =>
          this.log('certificate renewal failed', { error: String(error) }),
        );
      },
      this.cert.notAfter - renewBefore - this.clock.now(),
    );
    if (announce) {
      void this.publishRecord();
      this.publishEvent('certificate.renewed', { certDigest: this.cert.certDigest });
      this.emit('certificate', this.cert);
    }
  }

  /** Remove this server's seats and record, stop timers (bounded: records expire anyway). */
  close(timeoutMs = 3_000): Promise<void> {
    if (this.closed) return this.closed;
    for (const timer of Object.values(this.timers)) timer?.cancel();
    this.closing = true;
    const work = (async () => {
      await this.publishing;
      this.seatBook?.stop();
      if (!this.nats || !this.natsUp) return;
      await this.seatBook?.releaseAll();
      await this.nats.servers.delete(this.options.deployment.serverId).catch(() => {});
    })();
    this.closed = Promise.race([
      work,
      new Promise<void>((r) => setTimeout(r, timeoutMs).unref()),
    ]).catch(() => {});
    return this.closed;
  }
}

function mb(bytes: number): number {
  return Math.round(bytes / 104_857.6) / 10;
}
