/**
 * Snapshot interpolation: keep the last snapshots with the local time they arrived and draw the
 * world a little in the past (`delayMs`), blending the two snapshots around that moment, so
 * ships glide between server ticks instead of jumping.
 */
import type { ShipPose, SnapshotMessage } from './messages.js';

interface Timed {
  at: number;
  ships: Map<number, ShipPose>;
}

/**
 * Buffers snapshots and answers "where is every ship at time t".
 *
 * @example
 * const buffer = new SnapshotBuffer(100);
 * buffer.push(snapshot, performance.now());
 * const poses = buffer.sample(performance.now());
 */
export class SnapshotBuffer {
  #snapshots: Timed[] = [];
  constructor(
    private readonly delayMs = 100,
    private readonly keep = 30,
  ) {}

  push(snapshot: SnapshotMessage, receivedAt: number): void {
    const ships = new Map<number, ShipPose>();
    for (const ship of snapshot.ships) ships.set(ship.n, ship);
    this.#snapshots.push({ at: receivedAt, ships });
    if (this.#snapshots.length > this.keep) this.#snapshots.shift();
  }

  /** Ships to draw at local time `now`: only those in the latest snapshot (leavers vanish). */
  sample(now: number): ShipPose[] {
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
    const out: ShipPose[] = [];
    for (const [n, ship] of latest.ships) {
      const a = older?.ships.get(n);
      const b = newer?.ships.get(n);
      if (a && b && newer && older) {
        const k = (t - older.at) / Math.max(1, newer.at - older.at);
        out.push({ n, ...blend(a, b, k) });
      } else out.push(a ?? b ?? ship);
    }
    return out;
  }
}

function blend(a: ShipPose, b: ShipPose, k: number) {
  let turn = b.angle - a.angle;
  if (turn > Math.PI) turn -= 2 * Math.PI;
  if (turn < -Math.PI) turn += 2 * Math.PI;
  return { x: a.x + (b.x - a.x) * k, y: a.y + (b.y - a.y) * k, angle: a.angle + turn * k };
}
