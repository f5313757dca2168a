/**
 * The parties bucket: create a party under a fresh code (KV create, so a code is never given
 * twice), and change one only from the revision it was read at (join, leave and queue are each
 * a compare-and-set, so two replicas serving two members never lose each other's change).
 */
import type { KV } from '@nats-io/kv';
import { newPartyCode, type PartyRecord } from '@playgap/protocol';
import { isKvConflict, retryWhileUnavailable } from '@playgap/protocol/kv';

const encoder = new TextEncoder();

/** A party as read, with the revision a change must name. */
export interface StoredParty {
  record: PartyRecord;
  revision: number;
}

/** Attempts of one read-change-write before giving up (every attempt lost a race). */
const MAX_ATTEMPTS = 20;

/**
 * @example
 * const store = new PartyStore(kv.parties);
 * const party = await store.create((code) => ({ code, ...rest }));
 * await store.change(party.code, (p) => ({ ...p, members: [...p.members, member] }));
 */
export class PartyStore {
  constructor(
    readonly kv: KV,
    readonly newCode: () => string = () => newPartyCode(),
  ) {}

  /** Create a party under a code no other party has. */
  async create(make: (code: string) => PartyRecord): Promise<StoredParty> {
    for (let attempt = 0; ; attempt++) {
      const record = make(this.newCode());
      try {
        const revision = await retryWhileUnavailable(() =>
          this.kv.create(record.code, encode(record)),
        );
        return { record, revision };
      } catch (error) {
        if (!isKvConflict(error) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  async get(code: string): Promise<StoredParty | undefined> {
    const entry = await this.kv.get(code);
    if (entry?.operation !== 'PUT') return undefined;
    return { record: entry.json<PartyRecord>(), revision: entry.revision };
  }

  /**
   * Read the party, let `next` decide its new state (it throws to refuse; `undefined` leaves it
   * as it is), and write that at the read revision; again from a fresh read when another
   * replica changed it in between. `missing` is thrown when there is no such party.
   */
  async change(
    code: string,
    next: (party: PartyRecord) => PartyRecord | undefined,
    missing: () => Error,
  ): Promise<StoredParty> {
    for (let attempt = 0; ; attempt++) {
      const stored = await this.get(code);
      if (!stored) throw missing();
      const record = next(stored.record);
      if (record === undefined) return stored;
      try {
        const revision = await this.kv.update(code, encode(record), stored.revision);
        return { record, revision };
      } catch (error) {
        if (!isKvConflict(error) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }
}

function encode(record: PartyRecord): Uint8Array {
  return encoder.encode(JSON.stringify(record));
}
