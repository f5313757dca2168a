/**
 * The cross-replica half of "one deployment start per version at a time": a "starting slot"
 * key per version in the deployments bucket, taken with a KV create (which fails while another
 * replica holds it). The holder rewrites it on a heartbeat while it deploys; a slot left
 * unchanged for SLOT_TIMINGS.staleMs by the waiter's own clock belonged to a holder that died
 * and is taken over. All timing is on the injected clock.
 */
import type { KV } from '@nats-io/kv';
import { ErrorCode } from '@playgap/protocol';
import { type Clock, sleepOn, type TimerHandle } from '@playgap/protocol/clock';
import { isKvConflict } from '@playgap/protocol/kv';
import { PlacementError } from '../errors.js';
import { SLOT_PREFIX } from './deployment-store.js';

/** How the slot is kept and watched, in ms. */
export interface SlotTimings {
  /** The holder rewrites its slot this often while it deploys... */
  heartbeatMs: number;
  /** ...and a slot unchanged for this long (by the waiter's own clock) belonged to a dead holder. */
  staleMs: number;
  /** How often a replica waiting for another's slot looks again. */
  pollMs: number;
}

/** Named defaults of {@link SlotTimings}. */
export const SLOT_TIMINGS: Readonly<SlotTimings> = Object.freeze({
  heartbeatMs: 1_000,
  staleMs: 3_000,
  pollMs: 25,
});

/**
 * The slot key of `version` (characters a KV key cannot hold become `_`).
 *
 * @example
 * slotKey('1.0.0'); // 'starting-slot.1_0_0'
 */
export function slotKey(version: string): string {
  return `${SLOT_PREFIX}${version.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

export interface TakeSlotOptions {
  kv: KV;
  version: string;
  /** Who holds it (the matchmaker's instance id), written into the slot. */
  holder: string;
  clock: Clock;
  /** Give up with PLACEMENT_TIMEOUT at this Unix ms while another replica holds the slot. */
  giveUpAt: number;
  timings?: SlotTimings;
}

const encoder = new TextEncoder();

/**
 * Take the starting slot of `version`, waiting while another live replica holds it; resolves
 * to the release function, which stops the heartbeat and deletes the slot if still ours.
 *
 * @example
 * const release = await takeStartingSlot({ kv, version, holder, clock, giveUpAt });
 * try { await deploy(); } finally { await release(); }
 */
export async function takeStartingSlot(options: TakeSlotOptions): Promise<() => Promise<void>> {
  const { kv, clock } = options;
  const timings = options.timings ?? SLOT_TIMINGS;
  const key = slotKey(options.version);
  const value = () => encoder.encode(JSON.stringify({ holder: options.holder, at: clock.now() }));
  let held = await claimSlot(options, key, value, timings);
  let beat = Promise.resolve();
  let timer: TimerHandle | undefined;
  let released = false;
  const arm = () => {
    timer = clock.setTimeout(() => {
      beat = kv.update(key, value(), held).then(
        (next) => {
          held = next;
        },
        () => {},
      );
      if (!released) arm();
    }, timings.heartbeatMs);
  };
  arm();
  return async () => {
    released = true;
    timer?.cancel();
    await beat;
    await kv.delete(key, { previousSeq: held }).catch(() => {});
  };
}

/** Create the slot key, or take it over once stale; resolves to its revision. */
async function claimSlot(
  options: TakeSlotOptions,
  key: string,
  value: () => Uint8Array,
  timings: SlotTimings,
): Promise<number> {
  const { kv, clock } = options;
  let seen: { revision: number; since: number } | undefined;
  for (;;) {
    try {
      return await kv.create(key, value());
    } catch (error) {
      if (!isKvConflict(error)) throw error;
    }
    const entry = await kv.get(key);
    const now = clock.now();
    if (entry && entry.revision !== seen?.revision) seen = { revision: entry.revision, since: now };
    if (entry?.operation === 'PUT' && seen && now - seen.since >= timings.staleMs) {
      const revision = await kv.update(key, value(), entry.revision).catch(() => undefined);
      if (revision !== undefined) return revision;
    }
    if (now >= options.giveUpAt) {
      throw new PlacementError(ErrorCode.PLACEMENT_TIMEOUT, 'Placement took too long; try again.');
    }
    await sleepOn(clock, timings.pollMs);
  }
}
