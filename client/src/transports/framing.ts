/**
 * WebTransport reliable framing: each JSON message is a u32 big-endian byte length then UTF-8.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Largest reliable frame accepted, in bytes (a bigger length prefix means a broken stream). */
export const MAX_FRAME_BYTES = 1 << 20;

/**
 * Encode one message as a length-prefixed frame.
 *
 * @example
 * encodeFrame('{"a":1}'); // Uint8Array [0,0,0,7, ...]
 */
export function encodeFrame(text: string): Uint8Array {
  const body = encoder.encode(text);
  const frame = new Uint8Array(4 + body.length);
  new DataView(frame.buffer).setUint32(0, body.length);
  frame.set(body, 4);
  return frame;
}

/**
 * Reassembles frames from stream chunks of any size.
 *
 * @example
 * const reader = new FrameReader();
 * for (const text of reader.push(chunk)) handle(JSON.parse(text));
 */
export class FrameReader {
  #buffer = new Uint8Array(0);

  /** Add a chunk; returns every complete frame's text. Throws on an oversized length. */
  push(chunk: Uint8Array): string[] {
    const merged = new Uint8Array(this.#buffer.length + chunk.length);
    merged.set(this.#buffer);
    merged.set(chunk, this.#buffer.length);
    const frames: string[] = [];
    let offset = 0;
    while (merged.length - offset >= 4) {
      const length = new DataView(merged.buffer, offset, 4).getUint32(0);
      if (length > MAX_FRAME_BYTES) throw new RangeError(`Frame of ${length} bytes is too large.`);
      if (merged.length - offset - 4 < length) break;
      frames.push(decoder.decode(merged.subarray(offset + 4, offset + 4 + length)));
      offset += 4 + length;
    }
    this.#buffer = merged.slice(offset);
    return frames;
  }
}
