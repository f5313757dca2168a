/**
 * Compare-and-set writes to one KV bucket without the client library's request machinery.
 *
 * `kv.update` sends each write as a NATS request: a timer, a mux entry, a deferred and — on
 * every completed request, failed or not — a `RequestError("cancelled")` with its stack trace.
 * On the hot paths (a seat per placement, a claim and an answer per ticket) that was a tenth of
 * the matchmaker's CPU. KvWriter publishes the same JetStream message (the subject
 * `$KV.<bucket>.<key>` with the expected-revision header), reads the acks on one wildcard
 * inbox, and times requests out with one sweep timer. Errors are the ones `kv` throws, so
 * `isKvConflict` and `isKvUnavailable` (and `retryWhileUnavailable`) treat them alike. A write
 * NATS permissions refuse (publish to the key, or the ack inbox) rejects at once with the
 * server's PermissionViolationError instead of waiting out the timeout.
 *
 * Writes are published together at the end of the event-loop turn's I/O (`setImmediate`): the
 * seats of every placement whose request arrived in one turn leave in one socket write instead
 * of one each, which on loopback TCP was a tenth of a fresh placement's CPU.
 *
 * For buckets made by openAppBuckets (no JetStream domain, no mirror or sources).
 */

import { JetStreamApiError } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import {
  createInbox,
  errors,
  type Msg,
  type NatsConnection,
  headers as natsHeaders,
  type Status,
  type Subscription,
} from '@nats-io/transport-node';
import { isKvConflict } from './conflict.js';

/** JetStream's header naming the revision a write expects (0: the key must not exist). */
const EXPECTED_REVISION = 'Nats-Expected-Last-Subject-Sequence';
const NO_RESPONDERS = 503;
/** Default for `timeoutMs`: what the KV client waits for an ack. */
const DEFAULT_TIMEOUT_MS = 5_000;

export interface KvWriterOptions {
  /** An ack not back after this long rejects with a TimeoutError. Default 5 000 ms. */
  timeoutMs?: number;
  /** The connection's `inboxPrefix`, when it was given one (NATS permissions on `_INBOX`). */
  inboxPrefix?: string;
}

interface Pending {
  resolve(revision: number): void;
  reject(error: unknown): void;
  sentAt: number;
  subject: string;
}

interface Outgoing {
  id: number;
  subject: string;
  value: Uint8Array;
  revision: number;
}

interface PubAck {
  stream?: string;
  seq?: number;
  error?: { code: number; err_code: number; description: string };
}

const decoder = new TextDecoder();

/**
 * @example
 * const writer = new KvWriter(nc, kv);
 * const revision = await writer.update('seat.s1.0', payload, 41); // throws a conflict when not at 41
 * writer.close();
 */
export class KvWriter {
  readonly #nc: NatsConnection;
  readonly #kv: KV;
  readonly #prefix: string;
  readonly #inbox: string;
  readonly #sub: Subscription;
  readonly #pending = new Map<number, Pending>();
  readonly #timeoutMs: number;
  #next = 0;
  /** Writes of this turn, published together by #publishQueued. */
  #queue: Outgoing[] = [];
  #sweep: NodeJS.Timeout | undefined;
  /** NATS refused the ack inbox: every write fails with this. */
  #refused: Error | undefined;
  readonly #status: AsyncIterable<Status> & { stop?: () => void };

