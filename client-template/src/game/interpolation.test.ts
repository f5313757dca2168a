import { describe, expect, it } from 'vitest';
import { SnapshotBuffer } from './interpolation.js';
import { readLeave, readRoster, readSnapshot, readYourShip } from './messages.js';
import { Roster } from './roster.js';

const ship = (n: number, x: number, angle = 0) => ({ n, x, y: 0, angle });

describe('SnapshotBuffer', () => {
  it('blends the two snapshots around now - delay', () => {
    const buffer = new SnapshotBuffer(100);
    buffer.push({ type: 'snapshot', tick: 1, ships: [ship(1, 0)] }, 1000);
    buffer.push({ type: 'snapshot', tick: 2, ships: [ship(1, 10)] }, 1050);
    expect(buffer.sample(1125)[0]?.x).toBeCloseTo(5);
  });

  it('drops a ship that is missing from the latest snapshot (a player who left)', () => {
    const buffer = new SnapshotBuffer(100);
    buffer.push({ type: 'snapshot', tick: 1, ships: [ship(1, 0), ship(2, 0)] }, 1000);
    buffer.push({ type: 'snapshot', tick: 2, ships: [ship(1, 1)] }, 1050);
    expect(buffer.sample(1125).map((s) => s.n)).toEqual([1]);
  });

  it('turns the short way round across ±π', () => {
    const buffer = new SnapshotBuffer(0);
    buffer.push({ type: 'snapshot', tick: 1, ships: [ship(1, 0, 3.1)] }, 0);
    buffer.push({ type: 'snapshot', tick: 2, ships: [ship(1, 0, -3.1)] }, 100);
    const angle = buffer.sample(50)[0]?.angle ?? 0;
    expect(Math.abs(angle)).toBeGreaterThan(3.1);
  });

  it('shows nothing before the first snapshot', () => {
    expect(new SnapshotBuffer().sample(0)).toEqual([]);
  });
});

describe('readSnapshot', () => {
  it('reads four numbers per ship, angle from centiradians', () => {
    const snapshot = readSnapshot({ type: 'snapshot', tick: 3, ships: [7, 1, 2, 157, 8, 5, 6, 0] });
    expect(snapshot).toEqual({
      type: 'snapshot',
      tick: 3,
      ships: [
        { n: 7, x: 1, y: 2, angle: 1.57 },
        { n: 8, x: 5, y: 6, angle: 0 },
      ],
    });
  });

  it('skips malformed ships and a truncated tail', () => {
    const snapshot = readSnapshot({
      type: 'snapshot',
      tick: 3,
      ships: [7, 'x', 2, 0, 8, 5, 6, 0, 9, 1],
    });
    expect(snapshot?.ships.map((s) => s.n)).toEqual([8]);
  });

  it('ignores messages that are not snapshots', () => {
    expect(readSnapshot({ type: 'chat' })).toBeUndefined();
    expect(readSnapshot('snapshot')).toBeUndefined();
    expect(readSnapshot({ type: 'snapshot', ships: {} })).toBeUndefined();
  });
});

describe('roster messages', () => {
  it('reads roster entries and skips malformed ones', () => {
    expect(
      readRoster({ type: 'roster', ships: [[3, '42', 'Ada'], [4, 43], ['x', '1', 'y'], null] }),
    ).toEqual([
      { n: 3, id: '42', name: 'Ada' },
      { n: 4, id: '43', name: '' },
    ]);
    expect(readRoster({ type: 'snapshot', ships: [] })).toBeUndefined();
  });

  it('reads leave and welcome', () => {
    expect(readLeave({ type: 'leave', ships: [3, '4', 5] })).toEqual([3, 5]);
    expect(readLeave({ type: 'leave', n: 3 })).toBeUndefined();
    expect(readYourShip({ type: 'welcome', id: '42', n: 3 })).toEqual({ id: '42', n: 3 });
    expect(readYourShip({ type: 'welcome', id: 42 })).toEqual({ id: '42' });
    expect(readYourShip({ type: 'welcome' })).toBeUndefined();
  });

  it('names poses from the roster; unknown ships are unnamed until their entry lands', () => {
    const roster = new Roster();
    const poses = [ship(3, 10), ship(4, 20)];
    expect(roster.apply({ type: 'roster', ships: [[3, '42', 'Ada']] })).toBe(true);
    expect(roster.ships(poses).map((s) => [s.id, s.name, s.x])).toEqual([
      ['42', 'Ada', 10],
      ['#4', '', 20],
    ]);
    roster.apply({ type: 'roster', ships: [[4, '43', 'Bob']] });
    expect(roster.ships(poses).map((s) => s.name)).toEqual(['Ada', 'Bob']);
  });

  it('forgets a ship that left; other messages are not roster messages', () => {
    const roster = new Roster();
    roster.apply({ type: 'roster', ships: [[3, '42', 'Ada']] });
    expect(roster.apply({ type: 'leave', ships: [3] })).toBe(true);
    expect(roster.get(3)).toBeUndefined();
    expect(roster.apply({ type: 'snapshot', tick: 1, ships: [] })).toBe(false);
  });
});
