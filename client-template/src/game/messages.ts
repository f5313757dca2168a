/**
 * The arena's own messages (game code, not playgap): what the client sends and what the
 * authoritative server (server-template) sends back. Change these together with the server.
 *
 * Every ship has a small number `n`; who it is (client id, name) comes once in the roster, so
 * the per-tick snapshot carries only numbers.
 * - client → server `{"type":"input","seq":s,"moves":[c,...],"x","y"}` every fixed tick,
 *   unreliable: input `s` and the unacknowledged ones before it, oldest first, each a digit
 *   (`encodeInput` of the shared movement step); `x`/`y` repeat the newest for simple servers.
 * - client → server `{"type":"ping","t":<performance.now()>}` → `{"type":"pong","t"}` back.
 * - server → client, reliable: `{"type":"welcome","id","n","hz"}` once (which ship is yours,
 *   and the server's tick rate: an input is one step of 1000/hz ms);
 *   `{"type":"roster","ships":[[n,"<clientId>","<name>"],...]}` (add or update entries: all
 *   ships when you join, then the ships that joined, once per server tick);
 *   `{"type":"leave","ships":[n,...]}` (these ships left).
 * - server → client `{"type":"snapshot","tick":t,"ships":[n,x,y,a, ...]}` at the server's tick
 *   rate: four integers per ship (x, y whole units, angle in centiradians); a ship missing from
 *   a snapshot has left. `"acks":[n,s,...]`: per ship, the last numbered input the server
 *   applied (the client replays its later inputs on top of the pose).
 * The server side is server-template/src/game/arena.ts.
 */

export interface InputMessage {
  type: 'input';
  /** This input's number (1, 2, …, one per client tick). */
  seq: number;
  x: -1 | 0 | 1;
  y: -1 | 0 | 1;
  /** Inputs `seq - moves.length + 1` … `seq`, oldest first, as encodeInput digits. */
  moves: number[];
}

export interface PingMessage {
  type: 'ping';
  t: number;
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
  /** Ship number → the last of its numbered inputs the server applied. */
  acks?: ReadonlyMap<number, number>;
}

/** Who a ship is. */
export interface RosterEntry {
  n: number;
  id: string;
  name: string;
}

/** Arena size in world units (the server's: the shared movement rule's). */
export { ARENA } from '@playgap/server-template/movement';

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
  const tick = isFiniteNumber(record.tick) ? record.tick : 0;
  if (!Array.isArray(record.acks)) return { type: 'snapshot', tick, ships };
  const acks = new Map<number, number>();
  const pairs = record.acks as unknown[];
  for (let i = 0; i + 2 <= pairs.length; i += 2) {
    const [n, seq] = [pairs[i], pairs[i + 1]];
    if (isFiniteNumber(n) && isFiniteNumber(seq)) acks.set(n, seq);
  }
  return { type: 'snapshot', tick, ships, acks };
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
export function readYourShip(
  message: unknown,
): { id: string; n?: number; hz?: number } | undefined {
  const record = asRecord(message);
  if (record?.type !== 'welcome') return undefined;
  if (typeof record.id !== 'string' && typeof record.id !== 'number') return undefined;
  const yours: { id: string; n?: number; hz?: number } = { id: String(record.id) };
  if (isFiniteNumber(record.n)) yours.n = record.n;
  if (isFiniteNumber(record.hz) && record.hz > 0 && record.hz <= 1000) yours.hz = record.hz;
  return yours;
}

/**
 * The number a pong echoes (`{"type":"pong","t"}`), else undefined.
 *
 * @example
 * readPong({ type: 'pong', t: 1234.5 }); // 1234.5
 */
export function readPong(message: unknown): number | undefined {
  const record = asRecord(message);
  return record?.type === 'pong' && isFiniteNumber(record.t) ? record.t : undefined;
}
