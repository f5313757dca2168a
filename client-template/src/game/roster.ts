/**
 * Who every ship is: the server sends ships' static info (client id, name) once, reliably, and
 * snapshots name ships by number only. The roster keeps that info and turns poses into ships.
 */
import {
  type RosterEntry,
  readLeave,
  readRoster,
  type ShipPose,
  type ShipState,
} from './messages.js';

/**
 * Ship number → who it is.
 *
 * @example
 * const roster = new Roster();
 * roster.apply({ type: 'roster', ships: [[3, '42', 'Ada']] });
 * roster.ships([{ n: 3, x: 1, y: 2, angle: 0 }]); // [{ id: '42', name: 'Ada', x: 1, y: 2, angle: 0 }]
 */
export class Roster {
  readonly #entries = new Map<number, RosterEntry>();

  /** Take in a roster or leave message; true when it was one. */
  apply(message: unknown): boolean {
    const entries = readRoster(message);
    if (entries) {
      for (const entry of entries) this.#entries.set(entry.n, entry);
      return true;
    }
    const left = readLeave(message);
    if (left === undefined) return false;
    for (const n of left) this.#entries.delete(n);
    return true;
  }

  get(n: number): RosterEntry | undefined {
    return this.#entries.get(n);
  }

  /** Poses with their ids and names; a ship the roster does not know yet is `#n`, unnamed. */
  ships(poses: readonly ShipPose[]): ShipState[] {
    return poses.map(({ n, x, y, angle }) => {
      const entry = this.#entries.get(n);
      return { id: entry?.id ?? `#${n}`, name: entry?.name ?? '', x, y, angle };
    });
  }

  clear(): void {
    this.#entries.clear();
  }
}
