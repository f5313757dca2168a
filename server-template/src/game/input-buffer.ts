/**
 * One player's input buffer on the server's fixed timestep. The client sends one numbered input
 * per tick and repeats its recent unacknowledged ones in every message, so a lost or reordered
 * message costs nothing as long as a later one arrives. Each server tick applies the next input
 * in order (one per tick, a second one while the buffer runs deeper than `targetDepth`, so a
 * burst after a stall drains), and the snapshot acknowledges the last input applied: the client
 * replays only what came after it. A ship whose input has not arrived yet stands still that tick
 * (the input is applied later, not guessed), so the server's path is exactly the inputs' path.
 */
import type { Input } from './movement.js';

export interface InputBufferOptions {
  /** Inputs left waiting beyond which a tick applies a second one (catching up). Default 1. */
  targetDepth?: number;
  /** Ticks of input a player may catch up on after sending none (its credit cap). Default 10. */
  maxCatchUpTicks?: number;
  /** Most inputs kept waiting; the oldest beyond it are dropped (and acknowledged). Default 32. */
  maxQueued?: number;
}

/** Most inputs one message may carry; more are refused. */
export const MAX_INPUTS_PER_MESSAGE = 16;

/**
 * Orders, deduplicates and paces one player's numbered inputs.
 *
 * @example
 * const buffer = new InputBuffer();
 * buffer.receive(2, [{ x: 1, y: 0 }, { x: 1, y: 0 }]); // inputs 1 and 2
 * buffer.take(); // [{ x: 1, y: 0 }] — input 1, this tick
 * buffer.ack; // 1
 */
export class InputBuffer {
  readonly #targetDepth: number;
  readonly #maxCredit: number;
  readonly #maxQueued: number;
  #queue: { seq: number; input: Input }[] = [];
  #newest = 0;
  #ack = 0;
  #credit = 0;

  constructor(options: InputBufferOptions = {}) {
    this.#targetDepth = options.targetDepth ?? 1;
    this.#maxCredit = 1 + (options.maxCatchUpTicks ?? 10);
    this.#maxQueued = options.maxQueued ?? 32;
  }

  /** The last input applied (or dropped): what the snapshot acknowledges. 0 = none yet. */
  get ack(): number {
    return this.#ack;
  }

  /** Inputs received and not applied yet. */
  get depth(): number {
    return this.#queue.length;
  }

  /**
   * Take a message's inputs: `moves` oldest first, the last one numbered `seq`. Inputs already
   * received are ignored; inputs numbered past a gap wait (the gap's inputs were lost for good
   * only when every message carrying them was). Returns false for a malformed message.
   */
  receive(seq: number, moves: readonly Input[]): boolean {
    if (!Number.isSafeInteger(seq) || seq < 1) return false;
    if (moves.length === 0 || moves.length > MAX_INPUTS_PER_MESSAGE) return false;
    const first = seq - moves.length + 1;
    for (let i = 0; i < moves.length; i++) {
      const n = first + i;
      const input = moves[i];
      if (n <= this.#newest || n < 1 || !input) continue;
      this.#queue.push({ seq: n, input });
      this.#newest = n;
    }
    const excess = this.#queue.length - this.#maxQueued;
    if (excess > 0) {
      const dropped = this.#queue.splice(0, excess);
      this.#ack = dropped.at(-1)?.seq ?? this.#ack;
    }
    return true;
  }

  /**
   * One server tick: the inputs to apply now, oldest first (none, one, or two). `elapsedTicks`
   * > 1 when the server's loop skipped ticks: the player earns them back to catch up on.
   */
  take(elapsedTicks = 1): Input[] {
    this.#credit = Math.min(this.#credit + Math.max(1, elapsedTicks), this.#maxCredit);
    const out: Input[] = [];
    while (this.#queue.length > 0 && this.#credit >= 1) {
      if (out.length === 2 || (out.length === 1 && this.#queue.length <= this.#targetDepth)) break;
      const next = this.#queue.shift();
      if (!next) break;
      out.push(next.input);
      this.#ack = next.seq;
      this.#credit -= 1;
    }
    return out;
  }
}
