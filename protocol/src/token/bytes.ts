/**
 * Byte helpers for the hot paths: copies that behave the same for Uint8Array and Buffer, and
 * slabs that outputs are carved from.
 */

const byteLengthGetter = Object.getOwnPropertyDescriptor(
  Object.getPrototypeOf(Uint8Array.prototype),
  'byteLength',
)?.get as (this: ArrayBufferView) => number;

/**
 * The real size of a typed array, read through the intrinsic getter: a subclass can override
 * `length` (or `byteLength`), and sizes handed to native code must not be taken on its word.
 *
 * @example
 * if (byteLengthOf(key) !== 32) throw keyInvalid();
 */
export function byteLengthOf(view: ArrayBufferView): number {
  return byteLengthGetter.call(view);
}

/**
 * A copy (never a view, even of a Buffer) of `length` bytes of `source` from `offset`.
 *
 * @example
 * const nonce = copyBytes(token, 37, 24);
 */
export function copyBytes(source: Uint8Array, offset: number, length: number): Uint8Array {
  const copy = new Uint8Array(length);
  copy.set(source.subarray(offset, offset + length));
  return copy;
}

// A fresh off-heap Uint8Array of a few hundred bytes costs ~1 µs (half a seal), so outputs
// are carved from 64 KiB slabs that come with one DataView and one Buffer view each. A view
// keeps its slab alive: fine for tokens, which live for seconds. Slabs come zeroed and no
// byte is handed out twice.
const SLAB_BYTES = 64 * 1024;

/** One slab: its bytes, a DataView and a Buffer over all of it, and how much is handed out. */
export class Slab {
  readonly bytes = new Uint8Array(SLAB_BYTES);
  /** The ArrayBuffer (kept: reading `bytes.buffer` per view costs more than the view). */
  readonly memory = this.bytes.buffer;
  readonly view = new DataView(this.memory);
  readonly buffer = Buffer.from(this.memory);
  used = 0;
}

let current = new Slab();

/**
 * The slab to carve `length` (≤ 4 KiB) zeroed bytes from: they start at `slab.used`; the
 * caller advances it with `takeFromSlab`.
 *
 * @example
 * const slab = slabWithRoom(2048);
 * const start = takeFromSlab(slab, 2048);
 */
export function slabWithRoom(length: number): Slab {
  if (current.used + length > SLAB_BYTES) current = new Slab();
  return current;
}

/** Hand out `length` bytes of `slab` and return where they start (8-byte aligned). */
export function takeFromSlab(slab: Slab, length: number): number {
  const start = slab.used;
  slab.used = start + ((length + 7) & ~7);
  return start;
}
