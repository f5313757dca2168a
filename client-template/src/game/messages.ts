/**
 * The arena's own messages (game code, not playgap): what the client sends and what the
 * authoritative server (server-template) snapshots. Change these together with the server.
 *
 * - client → server `{"type":"input","x":-1|0|1,"y":-1|0|1}` (sent on change, and every 250 ms)
 * - server → client `{"type":"snapshot","tick":n,"ships":[{"id","name","x","y","angle"}]}` at the
 *   server's tick rate; a ship missing from a snapshot has left.
 * - server → client `{"type":"welcome","id"}` once: which ship is yours.
 * The server side is server-template/src/game/arena.ts.
 */

export interface InputMessage {
  type: 'input';
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

/** Arena size in world units (the server's, too). */
export const ARENA = { width: 800, height: 600 } as const;

function isShip(value: unknown): value is ShipState {
  if (typeof value !== 'object' || value === null) return false;
  const ship = value as Record<string, unknown>;
  return (
    (typeof ship.id === 'string' || typeof ship.id === 'number') &&
    typeof ship.x === 'number' &&
    typeof ship.y === 'number'
  );
}

/**
 * The snapshot in a server message, or undefined when the message is something else.
 *
 * @example
 * readSnapshot({ type: 'snapshot', tick: 1, ships: [] })?.tick; // 1
 */
export function readSnapshot(message: unknown): SnapshotMessage | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const record = message as Record<string, unknown>;
  if (record.type !== 'snapshot' || !Array.isArray(record.ships)) return undefined;
  return {
    type: 'snapshot',
    tick: typeof record.tick === 'number' ? record.tick : 0,
    ships: record.ships.filter(isShip).map((ship) => ({
      id: String(ship.id),
      name: typeof ship.name === 'string' ? ship.name : '',
      x: ship.x,
      y: ship.y,
      angle: typeof ship.angle === 'number' ? ship.angle : 0,
    })),
  };
}

/**
 * Your ship's id from the game's welcome `{"type":"welcome","id"}`, else undefined.
 *
 * @example
 * readYourShip({ type: 'welcome', id: '42' }); // '42'
 */
export function readYourShip(message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const record = message as Record<string, unknown>;
  if (record.type !== 'welcome') return undefined;
  return typeof record.id === 'string' || typeof record.id === 'number'
    ? String(record.id)
    : undefined;
}
