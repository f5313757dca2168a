/**
 * The claimed tickets of one match while it is placed (see TicketMatcher): heartbeats, progress
 * and the answer rewrite them one after the other per ticket, each at the revision the one
 * before wrote.
 */
import type { TicketRecord } from '@playgap/protocol';
import type { StoredTicket, TicketStore } from './ticket-store.js';

type Known = StoredTicket;

/**
 * Every rewrite (claim heartbeat, progress, the answer) of a ticket waits for the one before it
 * and names the revision that one wrote, so a heartbeat on its way can never make the answer
 * lose its compare-and-set.
 *
 * @example
 * const tickets = new ClaimedTickets(claimed, store);
 * const written = await tickets.rewrite((r) => ({ ...r, claimedAt: Date.now() }));
 */
export class ClaimedTickets {
  readonly #byId: Map<string, Known>;
  readonly #store: TicketStore;
  readonly #last = new Map<string, Promise<unknown>>();

  constructor(claimed: readonly Known[], store: TicketStore) {
    this.#byId = new Map(claimed.map((k) => [k.record.id, k]));
    this.#store = store;
  }

  records(): TicketRecord[] {
    return [...this.#byId.values()].map((k) => k.record);
  }

  known(): Known[] {
    return [...this.#byId.values()];
  }

  /** Rewrite every ticket with `change`; each ticket's new revision, undefined where it was lost. */
  async rewrite(
    change: (record: TicketRecord) => TicketRecord,
  ): Promise<Map<string, number | undefined>> {
    const writes = [...this.#byId.keys()].map((id) => {
      const write = (this.#last.get(id) ?? Promise.resolve()).then(async () => {
        const known = this.#byId.get(id) as Known;
        const record = change(known.record);
        const revision = await this.#store.update(known, record).catch(() => undefined);
        if (revision !== undefined) this.#byId.set(id, { record, revision });
        return [id, revision] as const;
      });
      this.#last.set(id, write);
      return write;
    });
    return new Map(await Promise.all(writes));
  }

  /** Once every write started so far has landed (or failed). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#last.values()]);
  }
}
