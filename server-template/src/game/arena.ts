/**
 * The arena game: pure simulation, no I/O (swap this folder to make another game).
 *
 * Message schema (the client template, client-template/src/game/messages.ts, speaks the same).
 * Every ship has a small number `n` (given at join, never reused while the process runs) so
 * snapshots stay short; who a ship is (client id, name) is sent once, reliably, in the roster,
 * and the per-tick snapshot carries only numbers (the cost of a tick no longer grows with names).
 * - client → server `{"type":"input","x":-1|0|1,"y":-1|0|1}`: the direction held (sent on change
 *   and every 250 ms). `{"t":"input","up","down","left","right"}` (booleans) is accepted too.
 * - server → client, reliable:
 *   - `{"type":"welcome","id":"<clientId>","n":n}` once: which ship is yours.
 *   - `{"type":"roster","ships":[[n,"<clientId>","<name>"],...]}`: add (or update) these ships'
 *     static info. The newcomer gets every ship at once; everyone gets the entries of the ships
 *     that joined during a tick in one message at that tick (before its snapshot).
 *   - `{"type":"leave","ships":[n,...]}`: these ships left during the tick (forget them).
 * - server → client `{"type":"snapshot","tick":t,"ships":[n,x,y,a, n,x,y,a, ...]}` every tick
 *   (unreliable when the transport allows): a flat array, four integers per ship: number, x, y
 *   in whole world units, angle in centiradians. A ship missing from a snapshot has left.
 * Units: ARENA is 800×600 world units; angle 0 = +x, +y is down.
 */

export const ARENA = { width: 800, height: 600 } as const;
/** Ship speed in world units per second. */
export const SHIP_SPEED = 220;
/** How far a ship keeps from the arena's edge. */
export const SHIP_RADIUS = 16;
/** Longest a player name may be; longer names are cut. */
export const MAX_NAME_LENGTH = 24;
/** Numbers per ship in a snapshot's `ships` array: n, x, y, angle. */
export const SNAPSHOT_STRIDE = 4;

export interface Input {
  x: -1 | 0 | 1;
  y: -1 | 0 | 1;
}

/** A ship's static info: sent once in the roster, not in every snapshot. */
export type RosterEntry = [n: number, id: string, name: string];

export interface WelcomeMessage {
  type: 'welcome';
  id: string;
  n: number;
}

export interface RosterMessage {
  type: 'roster';
  ships: RosterEntry[];
}

export interface LeaveMessage {
  type: 'leave';
  ships: number[];
}

export interface SnapshotMessage {
  type: 'snapshot';
  tick: number;
  /** Flat: `[n, x, y, angleCentirad]` per ship (see SNAPSHOT_STRIDE). */
  ships: number[];
}

/** Where one ship is, as read back from a snapshot (tests, tools). */
export interface ShipPose {
  n: number;
  x: number;
  y: number;
  angle: number;
}

interface Ship {
  n: number;
  id: string;
  name: string;
  x: number;
  y: number;
  angle: number;
  /** Unit direction of the held input (precomputed on input, so a step does no trig). */
  dx: number;
  dy: number;
}

const axis = (v: unknown): -1 | 0 | 1 => (v === 1 ? 1 : v === -1 ? -1 : 0);

/**
 * Read an input message from a player; undefined for anything else (ignored, never thrown).
 *
 * @example
 * parseInput({ type: 'input', x: 1, y: 0 }); // { x: 1, y: 0 }
 */
export function parseInput(message: unknown): Input | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const m = message as Record<string, unknown>;
  if (m['type'] === 'input') return { x: axis(m['x']), y: axis(m['y']) };
  if (m['t'] === 'input') {
    return {
      x: axis((m['right'] === true ? 1 : 0) - (m['left'] === true ? 1 : 0)),
      y: axis((m['down'] === true ? 1 : 0) - (m['up'] === true ? 1 : 0)),
    };
  }
  return undefined;
}

/**
 * The ships in a snapshot's flat array.
 *
 * @example
 * readPoses({ type: 'snapshot', tick: 1, ships: [1, 400, 300, 157] }); // [{ n: 1, x: 400, y: 300, angle: 1.57 }]
 */
