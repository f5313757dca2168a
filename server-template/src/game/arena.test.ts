import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ARENA, Arena, MAX_NAME_LENGTH, parseInput, SHIP_RADIUS, SHIP_SPEED } from './arena.js';

describe('arena simulation', () => {
  it('moves a ship along its input at SHIP_SPEED and faces where it goes', () => {
    const arena = new Arena(() => 0.5);
    const start = arena.addShip('1', 'Ada');
    arena.setInput('1', { x: 1, y: 0 });
    arena.step(50);
    const [ship] = arena.snapshot(1).ships;
    expect(ship?.x).toBe(Math.round(start.x + SHIP_SPEED * 0.05));
    expect(ship?.y).toBe(Math.round(start.y));
    expect(ship?.angle).toBe(0);
    arena.setInput('1', { x: 0, y: 1 });
    arena.step(50);
    expect(arena.snapshot(2).ships[0]?.angle).toBeCloseTo(Math.PI / 2, 2);
  });

  it('moves diagonally at the same speed as straight', () => {
    const arena = new Arena(() => 0.5);
    const s = arena.addShip('1', 'a');
    arena.setInput('1', { x: 1, y: 1 });
    arena.step(100);
    const [ship] = arena.snapshot(1).ships;
    // snapshots round to whole units: allow one unit per axis
    expect(
      Math.abs(Math.hypot((ship?.x ?? 0) - s.x, (ship?.y ?? 0) - s.y) - SHIP_SPEED * 0.1),
    ).toBeLessThan(1.5);
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
          const ship = arena.snapshot(0).ships[0]!;
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

  it('a removed ship disappears from the next snapshot', () => {
    const arena = new Arena(() => 0.5);
    arena.addShip('1', 'a');
    arena.addShip('2', 'b');
    arena.removeShip('1');
    expect(arena.snapshot(1).ships.map((s) => s.id)).toEqual(['2']);
  });

  it('cuts over-long names', () => {
    const arena = new Arena(() => 0.5);
    expect(arena.addShip('1', 'x'.repeat(100)).name).toHaveLength(MAX_NAME_LENGTH);
  });

  it('ignores input for unknown ships', () => {
    const arena = new Arena();
    arena.setInput('nope', { x: 1, y: 1 });
    expect(arena.size).toBe(0);
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
