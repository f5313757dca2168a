import { ErrorCode } from '@playgap/protocol';
import { ManualClock } from '@playgap/protocol/clock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlacementError } from '../errors.js';
import { driveClock, startTestNats, type TestNats } from './pool.test-helper.js';
import { SLOT_TIMINGS, slotKey, takeStartingSlot } from './starting-slot.js';

// Tests of waiting on a live holder never take it for dead, however slow the machine.
const NO_TAKEOVER = { ...SLOT_TIMINGS, staleMs: 3_600_000 };

let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => {
  await nats?.stop();
});

describe('starting slot', () => {
  it('names one key per version that a KV key can hold', () => {
    expect(slotKey('1.0.0')).toBe('starting-slot.1_0_0');
    expect(slotKey('v2 beta/1')).toBe('starting-slot.v2_beta_1');
  });

  it('is taken by one replica at a time: the second waits until the first releases it', async () => {
    const kv = await nats.deployments('slot-one');
    const clock = new ManualClock();
    const release = await takeStartingSlot({
      kv,
      version: '1.0.0',
      holder: 'mm-a',
      clock,
      giveUpAt: Number.POSITIVE_INFINITY,
    });
    const held = await kv.get(slotKey('1.0.0'));
    expect(held?.json()).toMatchObject({ holder: 'mm-a' });
    const second = takeStartingSlot({
      kv,
      version: '1.0.0',
      holder: 'mm-b',
      clock,
      giveUpAt: Number.POSITIVE_INFINITY,
      timings: NO_TAKEOVER,
    });
    let secondTook = false;
    void second.then(() => {
      secondTook = true;
    });
    // A second while the holder is alive (its heartbeat keeps the slot fresh): still waiting.
    await driveClock(clock, new Promise((r) => setTimeout(r, 50)), SLOT_TIMINGS.pollMs);
    expect(secondTook).toBe(false);
    await release();
    const { value: releaseB } = await driveClock(clock, second, SLOT_TIMINGS.pollMs);
    expect((await kv.get(slotKey('1.0.0')))?.json()).toMatchObject({ holder: 'mm-b' });
    await releaseB?.();
    expect((await kv.get(slotKey('1.0.0')))?.operation).toBe('DEL');
  });

  it('rewrites the slot on every heartbeat while held, and stops once released', async () => {
    const kv = await nats.deployments('slot-beat');
    const clock = new ManualClock();
    const release = await takeStartingSlot({
      kv,
      version: '1.0.0',
      holder: 'mm-a',
      clock,
      giveUpAt: Number.POSITIVE_INFINITY,
    });
    const before = (await kv.get(slotKey('1.0.0')))?.revision ?? 0;
    clock.advance(SLOT_TIMINGS.heartbeatMs);
    await release(); // waits for the heartbeat write in flight
    // The delete names the heartbeat's revision, so it lands only if the heartbeat did.
    const after = await kv.get(slotKey('1.0.0'));
    expect(after?.operation).toBe('DEL');
    expect(after?.revision).toBe(before + 2); // one heartbeat write, then the delete
    expect(clock.pending()).toBe(0); // no heartbeat left armed
  });

  it('takes over a slot its dead holder stopped rewriting once it is staleMs old, not before', async () => {
    const kv = await nats.deployments('slot-stale');
    const clock = new ManualClock();
    await kv.create(slotKey('1.0.0'), JSON.stringify({ holder: 'mm-dead', at: 0 }));
    const { value: release, tookMs } = await driveClock(
      clock,
      takeStartingSlot({ kv, version: '1.0.0', holder: 'mm-b', clock, giveUpAt: Infinity }),
      SLOT_TIMINGS.pollMs,
    );
    expect(tookMs).toBeGreaterThanOrEqual(SLOT_TIMINGS.staleMs);
    expect((await kv.get(slotKey('1.0.0')))?.json()).toMatchObject({ holder: 'mm-b' });
    await release?.();
  });

  it('never takes over a slot whose holder keeps rewriting it more often than staleMs', async () => {
    const kv = await nats.deployments('slot-alive');
    const clock = new ManualClock();
    const key = slotKey('1.0.0');
    let revision = await kv.create(key, JSON.stringify({ holder: 'mm-a', at: 0 }));
    const giveUpAt = clock.now() + 4 * SLOT_TIMINGS.staleMs;
    let outcome: unknown;
    const waiting = takeStartingSlot({ kv, version: '1.0.0', holder: 'mm-b', clock, giveUpAt });
    waiting.then(
      () => {
        outcome = 'took it';
      },
      (error: unknown) => {
        outcome = error;
      },
    );
    // The "holder" rewrites its slot every heartbeatMs of simulated time; each rewrite lands
    // before time moves on, so the waiter never sees one revision for staleMs.
    let sinceBeat = 0;
    while (outcome === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (outcome !== undefined) break;
      clock.advance(SLOT_TIMINGS.pollMs);
      sinceBeat += SLOT_TIMINGS.pollMs;
      if (sinceBeat >= SLOT_TIMINGS.heartbeatMs) {
        sinceBeat = 0;
        revision = await kv.update(
          key,
          JSON.stringify({ holder: 'mm-a', at: clock.now() }),
          revision,
        );
      }
    }
    expect(outcome).toMatchObject({ code: ErrorCode.PLACEMENT_TIMEOUT });
    expect((await kv.get(key))?.json()).toMatchObject({ holder: 'mm-a' });
  });

  it('gives up with PLACEMENT_TIMEOUT at giveUpAt while another replica holds the slot', async () => {
    const kv = await nats.deployments('slot-timeout');
    const clock = new ManualClock();
    const release = await takeStartingSlot({
      kv,
      version: '1.0.0',
      holder: 'mm-a',
      clock,
      giveUpAt: Infinity,
    });
    const giveUpAt = clock.now() + 6_000;
    const { error, tookMs } = await driveClock(
      clock,
      takeStartingSlot({
        kv,
        version: '1.0.0',
        holder: 'mm-b',
        clock,
        giveUpAt,
        timings: NO_TAKEOVER,
      }),
      SLOT_TIMINGS.pollMs,
    );
    expect(error).toBeInstanceOf(PlacementError);
    expect(error).toMatchObject({ code: ErrorCode.PLACEMENT_TIMEOUT });
    expect(tookMs).toBeGreaterThanOrEqual(6_000);
    await release();
  });
});
