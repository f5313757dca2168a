/**
 * The sidecar's core: one game server's lifecycle (starting → ready → draining/stopping/
 * unhealthy) and the local API's operations on it. It coordinates the parts that do the work:
 * record-publisher.ts (record, seat heartbeats and events in NATS), lifecycle-timers.ts (ready
 * timeout, missed heartbeats, idle stop), certificate-renewal.ts (the WebTransport
 * certificate), player-admission.ts (verify-and-consume) and reconnect-desk.ts (reconnect
 * credentials, seats held for a dropped player's grace period). Transport-free: app.ts puts it on
 * HTTP, supervisor.ts wraps a child process around it.
 */
import { EventEmitter } from 'node:events';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  ErrorCode,
  type ServerRecord,
  ServerState,
  subjects,
  type TransportOffer,
} from '@playgap/protocol';
import type {
  SidecarDisconnectResult,
  SidecarEventData,
  SidecarHealth,
  SidecarReconnectResult,
  SidecarRequest,
  SidecarResponse,
  SidecarServerInfo,
  SidecarShutdownReason,
  SidecarVerifyResult,
} from '@playgap/protocol/sidecar-api';
import { BackfillDesk } from './backfill-desk.js';
import type { ServerCertificate } from './certificate.js';
import { CertificateRenewal } from './certificate-renewal.js';
import { type Clock, systemClock } from './clock.js';
import { serveControl } from './control.js';
import type { Deployment } from './deployment.js';
import { NatsUnavailableError, SeatRefusedError, SidecarError } from './errors.js';
import { openSidecarBuckets } from './kv-buckets.js';
import { LifecycleTimers } from './lifecycle-timers.js';
import { matchesOnServer } from './match-roster.js';
import { PlayerAdmission } from './player-admission.js';
import { ReconnectDesk } from './reconnect-desk.js';
import { RecordPublisher } from './record-publisher.js';
import { SeatBook } from './seat-book.js';
import type { TokenVerifier } from './token-check.js';
import { checkTransportOffers } from './transport-offers.js';

export { PLAYERS_PUBLISH_MS } from './record-publisher.js';

const IDLE_STOP_CALLED_OFF = 'idle, but a seat is reserved for a player on the way; staying up';

/** Why the sidecar is stopping (the contract's `shutdown` event reason). */
export type ShutdownReason = SidecarShutdownReason;

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
  /** A dropped player's seat is held this long for a reconnect; 0 (the default) frees it at once. */
  reconnectGraceMs?: number;
  serverHeartbeatMs?: number;
  seatHeartbeatMs?: number;
  /** Replicas of the buckets it creates when missing (PLAYGAP_KV_REPLICAS); default 1. */
  kvReplicas?: number;
  clock?: Clock;
  /** Called when idle on Edgegap (self-stop through ARBITRIUM_DELETE_URL). */
  selfStop?: () => Promise<void>;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** The `/v1/info` body: the contract's type (@playgap/protocol/sidecar-api). */
export type ServerInfo = SidecarServerInfo;

/** The verify-and-consume answer. */
export type VerifyResult = SidecarVerifyResult;

/** The steps of `attachNats`, in order. */
export type AttachStep =
  | 'opening buckets'
  | 'watching seats'
  | 'watching backfill requests'
  | 'publishing the server record';

/**
 * Events: `certificate` (ServerCertificate), `drain`, `shutdown` (ShutdownReason), `state`,
 * `left` (client id: a held seat was freed at the end of its grace period), `backfill` (a
 * backfill request's progress or end, SidecarEventData['backfill']).
 *
 * @example
 * const sidecar = new Sidecar(options); await sidecar.init(); sidecar.attachNats(nc);
 */
export class Sidecar extends EventEmitter {
  readonly clock: Clock;
  private state: ServerState = ServerState.STARTING;
  private capacity: number;
  private transports: TransportOffer[] = [];
  private seatBook: SeatBook | undefined;
  private readonly startedAt: number;
  private shutdownReason: ShutdownReason | undefined;
  /** drain() was called (an idle stop's own draining state does not count). */
  private drainRequested = false;
  private closed: Promise<void> | undefined;
  private readonly log: NonNullable<SidecarOptions['log']>;
  private readonly publisher: RecordPublisher;
  private readonly lifecycle: LifecycleTimers;
  private readonly certificate: CertificateRenewal;
  private readonly admission: PlayerAdmission;
  private readonly reconnects: ReconnectDesk;
  private readonly backfill: BackfillDesk;

