/**
 * The arena's own messages (game code, not playgap): what the client sends and what the
 * authoritative server (server-template) sends back. Change these together with the server.
 *
 * Every ship has a small number `n`; who it is (client id, name) comes once in the roster, so
 * the per-tick snapshot carries only numbers.
 * - client → server `{"type":"input","x":-1|0|1,"y":-1|0|1}` (sent on change, and every 250 ms)
 * - server → client, reliable: `{"type":"welcome","id","n"}` once (which ship is yours);
 *   `{"type":"roster","ships":[[n,"<clientId>","<name>"],...]}` (add or update entries: all
 *   ships when you join, then the ships that joined, once per server tick);
 *   `{"type":"leave","ships":[n,...]}` (these ships left).
 * - server → client `{"type":"snapshot","tick":t,"ships":[n,x,y,a, ...]}` at the server's tick
 *   rate: four integers per ship (x, y whole units, angle in centiradians); a ship missing from
 *   a snapshot has left.
 * The server side is server-template/src/game/arena.ts.
 */

export interface InputMessage {
  type: 'input';
  x: -1 | 0 | 1;
  y: -1 | 0 | 1;
}

/** A ship as drawn: pose from snapshots, id and name from the roster. */
export interface ShipState {
  id: string;
  name: string;
  x: number;
  y: number;
  angle: number;
}

/** Where ship `n` is in one snapshot. */
export interface ShipPose {
  n: number;
  x: number;
  y: number;
  /** Radians. */
  angle: number;
}

export interface SnapshotMessage {
  type: 'snapshot';
  tick: number;
  ships: ShipPose[];
}

/** Who a ship is. */
export interface RosterEntry {
  n: number;
  id: string;
  name: string;
}

/** Arena size in world units (the server's, too). */
export const ARENA = { width: 800, height: 600 } as const;

const STRIDE = 4;

const asRecord = (message: unknown): Record<string, unknown> | undefined =>
  typeof message === 'object' && message !== null
    ? (message as Record<string, unknown>)
    : undefined;

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * The snapshot in a server message, or undefined when the message is something else.
 * Ships whose four numbers are not all numbers are skipped.
 *
 * @example
 * readSnapshot({ type: 'snapshot', tick: 1, ships: [3, 400, 300, 157] })?.ships[0]; // { n: 3, x: 400, y: 300, angle: 1.57 }
 */
export function readSnapshot(message: unknown): SnapshotMessage | undefined {
  const record = asRecord(message);
  if (record?.type !== 'snapshot' || !Array.isArray(record.ships)) return undefined;
  const flat = record.ships as unknown[];
  const ships: ShipPose[] = [];
  for (let i = 0; i + STRIDE <= flat.length; i += STRIDE) {
    const [n, x, y, a] = [flat[i], flat[i + 1], flat[i + 2], flat[i + 3]];
    if (!isFiniteNumber(n) || !isFiniteNumber(x) || !isFiniteNumber(y) || !isFiniteNumber(a))
      continue;
    ships.push({ n, x, y, angle: a / 100 });
  }
  return { type: 'snapshot', tick: isFiniteNumber(record.tick) ? record.tick : 0, ships };
}

/**
 * The roster entries in a server message (`{"type":"roster"}`), else undefined. Malformed
 * entries are skipped.
 *
 * @example
 * readRoster({ type: 'roster', ships: [[3, '42', 'Ada']] }); // [{ n: 3, id: '42', name: 'Ada' }]
 */
export function readRoster(message: unknown): RosterEntry[] | undefined {
  const record = asRecord(message);
  if (record?.type !== 'roster' || !Array.isArray(record.ships)) return undefined;
  const entries: RosterEntry[] = [];
  for (const entry of record.ships as unknown[]) {
    if (!Array.isArray(entry)) continue;
    const [n, id, name] = entry as unknown[];
    if (!isFiniteNumber(n) || (typeof id !== 'string' && typeof id !== 'number')) continue;
    entries.push({ n, id: String(id), name: typeof name === 'string' ? name : '' });
  }
  return entries;
}

/**
 * The ship numbers in a `{"type":"leave","ships":[n,...]}` message, else undefined.
 *
 * @example
 * readLeave({ type: 'leave', ships: [3, 4] }); // [3, 4]
 */
export function readLeave(message: unknown): number[] | undefined {
  const record = asRecord(message);
  if (record?.type !== 'leave' || !Array.isArray(record.ships)) return undefined;
  return (record.ships as unknown[]).filter(isFiniteNumber);
}

/**
 * Your ship from the game's welcome `{"type":"welcome","id","n"}`, else undefined.
 *
 * @example
 * readYourShip({ type: 'welcome', id: '42', n: 3 }); // { id: '42', n: 3 }
 */
export function readYourShip(message: unknown): { id: string; n?: number } | undefined {
  const record = asRecord(message);
  if (record?.type !== 'welcome') return undefined;
  if (typeof record.id !== 'string' && typeof record.id !== 'number') return undefined;
  return isFiniteNumber(record.n)
    ? { id: String(record.id), n: record.n }
    : { id: String(record.id) };
}
