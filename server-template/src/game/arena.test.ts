import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ARENA,
  Arena,
  MAX_NAME_LENGTH,
  parseInput,
  parseNumberedInputs,
  readPoses,
  SHIP_RADIUS,
  SHIP_SPEED,
  SNAPSHOT_STRIDE,
} from './arena.js';
import { decodeInput, encodeInput, stepShip } from './movement.js';

const poses = (arena: Arena, tick = 1) => readPoses(arena.snapshot(tick));

describe('arena simulation', () => {
  it('moves a ship along its input at SHIP_SPEED and faces where it goes', () => {
    const arena = new Arena(() => 0.5);
    const n = arena.addShip('1', 'Ada');
    const [start] = poses(arena);
    arena.setInput('1', { x: 1, y: 0 });
    arena.step(50);
    const [ship] = poses(arena);
    expect(ship?.n).toBe(n);
    expect(ship?.x).toBe(Math.round((start?.x ?? 0) + SHIP_SPEED * 0.05));
    expect(ship?.y).toBe(start?.y);
    expect(ship?.angle).toBe(0);
    arena.setInput('1', { x: 0, y: 1 });
    arena.step(50);
    expect(poses(arena, 2)[0]?.angle).toBeCloseTo(Math.PI / 2, 2);
  });

  it('moves diagonally at the same speed as straight', () => {
    const arena = new Arena(() => 0.5);
    arena.addShip('1', 'a');
    const [s] = poses(arena);
    arena.setInput('1', { x: 1, y: 1 });
    arena.step(100);
    const [ship] = poses(arena);
    // snapshots round to whole units: allow one unit per axis
    expect(
      Math.abs(Math.hypot((ship?.x ?? 0) - (s?.x ?? 0), (ship?.y ?? 0) - (s?.y ?? 0)) - 22),
    ).toBeLessThan(1.5);
  });

  it('stops when the input is released and keeps facing the last direction', () => {
    const arena = new Arena(() => 0.5);
    arena.addShip('1', 'a');
    arena.setInput('1', { x: -1, y: 0 });
    arena.step(50);
    arena.setInput('1', { x: 0, y: 0 });
    const [before] = poses(arena);
    arena.step(500);
    expect(poses(arena)[0]).toEqual(before);
    expect(before?.angle).toBeCloseTo(Math.PI, 2);
  });

  it('keeps every ship inside the arena whatever the inputs', () => {
    const axis = fc.constantFrom(-1 as const, 0 as const, 1 as const);
    fc.assert(
      fc.property(
        fc.array(fc.record({ x: axis, y: axis, ms: fc.integer({ min: 1, max: 2000 }) }), {
          maxLength: 30,
        }),
        (steps) => {
          const arena = new Arena(() => 0.1);
          arena.addShip('1', 'a');
          for (const s of steps) {
            arena.setInput('1', { x: s.x, y: s.y });
            arena.step(s.ms);
          }
          const ship = poses(arena)[0]!;
          return (
            ship.x >= SHIP_RADIUS &&
            ship.x <= ARENA.width - SHIP_RADIUS &&
            ship.y >= SHIP_RADIUS &&
            ship.y <= ARENA.height - SHIP_RADIUS
          );
        },
      ),
    );
  });

  it('snapshots carry four integers per ship and no names', () => {
    const arena = new Arena(() => 0.37);
    for (let i = 0; i < 5; i++) arena.addShip(String(i), `pilot-${i}`);
    arena.setInput('2', { x: 1, y: -1 });
    arena.step(33);
    const snapshot = arena.snapshot(9);
    expect(snapshot.tick).toBe(9);
    expect(snapshot.ships).toHaveLength(5 * SNAPSHOT_STRIDE);
    expect(snapshot.ships.every(Number.isInteger)).toBe(true);
    expect(JSON.stringify(snapshot)).not.toContain('pilot');
  });

  it('gives every ship its own number, not reused after a leave', () => {
    const arena = new Arena(() => 0.5);
    const a = arena.addShip('1', 'a');
    const b = arena.addShip('2', 'b');
    expect(arena.removeShip('1')).toBe(a);
    const c = arena.addShip('3', 'c');
    expect(new Set([a, b, c]).size).toBe(3);
    expect(arena.removeShip('1')).toBeUndefined();
  });

  it('a removed ship disappears from the next snapshot and the roster', () => {
    const arena = new Arena(() => 0.5);
    arena.addShip('1', 'a');
    const b = arena.addShip('2', 'b');
    arena.removeShip('1');
    expect(poses(arena).map((s) => s.n)).toEqual([b]);
    expect(arena.roster().ships).toEqual([[b, '2', 'b']]);
  });

  it('the roster names every ship; roster(ids) only those still here; welcome says which is yours', () => {
    const arena = new Arena(() => 0.5);
    const a = arena.addShip('11', 'Ada');
    const b = arena.addShip('12', 'Bob');
    expect(arena.roster()).toEqual({
      type: 'roster',
      ships: [
        [a, '11', 'Ada'],
        [b, '12', 'Bob'],
      ],
    });
    expect(arena.roster(['12', 'nope']).ships).toEqual([[b, '12', 'Bob']]);
    expect(arena.roster([]).ships).toEqual([]);
    expect(arena.welcome('12')).toEqual({ type: 'welcome', id: '12', n: b, hz: 20 });
    expect(arena.welcome('nope')).toBeUndefined();
  });

  it('cuts over-long names', () => {
    const arena = new Arena(() => 0.5);
    arena.addShip('1', 'x'.repeat(100));
    expect(arena.roster().ships[0]?.[2]).toHaveLength(MAX_NAME_LENGTH);
  });

  it('ignores input for unknown ships', () => {
    const arena = new Arena();
    arena.setInput('nope', { x: 1, y: 1 });
    expect(arena.size).toBe(0);
  });
});

