/**
 * Framing of reliable WebTransport messages (protocol game-wire): each message is a u32
 * big-endian byte length followed by that many bytes of UTF-8 JSON.
 */

/**
 * Encode one message as a frame.
 *
 * @example
 * await writer.write(encodeFrame({ type: 'welcome' }));
 */
export function encodeFrame(message: unknown): Uint8Array {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

/**
 * Incremental decoder: push chunks as they arrive, get whole messages back. Throws a
 * RangeError on a frame larger than `maxBytes` and a SyntaxError on one that is not JSON.
 *
 * @example
 * const decoder = new FrameDecoder(64 * 1024);
 * for (const msg of decoder.push(chunk)) handle(msg);
 */
export class FrameDecoder {
  readonly #maxBytes: number;
  #buffer: Buffer = Buffer.alloc(0);

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  push(chunk: Uint8Array): unknown[] {
    this.#buffer =
      this.#buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#buffer, chunk]);
    const out: unknown[] = [];
    while (this.#buffer.length >= 4) {
      const length = this.#buffer.readUInt32BE(0);
      if (length > this.#maxBytes)
        throw new RangeError(`frame of ${length} bytes exceeds ${this.#maxBytes}`);
      if (this.#buffer.length < 4 + length) break;
      const body = this.#buffer.subarray(4, 4 + length).toString('utf8');
      this.#buffer = this.#buffer.subarray(4 + length);
      out.push(JSON.parse(body));
    }
    return out;
  }
}
