/**
 * The arena's movement rule, shared by the authoritative server and the client's prediction
 * (client-template imports it as `@playgap/server-template/movement`): one pure step that gives
 * the same answer in Node and in the browser. Poses are whole world units and headings whole
 * centiradians, so a snapshot carries the server's state exactly and a client replaying the
 * same inputs from it lands on the same numbers (no float drift to reconcile away).
 */

/** Arena size in world units. */
export const ARENA = { width: 800, height: 600 } as const;
/** Ship speed in world units per second. */
export const SHIP_SPEED = 220;
/** How far a ship keeps from the arena's edge. */
export const SHIP_RADIUS = 16;

export interface Input {
  x: -1 | 0 | 1;
  y: -1 | 0 | 1;
}

/** Where a ship is: whole world units; `angle` in whole centiradians (0 = +x, +y is down). */
export interface Pose {
  x: number;
  y: number;
  angle: number;
}

/** Heading in centiradians for each input code (see encodeInput); none for "no input". */
const HEADINGS = [-236, 314, 236, -157, 0, 157, -79, 0, 79] as const;

/**
 * One input as a digit 0–8, `(x + 1) * 3 + (y + 1)`: inputs travel as short arrays of these.
 *
 * @example
 * encodeInput({ x: 1, y: 0 }); // 7
 */
export function encodeInput(input: Input): number {
  return (input.x + 1) * 3 + (input.y + 1);
}

/**
 * The input a digit stands for; undefined for anything but an integer 0–8.
 *
 * @example
 * decodeInput(7); // { x: 1, y: 0 }
 */
export function decodeInput(code: unknown): Input | undefined {
  if (typeof code !== 'number' || !Number.isInteger(code) || code < 0 || code > 8) return undefined;
  return { x: (Math.floor(code / 3) - 1) as Input['x'], y: ((code % 3) - 1) as Input['y'] };
}

/**
 * Where a ship holding `input` faces, in centiradians; undefined for no input.
 *
 * @example
 * heading({ x: 0, y: 1 }); // 157
 */
export function heading(input: Input): number | undefined {
  return input.x === 0 && input.y === 0 ? undefined : HEADINGS[encodeInput(input)];
}

/**
 * Move a ship by one step of `dtMs` with `input` held. Each axis moves a whole number of units
 * (a diagonal moves √½ as far per axis), the ship stays `SHIP_RADIUS` inside the arena, and it
 * faces where it goes (it keeps its heading when the input is released).
 *
 * @example
 * stepShip({ x: 400, y: 300, angle: 0 }, { x: 1, y: 0 }, 50); // { x: 411, y: 300, angle: 0 }
 */
export function stepShip(pose: Pose, input: Input, dtMs: number): Pose {
  if (input.x === 0 && input.y === 0) return pose;
  const distance = (SHIP_SPEED * dtMs) / 1000;
  const perAxis = Math.round(input.x !== 0 && input.y !== 0 ? distance * Math.SQRT1_2 : distance);
  return {
    x: clamp(pose.x + input.x * perAxis, SHIP_RADIUS, ARENA.width - SHIP_RADIUS),
    y: clamp(pose.y + input.y * perAxis, SHIP_RADIUS, ARENA.height - SHIP_RADIUS),
    angle: heading(input) ?? pose.angle,
  };
}

const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);