  constructor(readonly options: SidecarOptions) {
    super();
    this.clock = options.clock ?? systemClock;
    this.capacity = options.capacity;
    this.startedAt = this.clock.now();
    this.log = options.log ?? (() => {});
    const { clock, log } = this;
    const d = options.deployment;
    this.admission = new PlayerAdmission(options.verifier, d);
    this.reconnects = new ReconnectDesk({
      serverId: d.serverId,
      clock,
      graceMs: options.reconnectGraceMs ?? 0,
    });
    this.backfill = new BackfillDesk({
      app: options.app,
      version: options.version,
      serverId: d.serverId,
      clock,
      seats: () => this.seatBook?.seatRecords() ?? [],
      capacity: () => this.capacity,
      onEvent: (data: SidecarEventData['backfill']) => {
        this.publisher.publishEvent(`backfill.${data.state}`, data);
        this.emit('backfill', data);
      },
      log,
    });
    this.publisher = new RecordPublisher({
      app: options.app,
      serverId: d.serverId,
      clock,
      serverHeartbeatMs: options.serverHeartbeatMs,
      seatHeartbeatMs: options.seatHeartbeatMs,
      record: () => this.record(),
      seatBook: () => this.seatBook,
      log,
    });
    this.lifecycle = new LifecycleTimers(
      {
        clock,
        readyTimeoutMs: options.readyTimeoutMs,
        heartbeatTimeoutMs: options.heartbeatTimeoutMs,
        idleTimeoutMs: options.idleTimeoutMs,
        selfStop: options.selfStop,
        log,
      },
      {
        state: () => this.state,
        players: () => this.seatBook?.players ?? 0,
        stopping: () => this.shutdownReason !== undefined,
        markUnhealthy: () => this.setState(ServerState.UNHEALTHY),
        shutdown: (reason) => this.shutdown(reason),
        prepareIdleStop: () => this.prepareIdleStop(),
        publishEvent: (type) => this.publisher.publishEvent(type),
      },
    );
    this.certificate = new CertificateRenewal({
      dir: options.certDir,
      publicIp: d.publicIp,
      fqdn: d.fqdn,
      validityMs: options.certValidityMs,
      renewBeforeMs: options.certRenewBeforeMs,
      clock,
      onRenewed: (cert) => {
        void this.publisher.publishRecord();
        this.publisher.publishEvent('certificate.renewed', { certDigest: cert.certDigest });
        this.emit('certificate', cert);
      },
      log,
    });
  }

  /** Make the certificate and arm the ready timeout. */
  async init(): Promise<void> {
    await this.certificate.start();
    this.lifecycle.armReadyTimeout();
  }

  /** The matches a queued mode placed here (GET /v1/match). */
  matches(): SidecarResponse<'match'> {
    return matchesOnServer(this.seatBook?.seatRecords() ?? [], this.clock.now());
  }

  /**
   * Ask the matchmakers for players for a running match (POST /v1/backfill). Refusals:
   * SERVER_NOT_READY, SERVER_DRAINING, NATS_UNAVAILABLE, UNKNOWN_MATCH, UNKNOWN_TEAM,
   * BACKFILL_NO_ROOM.
   */
  requestBackfill(
    body: SidecarRequest<'requestBackfill'>,
  ): Promise<SidecarResponse<'requestBackfill'>> {
    if (this.state === ServerState.DRAINING || this.state === ServerState.STOPPING) {
      throw new SidecarError(
        ErrorCode.SERVER_DRAINING,
        'The server is draining; it takes no new players.',
        503,
      );
    }
    if (this.state !== ServerState.READY) {
      throw new SidecarError(
        ErrorCode.SERVER_NOT_READY,
        `The server is ${this.state}, not ready; call /v1/ready first.`,
        503,
      );
    }
    if (!this.publisher.natsUp) throw new NatsUnavailableError();
    return this.backfill.request(body);
  }

  /** The open backfill requests (GET /v1/backfill). */
  backfills(): SidecarResponse<'backfills'> {
    return this.backfill.list();
  }

  /** Withdraw a backfill request (DELETE /v1/backfill/:backfillId). */
  withdrawBackfill(backfillId: string): Promise<SidecarResponse<'withdrawBackfill'>> {
    return this.backfill.withdraw(backfillId);
  }

