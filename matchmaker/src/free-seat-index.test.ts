import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExpiryQueue, FreeSeatIndex, laneOf } from './free-seat-index.js';

describe('FreeSeatIndex', () => {
  it('lists servers fullest first, per version, and drops a server filed with no free seat', () => {
    const index = new FreeSeatIndex();
    index.file('a', '1', 5);
    index.file('b', '1', 1);
    index.file('c', '2', 1);
    index.file('d', '1', 3);
    expect([...index.fullestFirst('1')]).toEqual(['b', 'd', 'a']);
    expect([...index.fullestFirst('2')]).toEqual(['c']);
    index.file('b', '1', 0);
    expect([...index.fullestFirst('1')]).toEqual(['d', 'a']);
    expect(index.free('b')).toBe(0);
    expect([...index.fullestFirst('none')]).toEqual([]);
  });

  it('moves a server between versions and free counts without leaving a copy behind', () => {
    const index = new FreeSeatIndex();
    index.file('a', '1', 2);
    index.file('a', '1', 4);
    index.file('a', '2', 4);
    expect([...index.fullestFirst('1')]).toEqual([]);
    expect([...index.fullestFirst('2')]).toEqual(['a']);
    index.remove('a');
    index.remove('a');
    expect([...index.fullestFirst('2')]).toEqual([]);
  });

  it('lets a caller remove servers while it walks them', () => {
    const index = new FreeSeatIndex();
    for (let i = 0; i < 200; i++) index.file(`s${i}`, '1', 1 + (i % 3));
    const seen: string[] = [];
    for (const id of index.fullestFirst('1')) {
      seen.push(id);
      index.remove(id);
    }
    expect(new Set(seen).size).toBe(200);
    expect([...index.fullestFirst('1')]).toEqual([]);
  });

  it('spreads over lanes: equally full servers lane by lane from its first lane, still fullest first', () => {
    const ids = Array.from({ length: 64 }, (_, i) => `srv-${i}`);
    const walk = (firstLane: number) => {
      const index = new FreeSeatIndex({ lanes: 16, firstLane });
      for (const id of ids) index.file(id, '1', 32);
      index.file('almost-full', '1', 2);
      // Not spread: filing order, whatever the lanes.
      expect([...index.fullestFirst('1')]).toEqual(['almost-full', ...ids]);
      return [...index.fullestFirst('1', true)];
    };
    const a = walk(3);
    const b = walk(11);
    // The fuller server before every empty one, whatever the lane.
    expect(a[0]).toBe('almost-full');
    expect(b[0]).toBe('almost-full');
    // Among the empty ones each starts in its own lane: a different next server to open.
    expect(laneOf(a[1]!, 16)).toBe(3);
    expect(laneOf(b[1]!, 16)).toBe(11);
    expect(a[1]).not.toBe(b[1]);
    expect(new Set(a)).toEqual(new Set(b));
    // A lane's servers stay in filing order; lanes wrap after the last.
    const lanesOfA = a.slice(1).map((id) => laneOf(id, 16));
    const firstWrap = lanesOfA.findIndex((lane) => lane < 3);
    expect(lanesOfA.slice(0, firstWrap).every((lane) => lane >= 3)).toBe(true);
    // Moving between free counts keeps a server in its lane.
    const index = new FreeSeatIndex({ lanes: 16, firstLane: laneOf('srv-5', 16) });
    for (const id of ids) index.file(id, '1', 32);
    index.file('srv-5', '1', 31);
    index.file('srv-5', '1', 32);
    const walked = [...index.fullestFirst('1', true)];
    const ownLane = walked.filter((id) => laneOf(id, 16) === laneOf('srv-5', 16));
    expect(walked.slice(0, ownLane.length)).toEqual(ownLane); // its lane comes first
    expect(ownLane.at(-1)).toBe('srv-5'); // filed again: last of its lane
  });

  it('is one lane in filing order by default, whatever firstLane says', () => {
    const index = new FreeSeatIndex({ firstLane: 7 });
    for (const id of ['c', 'a', 'b']) index.file(id, '1', 4);
    expect([...index.fullestFirst('1')]).toEqual(['c', 'a', 'b']);
    expect([...index.fullestFirst('1', true)]).toEqual(['c', 'a', 'b']);
    expect(laneOf('anything', 1)).toBe(0);
  });

  it('lists a server filed again under a count that emptied since the last walk', () => {
    const index = new FreeSeatIndex();
    index.file('a', '1', 900);
    index.file('b', '1', 1);
    expect([...index.fullestFirst('1')]).toEqual(['b', 'a']);
    index.file('a', '1', 899); // 900 empties...
    index.file('c', '1', 900); // ...and fills again before any walk
    index.remove('b'); // 1 empties for good
    expect([...index.fullestFirst('1')]).toEqual(['a', 'c']);
    index.file('b', '1', 1);
    expect([...index.fullestFirst('1')]).toEqual(['b', 'a', 'c']);
  });

  it('agrees with a sort of every filed server (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: -1, max: 40 })), {
          maxLength: 80,
        }),
        fc.integer({ min: 1, max: 5 }),
        (ops, lanes) => {
          const index = new FreeSeatIndex({ lanes, firstLane: 1 });
          const model = new Map<string, number>();
          for (const [server, free] of ops) {
            const id = `s${server}`;
            if (free < 0) {
              index.remove(id);
              model.delete(id);
            } else {
              index.file(id, 'v', free);
              if (free > 0) model.set(id, free);
              else model.delete(id);
            }
            if (server % 3 === 0) check(server % 2 === 0); // walks between the changes too
          }
          check(false);
          check(true);
          function check(spread: boolean) {
            const listed = [...index.fullestFirst('v', spread)];
            expect(new Set(listed)).toEqual(new Set(model.keys()));
            expect(listed).toHaveLength(model.size);
            const frees = listed.map((id) => model.get(id)!);
            expect(frees).toEqual([...frees].sort((a, b) => a - b));
          }
        },
      ),
    );
  });
});

describe('ExpiryQueue', () => {
  it('hands out each server once, when its soonest time has come', () => {
    const queue = new ExpiryQueue();
    queue.schedule('a', 30);
    queue.schedule('b', 10);
    queue.schedule('a', 20); // sooner: replaces 30
    queue.schedule('b', 40); // later than the pending 10: ignored
    expect([...queue.due(5)]).toEqual([]);
    expect([...queue.due(20)]).toEqual(['b', 'a']);
    expect([...queue.due(100)]).toEqual([]);
    expect(queue.size).toBe(0);
  });

  it('forgets a server it was told to', () => {
    const queue = new ExpiryQueue();
    queue.schedule('a', 1);
    queue.forget('a');
    expect([...queue.due(10)]).toEqual([]);
  });

  it('pops in time order whatever the insertion order (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1_000 }), { maxLength: 200 }), (times) => {
        const queue = new ExpiryQueue();
        for (const [i, at] of times.entries()) queue.schedule(`s${i}`, at);
        const order = [...queue.due(1_000)].map((id) => times[Number(id.slice(1))]!);
        expect(order).toEqual([...times].sort((a, b) => a - b));
      }),
    );
  });
});
