/**
 * The tickets bucket: create a ticket, and change one only from the revision it was read at
 * (every state change is a compare-and-set, so two matchmakers never both claim a ticket).
 */
import type { KV } from '@nats-io/kv';
import { type TicketRecord, TicketState } from '@playgap/protocol';
import { isKvConflict, type KvWriter, retryWhileUnavailable } from '@playgap/protocol/kv';

const encoder = new TextEncoder();

/** A ticket as read, with the revision a change must name. */
export interface StoredTicket {
  record: TicketRecord;
  revision: number;
}

/**
 * @example
 * const store = new TicketStore(kv.tickets);
 * const revision = await store.update(ticket, { ...ticket.record, state: 'matched' });
 */
export class TicketStore {
  /** `writer`: compare-and-set writes without the KV client's per-request cost (the matcher's hot path). */
  constructor(
    readonly kv: KV,
    readonly writer?: KvWriter,
  ) {}

  /** Create the ticket; undefined when one with its id exists (a retried request). */
  async create(record: TicketRecord): Promise<number | undefined> {
    try {
      return await retryWhileUnavailable(() => this.kv.create(record.id, encode(record)));
    } catch (error) {
      if (isKvConflict(error)) return undefined;
      throw error;
    }
  }

  async get(id: string): Promise<StoredTicket | undefined> {
    const entry = await this.kv.get(id);
    if (entry?.operation !== 'PUT') return undefined;
    return { record: entry.json<TicketRecord>(), revision: entry.revision };
  }

  /** Write `next` if the ticket is still at `from.revision`; the new revision, or undefined if it changed. */
  async update(from: StoredTicket, next: TicketRecord): Promise<number | undefined> {
    try {
      const value = encode(next);
      return await (this.writer
        ? this.writer.update(next.id, value, from.revision)
        : this.kv.update(next.id, value, from.revision));
    } catch (error) {
      if (isKvConflict(error)) return undefined;
      throw error;
    }
  }

  /**
   * End a ticket that is still searching (expired, cancelled, its mode removed); false when it
   * is already matched or over.
   */
  async fail(id: string, code: string, message: string, now: number): Promise<boolean> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const stored = await this.get(id);
      if (!stored || stored.record.state !== TicketState.SEARCHING) return false;
      const next: TicketRecord = {
        ...stored.record,
        state: TicketState.FAILED,
        error: { code, message },
        updatedAt: now,
      };
      if ((await this.update(stored, next)) !== undefined) return true;
    }
    return false;
  }
}

function encode(record: TicketRecord): Uint8Array {
  return encoder.encode(JSON.stringify(record));
}
