/**
 * Input-to-screen latency, measured in the page: from a movement key's keydown event to the
 * first animation frame that draws your ship moved (at least `minMove` world units from where
 * it was drawn at the keydown). The test hook exposes the samples; bench/playfeel reads them.
 */

interface Point {
  x: number;
  y: number;
}

/**
 * One measurement at a time: a keydown arms it, the frame that shows the move completes it,
 * a keyup before that (the ship was against a wall, say) drops it.
 *
 * @example
 * const probe = new InputLatencyProbe();
 * probe.keyDown(event.timeStamp, drawnPosition);
 * const ms = probe.frame(performance.now(), drawnPosition); // a number once the ship moved
 */
export class InputLatencyProbe {
  #armed: { at: number; from: Point } | undefined;

  constructor(private readonly minMove = 0.5) {}

  keyDown(at: number, drawn: Point | undefined): void {
    if (drawn && !this.#armed) this.#armed = { at, from: { x: drawn.x, y: drawn.y } };
  }

  keyUp(): void {
    this.#armed = undefined;
  }

  /** A frame drawn at `at`: the latency in ms when it shows the move, else undefined. */
  frame(at: number, drawn: Point | undefined): number | undefined {
    const armed = this.#armed;
    if (!armed || !drawn) return undefined;
    if (Math.hypot(drawn.x - armed.from.x, drawn.y - armed.from.y) < this.minMove) return undefined;
    this.#armed = undefined;
    return Math.max(0, at - armed.at);
  }
}
