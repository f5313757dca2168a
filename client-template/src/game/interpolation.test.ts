import { describe, expect, it } from 'vitest';
import { SnapshotBuffer } from './interpolation.js';
import { readSnapshot } from './messages.js';

const ship = (id: string, x: number, angle = 0) => ({ id, name: id, x, y: 0, angle });

describe('SnapshotBuffer', () => {
  it('blends the two snapshots around now - delay', () => {
    const buffer = new SnapshotBuffer(100);
    buffer.push({ type: 'snapshot', tick: 1, ships: [ship('a', 0)] }, 1000);
    buffer.push({ type: 'snapshot', tick: 2, ships: [ship('a', 10)] }, 1050);
    expect(buffer.sample(1125)[0]?.x).toBeCloseTo(5);
  });

  it('drops a ship that is missing from the latest snapshot (a player who left)', () => {
    const buffer = new SnapshotBuffer(100);
    buffer.push({ type: 'snapshot', tick: 1, ships: [ship('a', 0), ship('b', 0)] }, 1000);
    buffer.push({ type: 'snapshot', tick: 2, ships: [ship('a', 1)] }, 1050);
    expect(buffer.sample(1125).map((s) => s.id)).toEqual(['a']);
  });

  it('turns the short way round across ±π', () => {
    const buffer = new SnapshotBuffer(0);
    buffer.push({ type: 'snapshot', tick: 1, ships: [ship('a', 0, 3.1)] }, 0);
    buffer.push({ type: 'snapshot', tick: 2, ships: [ship('a', 0, -3.1)] }, 100);
    const angle = buffer.sample(50)[0]?.angle ?? 0;
    expect(Math.abs(angle)).toBeGreaterThan(3.1);
  });

  it('shows nothing before the first snapshot', () => {
    expect(new SnapshotBuffer().sample(0)).toEqual([]);
  });
});

describe('readSnapshot', () => {
  it('keeps well-formed ships and skips malformed ones', () => {
    const snapshot = readSnapshot({
      type: 'snapshot',
      tick: 3,
      ships: [{ id: 7, x: 1, y: 2 }, { id: 'x' }, null],
    });
    expect(snapshot?.ships).toEqual([{ id: '7', name: '', x: 1, y: 2, angle: 0 }]);
  });

  it('ignores messages that are not snapshots', () => {
    expect(readSnapshot({ type: 'chat' })).toBeUndefined();
    expect(readSnapshot('snapshot')).toBeUndefined();
  });
});