  constructor(nc: NatsConnection, kv: KV, options: KvWriterOptions = {}) {
    this.#nc = nc;
    this.#kv = kv;
    this.#prefix = `$KV.${bucketOf(kv)}.`;
    this.#inbox = `${createInbox(options.inboxPrefix)}.`;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const status = nc.status();
    this.#status = status;
    this.#sub = nc.subscribe(`${this.#inbox}*`, {
      callback: (error, msg) => {
        if (error) this.#refuseAll(error);
        else this.#ack(msg);
      },
    });
    void (async () => {
      for await (const event of status) {
        if (event.type === 'error' && event.error instanceof errors.PermissionViolationError) {
          this.#permissionRefused(event.error);
        }
      }
    })().catch(() => {});
  }

  /** Write `value` if `key` is at `revision`; the new revision. */
  update(key: string, value: Uint8Array, revision: number): Promise<number> {
    if (!(revision > 0)) throw new RangeError(`revision must be > 0 (got ${revision})`);
    return this.#publish(key, value, revision);
  }

  /**
   * Write `value` if `key` does not exist, or its last operation deleted it (as `kv.create`);
   * the new revision.
   */
  async create(key: string, value: Uint8Array): Promise<number> {
    try {
      return await this.#publish(key, value, 0);
    } catch (error) {
      if (!isKvConflict(error)) throw error;
      const last = await this.#kv.get(key);
      if (last?.operation === 'DEL' || last?.operation === 'PURGE') {
        return this.#publish(key, value, last.revision);
      }
      throw error;
    }
  }

  /** Stop reading acks; writes still waiting reject. */
  close(): void {
    clearInterval(this.#sweep);
    this.#sweep = undefined;
    this.#status.stop?.();
    this.#sub.unsubscribe();
    this.#queue = [];
    const closed = new errors.ClosedConnectionError();
    for (const pending of this.#pending.values()) pending.reject(closed);
    this.#pending.clear();
  }

  #publish(key: string, value: Uint8Array, revision: number): Promise<number> {
    if (this.#refused) return Promise.reject(this.#refused);
    if (this.#sub.isClosed()) return Promise.reject(new errors.ClosedConnectionError());
    const id = this.#next++;
    const subject = this.#prefix + key;
    return new Promise<number>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, sentAt: performance.now(), subject });
      if (this.#queue.push({ id, subject, value, revision }) === 1) {
        setImmediate(() => this.#publishQueued());
      }
      this.#sweep ??= setInterval(() => this.#expire(), Math.max(10, this.#timeoutMs / 4));
      this.#sweep.unref?.();
    });
  }

  /** Publish this turn's writes in one go (one socket write by the client's flush). */
  #publishQueued(): void {
    const queue = this.#queue;
    this.#queue = [];
    for (const { id, subject, value, revision } of queue) {
      const pending = this.#pending.get(id);
      if (!pending) continue; // closed, refused or timed out meanwhile
      const h = natsHeaders();
      h.set(EXPECTED_REVISION, String(revision));
      try {
        this.#nc.publish(subject, value, { reply: this.#inbox + id, headers: h });
      } catch (error) {
        this.#pending.delete(id);
        pending.reject(error);
      }
    }
    if (this.#pending.size === 0) this.#stopSweep();
  }

  #ack(msg: Msg): void {
    const id = Number(msg.subject.slice(this.#inbox.length));
    const pending = this.#pending.get(id);
    if (!pending) return; // timed out already
    this.#pending.delete(id);
    if (this.#pending.size === 0) this.#stopSweep();
    if (msg.headers?.code === NO_RESPONDERS && msg.data.length === 0) {
      pending.reject(new errors.NoRespondersError(msg.subject));
      return;
    }
    let ack: PubAck;
    try {
      ack = JSON.parse(decoder.decode(msg.data)) as PubAck;
    } catch (error) {
      pending.reject(error);
      return;
    }
    if (ack.error) pending.reject(new JetStreamApiError(ack.error));
    else if (typeof ack.seq === 'number' && ack.stream) pending.resolve(ack.seq);
    else pending.reject(new Error('invalid JetStream ack'));
  }

  /** A publish to one of this bucket's keys refused: its oldest write waiting fails. */
  #permissionRefused(error: InstanceType<typeof errors.PermissionViolationError>): void {
    if (error.operation !== 'publish' || !error.subject.startsWith(this.#prefix)) return;
    for (const [id, pending] of this.#pending) {
      if (pending.subject !== error.subject) continue;
      this.#pending.delete(id);
      pending.reject(error);
      break;
    }
    if (this.#pending.size === 0) this.#stopSweep();
  }

  /** The ack inbox was refused: no write can ever be acknowledged. */
  #refuseAll(error: Error): void {
    this.#refused = error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
    this.#stopSweep();
  }

  /** Reject writes older than the timeout (the map is in send order: oldest first). */
  #expire(): void {
    const now = performance.now();
    for (const [id, pending] of this.#pending) {
      if (now - pending.sentAt < this.#timeoutMs) break;
      this.#pending.delete(id);
      pending.reject(new errors.TimeoutError());
    }
    if (this.#pending.size === 0) this.#stopSweep();
  }

  #stopSweep(): void {
    clearInterval(this.#sweep);
    this.#sweep = undefined;
  }
}

/** The bucket's name, as the KV client keeps it (`bucket` is on the implementation, not the type). */
function bucketOf(kv: KV): string {
  const bucket = (kv as unknown as { bucket?: unknown }).bucket;
  if (typeof bucket !== 'string' || bucket === '') {
    throw new TypeError('KvWriter needs a KV opened by @nats-io/kv (no bucket name found)');
  }
  return bucket;
}
