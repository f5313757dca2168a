/**
 * Snapshot interpolation: keep the last snapshots with the local time they arrived and draw the
 * world a little in the past (`delayMs`), blending the two snapshots around that moment, so
 * ships glide between server ticks instead of jumping.
 */
import type { ShipState, SnapshotMessage } from './messages.js';

interface Timed {
  at: number;
  ships: Map<string, ShipState>;
}

/**
 * Buffers snapshots and answers "where is everyone at time t".
 *
 * @example
 * const buffer = new SnapshotBuffer(100);
 * buffer.push(snapshot, performance.now());
 * const ships = buffer.sample(performance.now());
 */
export class SnapshotBuffer {
  #snapshots: Timed[] = [];
  constructor(
    private readonly delayMs = 100,
    private readonly keep = 30,
  ) {}

  push(snapshot: SnapshotMessage, receivedAt: number): void {
    this.#snapshots.push({
      at: receivedAt,
      ships: new Map(snapshot.ships.map((ship) => [ship.id, ship])),
    });
    if (this.#snapshots.length > this.keep) this.#snapshots.shift();
  }

  /** Ships to draw at local time `now`: only those in the latest snapshot (leavers vanish). */
  sample(now: number): ShipState[] {
    const latest = this.#snapshots.at(-1);
    if (!latest) return [];
    const t = now - this.delayMs;
    let older: Timed | undefined;
    let newer: Timed | undefined;
    for (const snapshot of this.#snapshots) {
      if (snapshot.at <= t) older = snapshot;
      else {
        newer = snapshot;
        break;
      }
    }
    const out: ShipState[] = [];
    for (const [id, ship] of latest.ships) {
      const a = older?.ships.get(id);
      const b = newer?.ships.get(id);
      if (a && b && newer && older) {
        const k = (t - older.at) / Math.max(1, newer.at - older.at);
        out.push({ ...ship, ...blend(a, b, k) });
      } else out.push(a ?? b ?? ship);
    }
    return out;
  }
}

function blend(a: ShipState, b: ShipState, k: number) {
  let turn = b.angle - a.angle;
  if (turn > Math.PI) turn -= 2 * Math.PI;
  if (turn < -Math.PI) turn += 2 * Math.PI;
  return { x: a.x + (b.x - a.x) * k, y: a.y + (b.y - a.y) * k, angle: a.angle + turn * k };
}
