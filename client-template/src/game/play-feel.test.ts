/**
 * Play feel without a browser: the real server simulation (server-template's Arena with its
 * input buffers) and the client's prediction, talking through the simulated bad link (150 ms
 * RTT, ±20 ms jitter, 2 % loss each way) on a manual clock. The measure is correctness in
 * world units: where your ship is drawn each frame against the path your inputs command.
 */
import { Arena } from '@playgap/server-template/arena';
import { decodeInput, type Input, type Pose, stepShip } from '@playgap/server-template/movement';
import { describe, expect, it } from 'vitest';
import type { GameLink } from './arena-scene.js';
import { readSnapshot, readYourShip } from './messages.js';
import { OwnShipPrediction } from './prediction.js';
import { type SimLinkOptions, simulateLink } from './sim-link.js';

/** Deterministic random numbers (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Run {
  /** Largest distance between the drawn ship and the commanded path, any frame. */
  maxDrawnError: number;
  /** Largest move of the drawn ship from one frame to the next (a snap would show here). */
  maxFrameJump: number;
  /** Same for the server's pose as it reaches the client (what you would see unpredicted). */
  maxUnpredictedError: number;
  corrections: number[];
  snapped: number;
  frames: number;
}

/** Play `seconds` of the arena through `link` at 20 Hz with random held inputs. */
function play(link: SimLinkOptions, seconds: number, seed: number, resend?: number): Run {
  const random = seeded(seed);
  const events: { at: number; order: number; run: () => void }[] = [];
  let now = 0;
  let order = 0;
  const schedule = (run: () => void, delayMs: number) => {
    events.push({ at: now + Math.max(0, delayMs), order: order++, run });
  };
  const wire = (m: unknown) => JSON.parse(JSON.stringify(m)) as unknown;

  const hz = 20;
  const arena = new Arena(random, { tickHz: hz });
  arena.addShip('1', 'Ada');
  const listeners = new Set<(m: unknown) => void>();
  const toClient = (m: unknown) => {
    for (const l of listeners) l(wire(m));
  };
  const raw: GameLink = {
    selfId: '1',
    send: (m) => {
      const reply = arena.receive('1', wire(m));
      if (reply) toClient(reply);
    },
    onMessage: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  const isUnreliable = (m: unknown) => ['snapshot', 'pong'].includes((m as { type: string }).type);
  const game = simulateLink(raw, link, isUnreliable, { now: () => now, random, schedule });

  const spawn = readSnapshot(wire(arena.snapshot(0)))?.ships[0];
  let commanded: Pose = { x: spawn?.x ?? 0, y: spawn?.y ?? 0, angle: 0 };
  let prediction: OwnShipPrediction | undefined;
  let selfN: number | undefined;
  let lastTick = -1;
  let serverSeen: Pose | undefined;
  const run: Run = {
    maxDrawnError: 0,
    maxFrameJump: 0,
    maxUnpredictedError: 0,
    corrections: [],
    snapped: 0,
    frames: 0,
  };
  game.onMessage((m) => {
    const yours = readYourShip(m);
    if (yours) {
      selfN = yours.n;
      prediction = new OwnShipPrediction({
        tickMs: 1000 / (yours.hz ?? hz),
        ...(resend ? { resend } : {}),
      });
      return;
    }
    const snapshot = readSnapshot(m);
    if (!snapshot || snapshot.tick <= lastTick || selfN === undefined) return;
    lastTick = snapshot.tick;
    const own = snapshot.ships.find((s) => s.n === selfN);
    const ack = snapshot.acks?.get(selfN);
    if (!own) return;
    serverSeen = { x: own.x, y: own.y, angle: Math.round(own.angle * 100) };
    if (ack === undefined || !prediction) return;
    const c = prediction.reconcile(snapshot.tick, serverSeen, ack);
    if (c) {
      run.corrections.push(c.error);
      if (c.snapped && c.error > 0) run.snapped++;
    }
  });
  toClient(arena.welcome('1'));

  // The server's fixed tick.
  let tick = 0;
  const serverTick = () => {
    tick++;
    arena.step(1000 / hz, tick);
    toClient(arena.snapshot(tick));
    schedule(serverTick, 1000 / hz);
  };
  schedule(serverTick, 1000 / hz);

  // The page: frames at ~60 Hz (jittered), fixed input ticks from an accumulator, a held
  // direction that changes every 0.3–1.5 s, a ping a second.
  let held: Input = { x: 0, y: 0 };
  let accumulated = 0;
  let lastFrame = 0;
  let started = false;
  let lastDrawn: Pose | undefined;
  const changeInput = () => {
    held = decodeInput(Math.floor(random() * 9)) ?? held;
    schedule(changeInput, 300 + random() * 1200);
  };
  changeInput();
  const frame = () => {
    const frameMs = now - lastFrame;
    lastFrame = now;
    run.frames++;
    if (prediction) {
      const tickMs = 1000 / hz;
      if (!started) {
        started = true;
        accumulated = 0;
      } else accumulated += frameMs;
      while (accumulated >= tickMs) {
        accumulated -= tickMs;
        game.send(prediction.tick(held), false);
        commanded = stepShip(commanded, held, tickMs);
      }
      if (run.frames % 60 === 0) game.send({ type: 'ping', t: now }, false);
      const drawn = prediction.view(frameMs, accumulated / tickMs, held);
      if (drawn && lastDrawn) {
        const jump = Math.hypot(drawn.x - lastDrawn.x, drawn.y - lastDrawn.y);
        run.maxFrameJump = Math.max(run.maxFrameJump, jump);
      }
      lastDrawn = drawn;
      if (drawn) {
        const next = stepShip(commanded, held, tickMs);
        const k = accumulated / tickMs;
        const path = {
          x: commanded.x + (next.x - commanded.x) * k,
          y: commanded.y + (next.y - commanded.y) * k,
        };
        const off = Math.hypot(drawn.x - path.x, drawn.y - path.y);
        run.maxDrawnError = Math.max(run.maxDrawnError, off);
        if (serverSeen) {
          const lag = Math.hypot(serverSeen.x - path.x, serverSeen.y - path.y);
          run.maxUnpredictedError = Math.max(run.maxUnpredictedError, lag);
        }
      }
    }
    schedule(frame, 1000 / 60 + (random() - 0.5) * 4);
  };
  schedule(frame, 1000 / 60);

  while (events.length > 0 && now < seconds * 1000) {
    events.sort((a, b) => a.at - b.at || a.order - b.order);
    const next = events.shift();
    if (!next) break;
    now = next.at;
    next.run();
  }
  if (process.env.PLAYFEEL_DEBUG)
    console.log(
      JSON.stringify({
        ...run,
        corrections: [
          run.corrections.length,
          Math.max(...run.corrections),
          run.corrections.filter((c) => c > 0).length,
        ],
      }),
    );
  return run;
}

describe('play feel through the simulated link', () => {
  it('at 150 ms RTT ±20 ms and 2 % loss, your ship is drawn on the path your inputs command', () => {
    for (const seed of [1, 2, 3]) {
      const run = play({ rttMs: 150, jitterMs: 20, lossPct: 2 }, 60, seed);
      expect(run.frames).toBeGreaterThan(3000);
      expect(run.corrections.length).toBeGreaterThan(900);
      // The server applied exactly the inputs the client predicted: nothing to correct.
      expect(Math.max(...run.corrections)).toBe(0);
      expect(run.snapped).toBe(0);
      // The drawn ship strays from the commanded path only while a key change mid-tick blends
      // in (at most the two partial steps it had shown, 2 × 11 units), never by a round trip.
      expect(run.maxDrawnError).toBeLessThan(23);
      // No frame hops: at most a frame of flying (≈4 units) plus a share of a key change's blend.
      expect(run.maxFrameJump).toBeLessThan(10);
      // Without prediction the ship would trail its commanded path by a round trip or more.
      expect(run.maxUnpredictedError).toBeGreaterThan(60);
    }
  });

  it('repeating the unacknowledged inputs rides out even 20 % loss', () => {
    const run = play({ rttMs: 150, jitterMs: 40, lossPct: 20 }, 60, 7);
    expect(Math.max(...run.corrections)).toBe(0);
    expect(run.maxDrawnError).toBeLessThan(23);
  });

  it('inputs lost for good (no repeats) are corrected: by a step or so, blended, not snapped', () => {
    const run = play({ rttMs: 150, jitterMs: 20, lossPct: 5 }, 60, 8, 1);
    const moved = run.corrections.filter((c) => c > 0);
    expect(moved.length).toBeGreaterThan(5);
    expect(Math.max(...moved)).toBeLessThan(48);
    expect(run.snapped).toBe(0);
    // Blended: a frame moves the ship a little more than flying does, never the whole error.
    expect(run.maxFrameJump).toBeLessThan(Math.max(...moved) * 0.5 + 5);
  });

  it('locally (no simulated delay or loss) nothing is ever corrected', () => {
    const run = play({ rttMs: 0, jitterMs: 0, lossPct: 0 }, 20, 4);
    expect(Math.max(...run.corrections)).toBe(0);
    expect(run.maxDrawnError).toBeLessThan(23);
    expect(run.maxFrameJump).toBeLessThan(10);
  });
});
