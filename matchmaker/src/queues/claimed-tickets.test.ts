import { connect } from '@nats-io/transport-node';
import { type TicketRecord, TicketState } from '@playgap/protocol';
import { KvWriter, openAppBuckets } from '@playgap/protocol/kv';
import { startNatsServer } from '@playgap/testkit';
import { describe, expect, it } from 'vitest';
import { ClaimedTickets } from './claimed-tickets.js';
import { TicketStore } from './ticket-store.js';

describe('ClaimedTickets', () => {
  it('writes a heartbeat still on its way and the answer one after the other, so both land', async () => {
    const nats = await startNatsServer();
    const nc = await connect({ servers: nats.url });
    const { tickets } = await openAppBuckets(nc, 'claimed', ['tickets']);
    const writer = new KvWriter(nc, tickets);
    try {
      const store = new TicketStore(tickets, writer);
      const now = Date.now();
      const record: TicketRecord = {
        id: 't1',
        app: 'claimed',
        version: '1',
        mode: 'duel',
        players: [{ playerId: 't1' }],
        clientIp: '127.0.0.1',
        state: TicketState.MATCHED,
        createdAt: now,
        expiresAt: now + 60_000,
        updatedAt: now,
      };
      const revision = (await store.create(record)) as number;
      const claimed = new ClaimedTickets([{ record, revision }], store);
      // Not awaited: the answer is asked for while the heartbeat's write is in flight.
      const heartbeat = claimed.rewrite((r) => ({ ...r, claimedAt: now + 1 }));
      const answer = claimed.rewrite((r) => ({ ...r, state: TicketState.PLACED }));
      const [beat, answered] = await Promise.all([heartbeat, answer]);
      expect(beat.get('t1')).toBeGreaterThan(revision);
      expect(answered.get('t1')).toBeGreaterThan(beat.get('t1') as number);
      const stored = (await store.get('t1'))?.record;
      expect(stored).toMatchObject({ state: TicketState.PLACED, claimedAt: now + 1 });
      // A write another process made meanwhile is not overwritten: that ticket's rewrite is lost.
      await tickets.put('t1', JSON.stringify({ ...stored, state: TicketState.FAILED }));
      const lost = await claimed.rewrite((r) => ({ ...r, claimedAt: now + 2 }));
      expect(lost.get('t1')).toBeUndefined();
      expect((await store.get('t1'))?.record.state).toBe(TicketState.FAILED);
    } finally {
      writer.close();
      await nc.close();
      await nats.stop();
    }
  });
});
