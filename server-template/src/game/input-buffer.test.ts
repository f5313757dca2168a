import { describe, expect, it } from 'vitest';
import { InputBuffer, MAX_INPUTS_PER_MESSAGE } from './input-buffer.js';
import { decodeInput, encodeInput, type Input, stepShip } from './movement.js';

const R: Input = { x: 1, y: 0 };
const L: Input = { x: -1, y: 0 };
const D: Input = { x: 0, y: 1 };

describe('InputBuffer', () => {
  it('applies one input per tick in order and acknowledges the last one applied', () => {
    const buffer = new InputBuffer();
    expect(buffer.ack).toBe(0);
    buffer.receive(1, [R]);
    buffer.receive(2, [R, L]);
    expect(buffer.take()).toEqual([R]);
    expect(buffer.ack).toBe(1);
    expect(buffer.take()).toEqual([L]);
    expect(buffer.ack).toBe(2);
  });

  it('stands still (applies nothing) while the next input has not arrived', () => {
    const buffer = new InputBuffer();
    buffer.receive(1, [R]);
    buffer.take();
    expect(buffer.take()).toEqual([]);
    expect(buffer.ack).toBe(1);
  });

  it('fills a lost message from the repeats in the next one, and ignores duplicates', () => {
    const buffer = new InputBuffer();
    buffer.receive(1, [R]);
    // message 2 (L) was lost; message 3 repeats the unacknowledged inputs 1..3
    buffer.receive(3, [R, L, D]);
    buffer.receive(3, [R, L, D]);
    expect([buffer.take(), buffer.take(), buffer.take(), buffer.take()]).toEqual([
      [R],
      [L],
      [D],
      [],
    ]);
    expect(buffer.ack).toBe(3);
  });

  it('takes a reordered older message as nothing new', () => {
    const buffer = new InputBuffer();
    buffer.receive(3, [R, L, D]);
    buffer.receive(2, [R, L]);
    expect(buffer.depth).toBe(3);
  });

  it('skips inputs lost for good (a gap no message filled) and acknowledges past them', () => {
    const buffer = new InputBuffer();
    buffer.receive(1, [R]);
    buffer.take();
    buffer.receive(5, [D]); // 2..4 never arrived
    expect(buffer.take()).toEqual([D]);
    expect(buffer.ack).toBe(5);
  });

  it('catches up on a burst after a stall with one extra input per tick, no faster', () => {
    const buffer = new InputBuffer({ targetDepth: 2, maxCatchUpTicks: 10 });
    buffer.receive(1, [R]);
    buffer.take();
    for (let i = 0; i < 6; i++) expect(buffer.take()).toEqual([]); // 6 ticks of silence
    buffer.receive(8, [R, R, R, R, R, R, R]); // inputs 2..8 arrive at once
    // two a tick while more than targetDepth would be left waiting, then one
    const perTick = [1, 2, 3, 4, 5].map(() => buffer.take().length);
    expect(perTick).toEqual([2, 2, 1, 1, 1]);
    expect(buffer.ack).toBe(8);
  });

  it('does not let a client that sends more than one input per tick run faster', () => {
    const buffer = new InputBuffer({ targetDepth: 2, maxCatchUpTicks: 10 });
    let seq = 0;
    let applied = 0;
    for (let tick = 0; tick < 100; tick++) {
      seq += 2;
      buffer.receive(seq, [R, R]);
      applied += buffer.take().length;
    }
    expect(applied).toBe(100);
  });

  it('drops the oldest inputs beyond maxQueued and acknowledges them', () => {
    const buffer = new InputBuffer({ maxQueued: 4 });
    buffer.receive(6, [R, R, R, R, R, L]);
    expect(buffer.depth).toBe(4);
    expect(buffer.ack).toBe(2);
  });

  it('refuses malformed messages', () => {
    const buffer = new InputBuffer();
    expect(buffer.receive(0, [R])).toBe(false);
    expect(buffer.receive(1.5, [R])).toBe(false);
    expect(buffer.receive(3, [])).toBe(false);
    expect(buffer.receive(99, new Array(MAX_INPUTS_PER_MESSAGE + 1).fill(R))).toBe(false);
    expect(buffer.depth).toBe(0);
  });
});

describe('movement', () => {
  it('encodes every input as a digit and back', () => {
    for (const x of [-1, 0, 1] as const)
      for (const y of [-1, 0, 1] as const)
        expect(decodeInput(encodeInput({ x, y }))).toEqual({ x, y });
    for (const bad of [-1, 9, 1.5, '4', null]) expect(decodeInput(bad)).toBeUndefined();
  });

  it('moves whole units, √½ per axis on a diagonal, and stays inside the arena', () => {
    expect(stepShip({ x: 400, y: 300, angle: 0 }, R, 50)).toEqual({ x: 411, y: 300, angle: 0 });
    expect(stepShip({ x: 400, y: 300, angle: 0 }, { x: 1, y: 1 }, 50)).toEqual({
      x: 408,
      y: 308,
      angle: 79,
    });
    expect(stepShip({ x: 20, y: 300, angle: 0 }, L, 50)).toEqual({ x: 16, y: 300, angle: 314 });
    const still = { x: 1, y: 2, angle: 3 };
    expect(stepShip(still, { x: 0, y: 0 }, 50)).toBe(still);
  });
});
