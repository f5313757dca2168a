/**
 * The arena game: pure simulation, no I/O (swap this folder to make another game).
 *
 * Message schema (the client template, client-template/src/game/messages.ts, speaks the same).
 * Every ship has a small number `n` (given at join, never reused while the process runs) so
 * snapshots stay short; who a ship is (client id, name) is sent once, reliably, in the roster,
 * and the per-tick snapshot carries only numbers (the cost of a tick no longer grows with names).
 * - client → server, numbered inputs (the template; unreliable, one per client tick):
 *   `{"type":"input","seq":s,"moves":[c,...],"x","y"}`: `moves` are the client's inputs
 *   numbered up to `s`, oldest first, each a digit (see encodeInput in ./movement.ts); they go
 *   into the player's InputBuffer and are applied one per server tick (./input-buffer.ts).
 * - client → server, held direction (bots, simple clients): `{"type":"input","x":-1|0|1,"y"}`
 *   without `seq`: the direction held until the next one (sent on change and every 250 ms).
 *   `{"t":"input","up","down","left","right"}` (booleans) is accepted too.
 * - client → server `{"type":"ping","t":<any number>}` → that player `{"type":"pong","t"}`
 *   (unreliable; the client's overlay shows the round trip).
 * - server → client, reliable:
 *   - `{"type":"welcome","id":"<clientId>","n":n,"hz":h}` once: which ship is yours and the
 *     server's tick rate (a numbered input is one step of 1000/h ms).
 *   - `{"type":"roster","ships":[[n,"<clientId>","<name>"],...]}`: add (or update) these ships'
 *     static info. The newcomer gets every ship at once; everyone gets the entries of the ships
 *     that joined during a tick in one message at that tick (before its snapshot).
 *   - `{"type":"leave","ships":[n,...]}`: these ships left during the tick (forget them).
 * - server → client `{"type":"snapshot","tick":t,"ships":[n,x,y,a, ...],"acks":[n,s, ...]}`
 *   every tick (unreliable when the transport allows): a flat array, four integers per ship:
 *   number, x, y in whole world units, angle in centiradians; a ship missing from a snapshot has
 *   left. `acks` (only when some player sends numbered inputs): for each such ship the number
 *   of the last input applied, so its client can replay the rest on top of the pose.
 * Units: ARENA is 800×600 world units; angle 0 = +x, +y is down.
 */
import { InputBuffer, type InputBufferOptions } from './input-buffer.js';
import {
  ARENA,
  decodeInput,
  heading,
  type Input,
  type Pose,
  SHIP_RADIUS,
  SHIP_SPEED,
  stepShip,
} from './movement.js';

export { ARENA, type Input, SHIP_RADIUS, SHIP_SPEED };
/** Longest a player name may be; longer names are cut. */
export const MAX_NAME_LENGTH = 24;
/** Numbers per ship in a snapshot's `ships` array: n, x, y, angle. */
export const SNAPSHOT_STRIDE = 4;

/** A ship's static info: sent once in the roster, not in every snapshot. */
export type RosterEntry = [n: number, id: string, name: string];

export interface WelcomeMessage {
  type: 'welcome';
  id: string;
  n: number;
  /** Server ticks per second: a numbered input is one step of 1000 / hz ms. */
  hz: number;
}

export interface PongMessage {
  type: 'pong';
  t: number;
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
  /** Flat: `[n, lastInputApplied]` per ship that sends numbered inputs (absent when none does). */
  acks?: number[];
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
  pose: Pose;
  /** The direction held (players without numbered inputs). */
  held: Input;
  /** Set once the player sends numbered inputs: they drive the ship from then on. */
  inputs?: InputBuffer;
}

const STILL: Input = { x: 0, y: 0 };

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
 * Read a numbered-input message: its last input's number and its inputs, oldest first;
 * undefined when the message is not one (a held-direction input, anything else) or is malformed.
 *
 * @example
 * parseNumberedInputs({ type: 'input', seq: 9, moves: [7, 7] }); // { seq: 9, moves: [{x:1,y:0}, {x:1,y:0}] }
 */
export function parseNumberedInputs(message: unknown): { seq: number; moves: Input[] } | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const m = message as Record<string, unknown>;
  if (m['type'] !== 'input' || typeof m['seq'] !== 'number' || !Array.isArray(m['moves'])) {
    return undefined;
  }
  const moves: Input[] = [];
  for (const code of m['moves'] as unknown[]) {
    const input = decodeInput(code);
    if (!input) return undefined;
    moves.push(input);
  }
  return { seq: m['seq'], moves };
}

