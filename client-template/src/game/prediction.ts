/**
 * Client-side prediction of the player's own ship. Each fixed tick the held input is numbered,
 * applied locally at once (the same `stepShip` the server runs) and sent with the recent
 * unacknowledged inputs. When a snapshot says which input the server applied last, the
 * prediction restarts from the server's pose and replays the inputs after it: with the shared
 * step that lands exactly where the prediction was, unless the server saw something else (an
 * input lost for good, a dropped backlog). Such a correction is blended away over a few frames
 * when small and snapped when large, so the ship never rubber-bands.
 */
import { encodeInput, type Input, type Pose, stepShip } from '@playgap/server-template/movement';
import type { InputMessage } from './messages.js';

export interface PredictionOptions {
  /** One input's step in ms: 1000 / the server's tick rate (from its welcome). */
  tickMs: number;
  /** A correction at least this far (world units) is snapped; smaller ones blend. Default 48. */
  snapDistance?: number;
  /** Time for a blended correction to shrink by half, ms. Default 40. */
  blendHalfLifeMs?: number;
  /** Most unacknowledged inputs repeated in each input message. Default 10. */
  resend?: number;
  /** Most unacknowledged inputs kept (an old server that never acks). Default 120. */
  maxPending?: number;
}

/** What one reconciliation found. */
export interface Correction {
  /** How far the replayed prediction is from where it was, world units (0 = it matched). */
  error: number;
  snapped: boolean;
}

const STILL: Input = { x: 0, y: 0 };

/**
 * Predicts and reconciles one ship.
 *
 * @example
 * const own = new OwnShipPrediction({ tickMs: 50 });
 * channel.send(own.tick({ x: 1, y: 0 }));        // every fixed tick
 * own.reconcile(snapshot.tick, pose, ack);        // on each snapshot with your ship
 * const drawn = own.view(frameMs, tickFraction, heldInput);
 */
export class OwnShipPrediction {
  readonly #tickMs: number;
  readonly #snapDistance: number;
  readonly #halfLifeMs: number;
  readonly #resend: number;
  readonly #maxPending: number;
  #pending: { seq: number; input: Input }[] = [];
  #seq = 0;
  #serverTick = Number.NEGATIVE_INFINITY;
  #predicted: Pose | undefined;
  #offset = { x: 0, y: 0 };
  /** The last frame's drawn pose without the offset, and the input held then. */
  #lastRaw: { x: number; y: number; held: Input } | undefined;

  constructor(options: PredictionOptions) {
    this.#tickMs = options.tickMs;
    this.#snapDistance = options.snapDistance ?? 48;
    this.#halfLifeMs = options.blendHalfLifeMs ?? 40;
    this.#resend = options.resend ?? 10;
    this.#maxPending = options.maxPending ?? 120;
  }

  /** The predicted pose (exact, without the blend); undefined before the first snapshot. */
  get predicted(): Pose | undefined {
    return this.#predicted;
  }

  /** Inputs sent and not acknowledged yet. */
  get pending(): number {
    return this.#pending.length;
  }

  /** One fixed tick with `input` held: apply it locally and return the message to send. */
  tick(input: Input): InputMessage {
    const seq = ++this.#seq;
    this.#pending.push({ seq, input });
    if (this.#pending.length > this.#maxPending) this.#pending.shift();
    if (this.#predicted) this.#predicted = stepShip(this.#predicted, input, this.#tickMs);
    return {
      type: 'input',
      seq,
      x: input.x,
      y: input.y,
      moves: this.#pending.slice(-this.#resend).map((p) => encodeInput(p.input)),
    };
  }

  /**
   * Take the server's pose of this ship at `serverTick` and the last input it applied. An
   * older snapshot than one already taken (reordered) is ignored: undefined.
   */
  reconcile(serverTick: number, pose: Pose, ack: number): Correction | undefined {
    if (serverTick <= this.#serverTick) return undefined;
    this.#serverTick = serverTick;
    while (this.#pending.length > 0 && (this.#pending[0]?.seq ?? 0) <= ack) this.#pending.shift();
    let replayed: Pose = { x: pose.x, y: pose.y, angle: pose.angle };
    for (const { input } of this.#pending) replayed = stepShip(replayed, input, this.#tickMs);
    const before = this.#predicted;
    this.#predicted = replayed;
    if (!before) return { error: 0, snapped: true };
    const dx = before.x - replayed.x;
    const dy = before.y - replayed.y;
    const error = Math.hypot(dx, dy);
    if (error === 0) return { error, snapped: false };
    // Keep drawing where the ship was and let the difference fade, unless it is too far.
    const offset = { x: this.#offset.x + dx, y: this.#offset.y + dy };
    const snapped =
      error >= this.#snapDistance || Math.hypot(offset.x, offset.y) >= this.#snapDistance;
    this.#offset = snapped ? { x: 0, y: 0 } : offset;
    return { error, snapped };
  }

  /**
   * Where to draw the ship this frame: the prediction, moved `fraction` (0–1) of the way
   * through the next step with the input held now (so a key shows on the next frame, not the
   * next tick), plus what is left of a blended correction after `frameMs` more ms. Call it
   * once per frame.
   */
  view(frameMs: number, fraction: number, held: Input = STILL): Pose | undefined {
    const at = this.#predicted;
    if (!at) return undefined;
    const fade = 0.5 ** (Math.max(0, frameMs) / this.#halfLifeMs);
    let ox = this.#offset.x * fade;
    let oy = this.#offset.y * fade;
    const next = stepShip(at, held, this.#tickMs);
    const k = Math.min(1, Math.max(0, fraction));
    const raw = { x: at.x + (next.x - at.x) * k, y: at.y + (next.y - at.y) * k };
    const last = this.#lastRaw;
    if (last && (last.held.x !== held.x || last.held.y !== held.y)) {
      // A new input mid-tick changes the extrapolated part at once: carry on from where the
      // ship was drawn, moving the new way, and blend the rest (no hop on a key press).
      const perMs = Math.max(0, frameMs) / this.#tickMs;
      ox += last.x + (next.x - at.x) * perMs - raw.x;
      oy += last.y + (next.y - at.y) * perMs - raw.y;
    }
    this.#lastRaw = { ...raw, held };
    if (Math.hypot(ox, oy) < 0.01) ox = oy = 0;
    this.#offset = { x: ox, y: oy };
    return { x: raw.x + ox, y: raw.y + oy, angle: next.angle };
  }
}
