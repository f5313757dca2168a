import { stepShip } from '@playgap/server-template/movement';
import { describe, expect, it } from 'vitest';
import { OwnShipPrediction } from './prediction.js';

const R = { x: 1, y: 0 } as const;
const D = { x: 0, y: 1 } as const;
const START = { x: 400, y: 300, angle: 0 };

describe('OwnShipPrediction', () => {
  it('numbers each tick and repeats the unacknowledged inputs, oldest first', () => {
    const own = new OwnShipPrediction({ tickMs: 50, resend: 3 });
    own.tick(R);
    own.tick(D);
    expect(own.tick(R)).toEqual({ type: 'input', seq: 3, x: 1, y: 0, moves: [7, 5, 7] });
    expect(own.tick(D).moves).toEqual([5, 7, 5]);
    own.reconcile(1, START, 3);
    expect(own.tick(R).moves).toEqual([5, 7]);
  });

  it('replays the inputs after the ack on top of the server pose: no correction when it agrees', () => {
    const own = new OwnShipPrediction({ tickMs: 50 });
    for (const input of [R, R, D]) own.tick(input);
    expect(own.reconcile(1, START, 0)).toEqual({ error: 0, snapped: true }); // the first one sets it
    const afterOne = stepShip(START, R, 50);
    own.tick(D);
    const c = own.reconcile(2, afterOne, 1);
    expect(c).toEqual({ error: 0, snapped: false });
    expect(own.pending).toBe(3);
    expect(own.predicted).toEqual(stepShip(stepShip(stepShip(afterOne, R, 50), D, 50), D, 50));
  });

  it('ignores a snapshot older than one already taken (reordered)', () => {
    const own = new OwnShipPrediction({ tickMs: 50 });
    own.tick(R);
    own.reconcile(5, START, 1);
    expect(own.reconcile(4, { x: 0, y: 0, angle: 0 }, 0)).toBeUndefined();
    expect(own.predicted).toEqual(START);
  });

  it('blends a small correction over frames and snaps a large one', () => {
    const own = new OwnShipPrediction({ tickMs: 50, snapDistance: 48, blendHalfLifeMs: 40 });
    own.reconcile(1, START, 0);
    // The server saw the ship 10 units to the left (an input lost for good).
    const small = own.reconcile(2, { ...START, x: 390 }, 0);
    expect(small).toEqual({ error: 10, snapped: false });
    expect(own.view(0, 0)?.x).toBeCloseTo(400); // still drawn where it was
    expect(own.view(40, 0)?.x).toBeCloseTo(395); // half the way after one half-life
    expect(own.view(400, 0)?.x).toBeCloseTo(390, 1);
    const large = own.reconcile(3, { ...START, x: 300 }, 0);
    expect(large).toEqual({ error: 90, snapped: true });
    expect(own.view(0, 0)?.x).toBe(300);
  });

  it('draws the partial step of the held input, so a key shows before the next tick', () => {
    const own = new OwnShipPrediction({ tickMs: 50 });
    own.reconcile(1, START, 0);
    expect(own.view(16, 0.5, R)).toMatchObject({ x: 405.5, y: 300 });
  });

  it('carries on from where the ship was drawn when the key changes mid-tick (no hop)', () => {
    const own = new OwnShipPrediction({ tickMs: 50 });
    own.reconcile(1, START, 0);
    const before = own.view(16, 0.9, R);
    const after = own.view(0, 0.9, { x: -1, y: 0 });
    expect(after?.x).toBeCloseTo(before?.x ?? 0);
  });

  it('forgets the oldest inputs when the server never acknowledges any', () => {
    const own = new OwnShipPrediction({ tickMs: 50, maxPending: 4 });
    for (let i = 0; i < 10; i++) own.tick(R);
    expect(own.pending).toBe(4);
  });
});