/**
 * The authoritative arena: ships, their inputs, one fixed step at a time.
 *
 * @example
 * const arena = new Arena(() => 0.5, { tickHz: 20 });
 * const n = arena.addShip('1', 'Ada');
 * arena.receive('1', { type: 'input', seq: 1, moves: [7] }); // right, for one tick
 * arena.step(50);
 * arena.snapshot(1); // { type: 'snapshot', tick: 1, ships: [n, 411, 300, 0], acks: [n, 1] }
 */
export class Arena {
  readonly #ships = new Map<string, Ship>();
  readonly #random: () => number;
  readonly #hz: number;
  readonly #tickMs: number;
  readonly #buffer: InputBufferOptions;
  #nextN = 1;
  #lastTick: number | undefined;

  /**
   * `random` in [0, 1) picks spawn points (inject a fixed one in tests); `tickHz` is the rate
   * the server steps at (told to clients in the welcome); `inputBuffer` tunes each player's
   * numbered-input buffer.
   */
  constructor(
    random: () => number = Math.random,
    options: { tickHz?: number; inputBuffer?: InputBufferOptions } = {},
  ) {
    this.#random = random;
    this.#hz = options.tickHz ?? 20;
    this.#tickMs = 1000 / this.#hz;
    this.#buffer = options.inputBuffer ?? {};
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
      pose: {
        x: Math.round(margin + this.#random() * (ARENA.width - 2 * margin)),
        y: Math.round(margin + this.#random() * (ARENA.height - 2 * margin)),
        angle: 0,
      },
      held: STILL,
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

  /** Hold a direction for player `id` (a client without numbered inputs). */
  setInput(id: string, input: Input): void {
    const ship = this.#ships.get(id);
    if (!ship) return;
    ship.held = { x: input.x, y: input.y };
    // Turning on the spot shows where the player points even before the ship moves.
    ship.pose = { ...ship.pose, angle: heading(input) ?? ship.pose.angle };
  }

  /**
   * Take one message from player `id`: numbered inputs, a held direction or a ping. Returns
   * the reply to send that player (a pong), if any. Anything else is ignored, never thrown on.
   */
  receive(id: string, message: unknown): PongMessage | undefined {
    const ship = this.#ships.get(id);
    if (!ship) return undefined;
    const record = message as Record<string, unknown> | null;
    if (record?.['type'] === 'ping') {
      const t = record['t'];
      return typeof t === 'number' && Number.isFinite(t) ? { type: 'pong', t } : undefined;
    }
    const numbered = parseNumberedInputs(message);
    if (numbered) {
      ship.inputs ??= new InputBuffer(this.#buffer);
      ship.inputs.receive(numbered.seq, numbered.moves);
      return undefined;
    }
    const input = parseInput(message);
    if (input && !ship.inputs) this.setInput(id, input);
    return undefined;
  }

  /**
   * Advance the world by one tick of `dtMs` milliseconds. Ships with numbered inputs apply
   * what their buffer releases this tick, each input one step of 1000/tickHz ms; the others
   * move along their held direction. `tick` (the loop's tick number) lets a player whose
   * inputs piled up while the loop skipped ticks catch up on them.
   */
  step(dtMs: number, tick?: number): void {
    const elapsed = tick !== undefined && this.#lastTick !== undefined ? tick - this.#lastTick : 1;
    if (tick !== undefined) this.#lastTick = tick;
    for (const ship of this.#ships.values()) {
      if (ship.inputs) {
        for (const input of ship.inputs.take(elapsed)) {
          ship.pose = stepShip(ship.pose, input, this.#tickMs);
        }
      } else ship.pose = stepShip(ship.pose, ship.held, dtMs);
    }
  }

  /** The welcome for player `id` (undefined when it has no ship). */
  welcome(id: string): WelcomeMessage | undefined {
    const ship = this.#ships.get(id);
    return ship && { type: 'welcome', id, n: ship.n, hz: this.#hz };
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
    const acks: number[] = [];
    let i = 0;
    for (const s of this.#ships.values()) {
      ships[i++] = s.n;
      ships[i++] = s.pose.x;
      ships[i++] = s.pose.y;
      ships[i++] = s.pose.angle;
      if (s.inputs) acks.push(s.n, s.inputs.ack);
    }
    return acks.length > 0
      ? { type: 'snapshot', tick, ships, acks }
      : { type: 'snapshot', tick, ships };
  }
}
