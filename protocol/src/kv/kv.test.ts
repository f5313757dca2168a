import { JetStreamApiError } from '@nats-io/jetstream';
import { connect, errors } from '@nats-io/transport-node';
import { startNatsServer } from '@playgap/testkit';
import { describe, expect, it } from 'vitest';
import { NatsConfigError } from '../nats/settings.js';
import {
  isKvUnavailable,
  KvReplicasError,
  kvReplicasFromEnv,
  openAppBuckets,
  retryWhileUnavailable,
} from './index.js';

const apiError = (err_code: number, code: number) =>
  new JetStreamApiError({ err_code, code, description: 'test' });

describe('kvReplicasFromEnv', () => {
  it('reads 1 by default, the flag over PLAYGAP_KV_REPLICAS, and refuses what JetStream cannot keep', () => {
    expect(kvReplicasFromEnv({})).toBe(1);
    expect(kvReplicasFromEnv({ PLAYGAP_KV_REPLICAS: ' 3 ' })).toBe(3);
    expect(kvReplicasFromEnv({ PLAYGAP_KV_REPLICAS: '3' }, '5')).toBe(5);
    for (const bad of ['0', '6', '2.5', 'three', '-1']) {
      expect(() => kvReplicasFromEnv({ PLAYGAP_KV_REPLICAS: bad })).toThrow(
        /^PLAYGAP_KV_REPLICAS must be an integer from 1 to 5/,
      );
    }
    expect(() => kvReplicasFromEnv({}, 'x')).toThrow(NatsConfigError);
    expect(() => kvReplicasFromEnv({}, 'x')).toThrow(/^--kv-replicas /);
  });
});

describe('retryWhileUnavailable', () => {
  it('retries no-leader failures until one succeeds, passing the attempt number', async () => {
    const attempts: number[] = [];
    const result = await retryWhileUnavailable(
      async (attempt) => {
        attempts.push(attempt);
        if (attempt === 1)
          throw Object.assign(new Error('jetstream is not enabled'), {
            name: 'JetStreamNotEnabled',
          });
        if (attempt === 2) throw new errors.TimeoutError();
        if (attempt === 3) throw apiError(10_008, 503);
        return 'stored';
      },
      { firstDelayMs: 1 },
    );
    expect(result).toBe('stored');
    expect(attempts).toEqual([1, 2, 3, 4]);
  });

  it('throws a refusal of the store at once, and the last outage error once its time is up', async () => {
    let calls = 0;
    const wrongSequence = apiError(10_071, 400);
    await expect(
      retryWhileUnavailable(async () => {
        calls++;
        throw wrongSequence;
      }),
    ).rejects.toBe(wrongSequence);
    expect(calls).toBe(1);
    expect(isKvUnavailable(wrongSequence)).toBe(false);
    let clock = 0;
    calls = 0;
    await expect(
      retryWhileUnavailable(
        async () => {
          calls++;
          clock += 400;
          throw new errors.TimeoutError();
        },
        { retryForMs: 1_000, firstDelayMs: 1, now: () => clock },
      ),
    ).rejects.toBeInstanceOf(errors.TimeoutError);
    expect(calls).toBe(3);
  });
});

describe('openAppBuckets', () => {
  it('creates buckets with the replica count asked for, and says what to set when one server cannot keep 3', async () => {
    const nats = await startNatsServer();
    const nc = await connect({ servers: nats.url });
    try {
      const { seats } = await openAppBuckets(nc, 'one', ['seats'], { replicas: 1 });
      expect((await seats.status()).replicas).toBe(1);
      const refused = openAppBuckets(nc, 'three', ['servers'], { replicas: 3 });
      await expect(refused).rejects.toBeInstanceOf(KvReplicasError);
      await expect(refused).rejects.toThrow(
        /^PLAYGAP_KV_REPLICAS is 3, but NATS cannot keep bucket playgap_three_servers on 3 servers \(replicas > 1 not supported in non-clustered mode\); use 1 for a single nats-server/,
      );
      // A bucket that exists is opened as it is, whatever the setting, and the caller hears of it.
      const mismatches: unknown[] = [];
      const again = await openAppBuckets(nc, 'one', ['seats'], {
        replicas: 3,
        onReplicaMismatch: (...args) => mismatches.push(args),
      });
      expect((await again.seats.status()).replicas).toBe(1);
      expect(mismatches).toEqual([['playgap_one_seats', 1, 3]]);
    } finally {
      await nc.close();
      await nats.stop();
    }
  });
});
