import { JetStreamApiError } from '@nats-io/jetstream';
import { connect, errors } from '@nats-io/transport-node';
import { startNatsServer } from '@playgap/testkit';
import { describe, expect, it } from 'vitest';
import { isKvConflict, openAppBuckets } from './index.js';

describe('isKvConflict', () => {
  it('recognises exactly one loser when two writers race on one revision of a real nats-server', async () => {
    const nats = await startNatsServer();
    const nc = await connect({ servers: nats.url });
    const other = await connect({ servers: nats.url });
    try {
      const { seats } = await openAppBuckets(nc, 'race', ['seats'], { replicas: 1 });
      const { seats: seatsAgain } = await openAppBuckets(other, 'race', ['seats'], {
        replicas: 1,
      });
      const revision = await seats.create('srv.0', 'free');
      const results = await Promise.allSettled([
        seats.update('srv.0', 'writer a', revision),
        seatsAgain.update('srv.0', 'writer b', revision),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(isKvConflict(lost[0]?.reason)).toBe(true);
      // The same rule holds for a create on a key that is there.
      const created = await seats.create('srv.0', 'again').catch((error: unknown) => error);
      expect(isKvConflict(created)).toBe(true);
      // ...and a stale delete.
      const deleted = await seats
        .delete('srv.0', { previousSeq: revision })
        .catch((error: unknown) => error);
      expect(isKvConflict(deleted)).toBe(true);
    } finally {
      await other.close();
      await nc.close();
      await nats.stop();
    }
  });

  it('is false for failures that are not a lost race', () => {
    const api = (err_code: number, code: number) =>
      new JetStreamApiError({ err_code, code, description: 'test' });
    expect(isKvConflict(api(10_071, 400))).toBe(true);
    expect(isKvConflict(api(10_164, 400))).toBe(true);
    expect(isKvConflict(api(10_008, 503))).toBe(false);
    expect(isKvConflict(api(10_047, 500))).toBe(false);
    expect(isKvConflict(new errors.TimeoutError())).toBe(false);
    expect(isKvConflict(new Error('wrong last sequence: 3'))).toBe(false);
    expect(isKvConflict(undefined)).toBe(false);
  });
});