  /**
   * Hand over the NATS connection: open buckets, watch seats, publish the record. `onStep`
   * hears each step as it starts, so a caller can say where a slow setup waits.
   */
  async attachNats(nc: NatsConnection, onStep?: (step: AttachStep) => void): Promise<void> {
    onStep?.('opening buckets');
    const { servers, seats, backfills } = await openSidecarBuckets(nc, this.options.app, {
      ...(this.options.kvReplicas ? { replicas: this.options.kvReplicas } : {}),
      onReplicaMismatch: (bucket, replicas, configured) =>
        this.options.log?.('KV bucket replicas differ from PLAYGAP_KV_REPLICAS', {
          bucket,
          replicas,
          configured,
        }),
    });
    // Events go out from here on; the record waits until the seat cache is filled.
    this.publisher.attach({ nc, servers, seats });
    this.seatBook = new SeatBook(seats, this.options.deployment.serverId, () => this.capacity);
    onStep?.('watching seats');
    await this.seatBook.start();
    onStep?.('watching backfill requests');
    await this.backfill.start(backfills);
    // A KV watch does not outlive a reconnect: follow the backfill records again (as the seats).
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'reconnect') await this.backfill.start(backfills).catch(() => {});
      }
    })().catch(() => {});
    onStep?.('publishing the server record');
    await this.publisher.start();
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
      certDigest: this.certificate.current?.certDigest ?? '',
      ...(d.location ? { location: d.location } : {}),
      capacity: this.capacity,
      players: this.seatBook?.players ?? 0,
      startedAt: this.startedAt,
      updatedAt: now,
    };
  }

  /** Write the record now; concurrent calls coalesce into one extra write. */
  publishRecord(): Promise<void> {
    return this.publisher.publishRecord();
  }

  private setState(state: ServerState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', state);
    void this.publisher.publishRecord();
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

  health(): SidecarHealth {
    const natsUp = this.publisher.natsUp;
    const healthy = natsUp && this.state !== ServerState.UNHEALTHY;
    return {
      status: healthy ? 'ok' : 'degraded',
      nats: natsUp ? 'connected' : 'disconnected',
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
    const cert = this.certificate.current;
    if (!cert) throw new SidecarError(ErrorCode.INTERNAL, 'The certificate is not made yet.', 500);
    return cert;
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
    checkTransportOffers(body.transports, this.options.deployment.ports);
    this.transports = body.transports.map((t) => ({ ...t }));
    if (body.capacity !== undefined) this.capacity = body.capacity;
    this.lifecycle.cancelReadyTimeout();
    if (this.state === ServerState.READY) {
      void this.publisher.publishRecord(); // new transports or capacity, same state
    } else {
      this.setState(ServerState.READY); // writes the record
      this.publisher.publishEvent('ready', { transports: this.transports });
    }
    this.lifecycle.heartbeat();
    this.lifecycle.updateIdle();
    return this.info();
  }

  setCapacity(capacity: number): ServerInfo {
    this.capacity = capacity;
    void this.publisher.publishRecord();
    return this.info();
  }

  /** The game server is alive; missing these for heartbeatTimeoutMs marks it unhealthy. */
  heartbeat(): void {
    this.lifecycle.heartbeat();
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
    if (!this.publisher.natsUp || !this.seatBook) throw new NatsUnavailableError();
    const { token, clientId, expiresAt, seat } = await this.admission.admit(
      tokenBase64,
      this.clock.now(),
      this.seatBook,
    );
    this.lifecycle.updateIdle();
    this.publisher.publishPlayersSoon();
    this.publisher.publishEvent('player.connected', {
      clientId,
      seat: seat.seatIndex,
      ...(token.player.playerId ? { playerId: token.player.playerId } : {}),
    });
    const userData = Buffer.from(token.userData).toString('base64');
    const result: VerifyResult = {
      clientId,
      player: token.player,
      userData,
      seat: seat.seatIndex,
      expiresAt,
    };
    if (this.reconnects.enabled) {
      result.reconnect = this.reconnects.issue(clientId, { player: token.player, userData });
    }
    return result;
  }

  /**
   * A dropped player comes back with its reconnect credential: the same seat, client id and
   * player, and the next credential (the one used is spent). Refusals: RECONNECT_REFUSED,
   * RECONNECT_EXPIRED, SERVER_DRAINING while stopping.
   */
  async reconnect(credential: string): Promise<SidecarReconnectResult> {
    if (this.state === ServerState.STOPPING || this.shutdownReason) {
      throw new SidecarError(
        ErrorCode.SERVER_DRAINING,
        'The server is stopping; find another through the matchmaker.',
        503,
      );
    }
    const { clientId, player, userData } = this.reconnects.redeem(credential);
    const seat = this.seatBook?.seatOf(clientId);
    if (!this.seatBook || !seat) {
      this.reconnects.forget(clientId);
      throw new SeatRefusedError(
        ErrorCode.RECONNECT_EXPIRED,
        `No seat is held for client ${clientId} any more; find a server through the matchmaker.`,
      );
    }
    const wasAway = this.reconnects.inGrace(clientId);
    this.reconnects.endGrace(clientId);
    await this.seatBook.resume(clientId, this.clock.now());
    const grant = this.reconnects.issue(clientId);
    this.lifecycle.updateIdle();
    this.publisher.publishEvent('player.reconnected', {
      clientId,
      seat: seat.seatIndex,
      away: wasAway,
    });
    return { clientId, player, userData, seat: seat.seatIndex, reconnect: grant };
  }

  /**
   * A player's connection ended. Unless `final` (it left for good) or reconnects are off, the
   * seat is held for the grace period (state grace) and freed when it ends (`left` event);
   * otherwise it is freed now. Draining servers stop when the last seat is free.
   */
  async disconnect(clientId: string, final = false): Promise<SidecarDisconnectResult> {
    if (!this.seatBook?.isConnected(clientId)) {
      throw new SidecarError(
        ErrorCode.UNKNOWN_CLIENT,
        `Client ${clientId.slice(0, 40)} is not connected to this server.`,
        404,
      );
    }
    if (!final && this.reconnects.enabled && !this.shutdownReason) {
      const now = this.clock.now();
      const until = this.reconnects.startGrace(clientId, () => void this.graceOver(clientId));
      await this.seatBook.hold(clientId, now, until);
      this.publisher.publishEvent('player.away', { clientId, graceUntil: until });
      return { ok: true, graceMs: Math.max(0, until - now) };
    }
    this.reconnects.forget(clientId);
    await this.seatBook.release(clientId, this.publisher.natsUp);
    this.seatFreed(clientId);
    return { ok: true };
  }

  /** The grace of a dropped player ended without a reconnect: free its seat. */
  private async graceOver(clientId: string): Promise<void> {
    if (!this.seatBook) return;
    await this.seatBook.releaseHeld(clientId, this.publisher.natsUp);
    this.log('reconnect grace over; seat freed', { clientId });
    this.emit('left', clientId);
    this.seatFreed(clientId);
  }

  private seatFreed(clientId: string): void {
    this.publisher.publishPlayersSoon();
    this.publisher.publishEvent('player.disconnected', { clientId });
    if (this.state === ServerState.DRAINING && this.seatBook?.players === 0)
      this.shutdown('drained');
    this.lifecycle.updateIdle();
  }

  /** No new players; stop when the last one leaves (at once when empty). */
  drain(): void {
    if (this.shutdownReason || this.drainRequested) return;
    this.drainRequested = true;
    // Already draining for an idle stop: that stop now goes through whatever it finds.
    if (this.state === ServerState.DRAINING) return;
    this.setState(ServerState.DRAINING);
    this.publisher.publishEvent('draining');
    this.emit('drain');
    this.lifecycle.updateIdle();
    if ((this.seatBook?.players ?? 0) === 0) this.shutdown('drained');
  }

  /**
   * Idle stop, first step. A live reservation means a player is on the way: stay up. Otherwise
   * write the draining record and wait for the write, so no matchmaker places here any more,
   * then read the seats from the bucket once more: a reservation made before the matchmaker
   * saw that record keeps the server up (back to ready). One made later still, from a cache
   * that lags, is refused with SERVER_DRAINING, and the client SDK asks the matchmaker again.
   */
  private async prepareIdleStop(): Promise<boolean> {
    const seatBook = this.seatBook;
    const now = () => this.clock.now();
    if (this.shutdownReason || this.state !== ServerState.READY) return false;
    if (seatBook && seatBook.players > 0) return false;
    if (seatBook?.hasReservation(now())) {
      this.log(IDLE_STOP_CALLED_OFF);
      return false;
    }
    this.state = ServerState.DRAINING;
    this.emit('state', this.state);
    await this.publisher.publishRecord();
    if (this.shutdownReason) return false;
    if (!this.drainRequested && seatBook && (await seatBook.hasStoredReservation(now()))) {
      this.log(IDLE_STOP_CALLED_OFF);
      this.setState(ServerState.READY);
      return false;
    }
    return !this.shutdownReason;
  }

  /** Start stopping (idempotent): state `stopping`, event, `shutdown` emitted for the owner. */
  shutdown(reason: ShutdownReason): void {
    if (this.shutdownReason) return;
    this.shutdownReason = reason;
    this.cancelTimers();
    if (this.state !== ServerState.UNHEALTHY) this.setState(ServerState.STOPPING);
    else void this.publisher.publishRecord();
    this.publisher.publishEvent('stopping', { reason });
    this.log('stopping', { reason });
    this.emit('shutdown', reason);
  }

  get stopReason(): ShutdownReason | undefined {
    return this.shutdownReason;
  }

  get currentState(): ServerState {
    return this.state;
  }

  /** Remove this server's seats and record, stop timers (bounded: records expire anyway). */
  close(timeoutMs = 3_000): Promise<void> {
    if (this.closed) return this.closed;
    this.cancelTimers();
    this.closed = Promise.race([
      Promise.all([this.backfill.close(), this.publisher.withdraw()]).then(() => {}),
      new Promise<void>((r) => setTimeout(r, timeoutMs).unref()),
    ]).catch(() => {});
    return this.closed;
  }

  private cancelTimers(): void {
    this.lifecycle.cancel();
    this.reconnects.cancel();
    this.certificate.cancel();
    this.publisher.cancelTimers();
  }
}

function mb(bytes: number): number {
  return Math.round(bytes / 104_857.6) / 10;
}