export function readPoses(snapshot: SnapshotMessage): ShipPose[] {
  const poses: ShipPose[] = [];
  const s = snapshot.ships;
  for (let i = 0; i + SNAPSHOT_STRIDE <= s.length; i += SNAPSHOT_STRIDE) {
    poses.push({
      n: s[i] ?? 0,
      x: s[i + 1] ?? 0,
      y: s[i + 2] ?? 0,
      angle: (s[i + 3] ?? 0) / 100,
    });
  }
  return poses;
}

/**
 * The authoritative arena: ships, their inputs, one fixed step at a time.
 *
 * @example
 * const arena = new Arena(() => 0.5);
 * const n = arena.addShip('1', 'Ada');
 * arena.setInput('1', { x: 1, y: 0 });
 * arena.step(50);
 * arena.snapshot(1).ships; // [n, 411, 300, 0]
 */
export class Arena {
  readonly #ships = new Map<string, Ship>();
  readonly #random: () => number;
  #nextN = 1;

  /** `random` in [0, 1) picks spawn points; inject a fixed one in tests. */
  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  get size(): number {
    return this.#ships.size;
  }

  /** Add a ship for player `id`; returns its number `n` (what snapshots call it). */
  addShip(id: string, name: string): number {
    this.removeShip(id);
    const margin = SHIP_RADIUS * 2;
    const ship: Ship = {
      n: this.#nextN++,
      id,
      name: name.slice(0, MAX_NAME_LENGTH),
      x: margin + this.#random() * (ARENA.width - 2 * margin),
      y: margin + this.#random() * (ARENA.height - 2 * margin),
      angle: 0,
      dx: 0,
      dy: 0,
    };
    this.#ships.set(id, ship);
    return ship.n;
  }

  /** Remove player `id`'s ship; returns its number, or undefined when there was none. */
  removeShip(id: string): number | undefined {
    const ship = this.#ships.get(id);
    if (!ship) return undefined;
    this.#ships.delete(id);
    return ship.n;
  }

  setInput(id: string, input: Input): void {
    const ship = this.#ships.get(id);
    if (!ship) return;
    const len = Math.hypot(input.x, input.y);
    if (len === 0) {
      ship.dx = 0;
      ship.dy = 0;
      return;
    }
    ship.dx = input.x / len;
    ship.dy = input.y / len;
    ship.angle = Math.atan2(input.y, input.x);
  }

  /** Advance the world by `dtMs` milliseconds (allocates nothing). */
  step(dtMs: number): void {
    const d = (SHIP_SPEED * dtMs) / 1000;
    for (const ship of this.#ships.values()) {
      if (ship.dx === 0 && ship.dy === 0) continue;
      ship.x = clamp(ship.x + ship.dx * d, SHIP_RADIUS, ARENA.width - SHIP_RADIUS);
      ship.y = clamp(ship.y + ship.dy * d, SHIP_RADIUS, ARENA.height - SHIP_RADIUS);
    }
  }

  /** The welcome for player `id` (undefined when it has no ship). */
  welcome(id: string): WelcomeMessage | undefined {
    const ship = this.#ships.get(id);
    return ship && { type: 'welcome', id, n: ship.n };
  }

  /** Roster entries of every ship, or only of these players' ships (those still here). */
  roster(ids?: Iterable<string>): RosterMessage {
    const ships: RosterEntry[] = [];
    if (ids === undefined) for (const s of this.#ships.values()) ships.push([s.n, s.id, s.name]);
    else {
      for (const id of ids) {
        const s = this.#ships.get(id);
        if (s) ships.push([s.n, s.id, s.name]);
      }
    }
    return { type: 'roster', ships };
  }

  /** Every ship's number and pose, four integers per ship (serialised once per tick). */
  snapshot(tick: number): SnapshotMessage {
    const ships = new Array<number>(this.#ships.size * SNAPSHOT_STRIDE);
    let i = 0;
    for (const s of this.#ships.values()) {
      ships[i++] = s.n;
      ships[i++] = Math.round(s.x);
      ships[i++] = Math.round(s.y);
      ships[i++] = Math.round(s.angle * 100);
    }
    return { type: 'snapshot', tick, ships };
  }
}

const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);
