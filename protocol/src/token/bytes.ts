/** Byte helpers that behave the same for Uint8Array and Buffer inputs. */

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

// Fresh off-heap Uint8Arrays of a few hundred bytes cost ~1 µs each (as much as half a seal),
// so outputs are carved from 64 KiB slabs. A view keeps its slab alive: fine for tokens,
// which live for seconds. Slabs come zeroed and no byte is handed out twice.
const SLAB_BYTES = 64 * 1024;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabUsed = 0;

/**
 * A zeroed Uint8Array of `length` bytes, carved from a shared slab when small.
 *
 * @example
 * const token = allocBytes(2048);
 */
export function allocBytes(length: number): Uint8Array {
  if (length > SLAB_BYTES / 16) return new Uint8Array(length);
  if (slabUsed + length > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabUsed = 0;
  }
  const bytes = new Uint8Array(slab, slabUsed, length);
  slabUsed += (length + 7) & ~7;
  return bytes;
}