describe('numbered inputs', () => {
  const right = encodeInput({ x: 1, y: 0 });
  const down = encodeInput({ x: 0, y: 1 });

  it('applies one numbered input per tick and acknowledges it in the snapshot', () => {
    const arena = new Arena(() => 0.5, { tickHz: 20 });
    const n = arena.addShip('1', 'Ada');
    const [start] = poses(arena);
    arena.receive('1', { type: 'input', seq: 2, moves: [right, down] });
    arena.step(50, 1);
    expect(arena.snapshot(1).acks).toEqual([n, 1]);
    arena.step(50, 2);
    const snapshot = arena.snapshot(2);
    expect(snapshot.acks).toEqual([n, 2]);
    expect(readPoses(snapshot)[0]).toMatchObject({
      x: (start?.x ?? 0) + 11,
      y: (start?.y ?? 0) + 11,
    });
  });

  it('the server path is the client path: replaying the acknowledged inputs gives the snapshot', () => {
    const arena = new Arena(() => 0.3, { tickHz: 30 });
    arena.addShip('1', 'Ada');
    const spawn = poses(arena)[0];
    let pose = { x: spawn?.x ?? 0, y: spawn?.y ?? 0, angle: 0 };
    const codes = [8, 8, 7, 6, 1, 1, 0, 5, 5, 4, 2, 3];
    for (let seq = 1; seq <= codes.length; seq++) {
      arena.receive('1', { type: 'input', seq, moves: codes.slice(Math.max(0, seq - 3), seq) });
      arena.step(1000 / 30, seq);
      pose = stepShip(pose, decodeInput(codes[seq - 1])!, 1000 / 30);
    }
    const snapshot = arena.snapshot(99);
    expect(snapshot.ships.slice(1)).toEqual([pose.x, pose.y, pose.angle]);
  });

  it('a ship driven by numbered inputs ignores held-direction inputs and stands still without input', () => {
    const arena = new Arena(() => 0.5);
    arena.addShip('1', 'Ada');
    arena.receive('1', { type: 'input', seq: 1, moves: [right] });
    arena.step(50, 1);
    const [after] = poses(arena);
    arena.receive('1', { type: 'input', x: 1, y: 0 });
    arena.step(50, 2);
    expect(poses(arena)[0]).toEqual(after);
  });

  it('ships with held directions get no ack; a malformed numbered input is ignored', () => {
    const arena = new Arena(() => 0.5);
    arena.addShip('1', 'a');
    arena.receive('1', { type: 'input', x: 1, y: 0 });
    arena.receive('1', { type: 'input', seq: 1, moves: [9] });
    arena.step(50);
    expect(arena.snapshot(1).acks).toBeUndefined();
    expect(parseNumberedInputs({ type: 'input', seq: 1, moves: [1, 'x'] })).toBeUndefined();
  });

  it('answers a ping with a pong carrying the same number, and nothing else', () => {
    const arena = new Arena();
    arena.addShip('1', 'a');
    expect(arena.receive('1', { type: 'ping', t: 123.5 })).toEqual({ type: 'pong', t: 123.5 });
    expect(arena.receive('1', { type: 'ping', t: 'x' })).toBeUndefined();
    expect(arena.receive('nope', { type: 'ping', t: 1 })).toBeUndefined();
    expect(arena.receive('1', { type: 'input', x: 1, y: 0 })).toBeUndefined();
  });
});

describe('parseInput', () => {
  it('reads {type:"input",x,y} and clamps axes to -1/0/1', () => {
    expect(parseInput({ type: 'input', x: 1, y: -1 })).toEqual({ x: 1, y: -1 });
    expect(parseInput({ type: 'input', x: 5, y: 'up' })).toEqual({ x: 0, y: 0 });
  });

  it('reads {t:"input",up,down,left,right}', () => {
    expect(parseInput({ t: 'input', up: true, left: true })).toEqual({ x: -1, y: -1 });
    expect(parseInput({ t: 'input', up: true, down: true })).toEqual({ x: 0, y: 0 });
  });

  it('returns undefined for anything that is not an input', () => {
    for (const m of [null, 3, 'input', [], { type: 'chat' }, {}])
      expect(parseInput(m)).toBeUndefined();
  });
});
