/**
 * The arena game: pure simulation, no I/O (swap this folder to make another game).
 *
 * Message schema (the client template, client-template/src/game/messages.ts, speaks the same):
 * - client → server `{"type":"input","x":-1|0|1,"y":-1|0|1}`: the direction held (sent on change
 *   and every 250 ms). `{"t":"input","up","down","left","right"}` (booleans) is accepted too.
 * - server → client `{"type":"snapshot","tick":n,"ships":[{"id","name","x","y","angle"}]}` every
 *   tick (unreliable when the transport allows); a ship missing from a snapshot has left.
 * - server → client `{"type":"welcome","id"}` once (reliable): which ship is yours.
 * Units: whole world units (ARENA is 800×600), angle in radians to 0.01 (0 = +x, +y is down).
 */

export const ARENA = { width: 800, height: 600 } as const;
/** Ship speed in world units per second. */
export const SHIP_SPEED = 220;
/** How far a ship keeps from the arena's edge. */
export const SHIP_RADIUS = 16;
/** Longest a player name may be; longer names are cut. */
export const MAX_NAME_LENGTH = 24;

export interface Input {
  x: -1 | 0 | 1;
  y: -1 | 0 | 1;
}

export interface ShipState {
  id: string;
  name: string;
  x: number;
  y: number;
  angle: number;
}

export interface SnapshotMessage {
  type: 'snapshot';
  tick: number;
  ships: ShipState[];
}

interface Ship extends ShipState {
  input: Input;
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
 * The authoritative arena: ships, their inputs, one fixed step at a time.
 *
 * @example
 * const arena = new Arena(() => 0.5);
 * arena.addShip('1', 'Ada');
 * arena.setInput('1', { x: 1, y: 0 });
 * arena.step(50);
 * arena.snapshot(1).ships[0].x; // 400 + 11
 */
export class Arena {
  readonly #ships = new Map<string, Ship>();
  readonly #random: () => number;

  /** `random` in [0, 1) picks spawn points; inject a fixed one in tests. */
  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  get size(): number {
    return this.#ships.size;
  }

  addShip(id: string, name: string): ShipState {
    const margin = SHIP_RADIUS * 2;
    const ship: Ship = {
      id,
      name: name.slice(0, MAX_NAME_LENGTH),
      x: margin + this.#random() * (ARENA.width - 2 * margin),
      y: margin + this.#random() * (ARENA.height - 2 * margin),
      angle: 0,
      input: { x: 0, y: 0 },
    };
    this.#ships.set(id, ship);
    return { id, name: ship.name, x: ship.x, y: ship.y, angle: ship.angle };
  }

  removeShip(id: string): void {
    this.#ships.delete(id);
  }

  setInput(id: string, input: Input): void {
    const ship = this.#ships.get(id);
    if (ship) ship.input = input;
  }

  /** Advance the world by `dtMs` milliseconds. */
  step(dtMs: number): void {
    const dt = dtMs / 1000;
    for (const ship of this.#ships.values()) {
      const { x, y } = ship.input;
      if (x === 0 && y === 0) continue;
      const len = Math.hypot(x, y);
      ship.x = clamp(ship.x + (x / len) * SHIP_SPEED * dt, SHIP_RADIUS, ARENA.width - SHIP_RADIUS);
      ship.y = clamp(ship.y + (y / len) * SHIP_SPEED * dt, SHIP_RADIUS, ARENA.height - SHIP_RADIUS);
      ship.angle = Math.atan2(y, x);
    }
  }

  snapshot(tick: number): SnapshotMessage {
    const ships: ShipState[] = [];
    for (const s of this.#ships.values()) {
      // Whole units and centiradians keep a 200-ship snapshot small (it goes to every player).
      ships.push({
        id: s.id,
        name: s.name,
        x: Math.round(s.x),
        y: Math.round(s.y),
        angle: round(s.angle),
      });
    }
    return { type: 'snapshot', tick, ships };
  }
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const round = (v: number) => Math.round(v * 100) / 100;
