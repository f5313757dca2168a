/**
 * This server's presence in NATS: its record in the `servers` bucket (written on every change,
 * concurrent writes coalesced), the heartbeats that rewrite the record and the connected seats
 * before the buckets' max age drops them, lifecycle events on the server's events subject, and
 * the republish after a reconnect. The Sidecar owns the record's content and the seat book; this
 * module only decides when they reach NATS.
 */
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { KV_DEFAULTS, type ServerRecord, subjects } from '@playgap/protocol';
import type { Clock, TimerHandle } from './clock.js';
import type { SeatBook } from './seat-book.js';

/** Longest delay between a player joining or leaving and the record showing it. */
export const PLAYERS_PUBLISH_MS = 50;

/** The connection and the two buckets the sidecar writes. */
export interface NatsParts {
  nc: NatsConnection;
  servers: KV;
  seats: KV;
}

/** What the publisher writes and how often. */
export interface RecordPublisherOptions {
  app: string;
  serverId: string;
  clock: Clock;
  serverHeartbeatMs?: number;
  seatHeartbeatMs?: number;
  /** The record as of now (read on every write). */
  record: () => ServerRecord;
  /** The seat book, once NATS is attached. */
  seatBook: () => SeatBook | undefined;
  log: (message: string, fields?: Record<string, unknown>) => void;
}

/**
 * Writes one server's record, seat heartbeats and events to NATS.
 *
 * @example
 * const publisher = new RecordPublisher({ app, serverId, clock, record, seatBook, log });
 * publisher.attach({ nc, servers, seats }); await publisher.start();
 * publisher.publishEvent('draining');
 */
export class RecordPublisher {
  private nats: NatsParts | undefined;
  private up = false;
  private closing = false;
  /** Set by cancelTimers: heartbeats do not re-arm after it. */
  private stopped = false;
  private publishing: Promise<void> | undefined;
  private publishAgain = false;
  private timers: Record<'record' | 'seats' | 'players', TimerHandle | undefined> = {
    record: undefined,
    seats: undefined,
    players: undefined,
  };

  constructor(private readonly options: RecordPublisherOptions) {}

  /** True while NATS is connected (false before `start` and during outages). */
  get natsUp(): boolean {
    return this.up;
  }

  /** Take the connection and its buckets; events go out from now on. */
  attach(parts: NatsParts): void {
    this.nats = parts;
  }

  /** Write the record, then keep it and the seats fresh and follow the connection's status. */
  async start(): Promise<void> {
    const nc = this.nats!.nc;
    this.up = !nc.isClosed();
    await this.publishRecord();
    this.scheduleHeartbeats();
    void this.watchStatus(nc);
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        this.up = false;
        this.options.log('NATS disconnected; serving the local API, token checks paused');
      } else if (status.type === 'reconnect') {
        this.up = true;
        this.options.log('NATS reconnected; republishing records');
        void this.republish();
      }
    }
  }

  private async republish(): Promise<void> {
    try {
      await this.options.seatBook()?.start(this.nats?.seats);
      await this.options.seatBook()?.refresh(this.options.clock.now());
      await this.publishRecord();
    } catch (error) {
      this.options.log('republish failed; retrying on the next heartbeat', {
        error: String(error),
      });
    }
  }

  private scheduleHeartbeats(): void {
    const { clock } = this.options;
    const serverMs = this.options.serverHeartbeatMs ?? KV_DEFAULTS.serverHeartbeatMs;
    const seatMs = this.options.seatHeartbeatMs ?? KV_DEFAULTS.seatHeartbeatMs;
    // A beat re-arms when its write settles, unless the timers were cancelled meanwhile.
    const recordBeat = () => {
      if (this.stopped) return;
      this.timers.record = clock.setTimeout(() => {
        void this.publishRecord().finally(recordBeat);
      }, serverMs);
    };
    const seatBeat = () => {
      if (this.stopped) return;
      this.timers.seats = clock.setTimeout(() => {
        const seatBook = this.options.seatBook();
        const work = this.up && seatBook ? seatBook.refresh(clock.now()) : Promise.resolve();
        void work.catch(() => {}).finally(seatBeat);
      }, seatMs);
    };
    recordBeat();
    seatBeat();
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
        if (!this.nats || !this.up || this.closing) return;
        try {
          await this.nats.servers.put(this.options.serverId, JSON.stringify(this.options.record()));
        } catch (error) {
          this.options.log('server record write failed', { error: String(error) });
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
  publishPlayersSoon(): void {
    if (this.timers.players) return;
    this.timers.players = this.options.clock.setTimeout(() => {
      this.timers.players = undefined;
      void this.publishRecord();
    }, PLAYERS_PUBLISH_MS);
  }

  /** Publish a lifecycle event (dropped when NATS is not attached or closed). */
  publishEvent(type: string, fields: Record<string, unknown> = {}): void {
    if (!this.nats || this.nats.nc.isClosed()) return;
    const serverId = this.options.serverId;
    const subject = subjects(this.options.app).serverEvents(serverId);
    this.nats.nc.publish(
      subject,
      JSON.stringify({ type, at: this.options.clock.now(), serverId, ...fields }),
    );
  }

  /**
   * Stop the heartbeats and the pending player-count write. A cancelled player-count timer
   * stays set on purpose, so no later join or leave arms it again.
   */
  cancelTimers(): void {
    this.stopped = true;
    for (const timer of Object.values(this.timers)) timer?.cancel();
  }

  /**
   * Stop writing and take this server out of NATS: after a write under way, stop the seat
   * watch, then (when connected) delete the seats and the record.
   */
  async withdraw(): Promise<void> {
    this.closing = true;
    await this.publishing;
    const seatBook = this.options.seatBook();
    seatBook?.stop();
    if (!this.nats || !this.up) return;
    await seatBook?.releaseAll();
    await this.nats.servers.delete(this.options.serverId).catch(() => {});
  }
}
