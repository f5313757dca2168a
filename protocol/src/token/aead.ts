/**
 * XChaCha20-Poly1305 (IETF) through sodium-native (see sodium-binding.ts): the only crypto of
 * the token. Measured faster than node:crypto's chacha20-poly1305 plus a JS HChaCha20 (see
 * docs/connect-tokens.md).
 */
import { randomFillSync } from 'node:crypto';
import sodium from 'sodium-native';
import { ErrorCode } from '../error-codes.js';
import { byteLengthOf } from './bytes.js';
import { KEY_BYTES, MAC_BYTES, NONCE_BYTES } from './constants.js';
import { ConnectTokenError } from './errors.js';
import { aead } from './sodium-binding.js';

/**
 * The native code reads and writes by these sizes, whatever the buffers hold: a wrong one
 * would touch memory outside them, so it is refused first (real sizes: see byteLengthOf).
 */
function checkSizes(sealedFits: boolean, nonce: Uint8Array, key: Uint8Array): void {
  if (!sealedFits || byteLengthOf(nonce) !== NONCE_BYTES || byteLengthOf(key) !== KEY_BYTES) {
    throw new ConnectTokenError(
      ErrorCode.TOKEN_INVALID_ARGUMENT,
      'XChaCha20-Poly1305 needs a 24-byte nonce, a 32-byte key and a sealed buffer 16 bytes longer than the plaintext.',
    );
  }
}

/**
 * Seal `plain` into `sealed` (`plain.length + 16` bytes: ciphertext then tag).
 *
 * @example
 * sealXChaCha(sealed, plain, aad, nonce24, key32);
 */
export function sealXChaCha(
  sealed: Uint8Array,
  plain: Uint8Array,
  aad: Uint8Array,
  nonce: Uint8Array,
  key: Uint8Array,
): void {
  checkSizes(byteLengthOf(sealed) === byteLengthOf(plain) + MAC_BYTES, nonce, key);
  aead.encrypt(sealed, plain, aad, nonce, key);
}

/**
 * Open `sealed` into `plain` (`sealed.length - 16` bytes); TOKEN_BAD_MAC when the tag does
 * not verify (tampered bytes, wrong key, wrong AAD).
 *
 * @example
 * openXChaCha(plain, sealed, aad, nonce24, key32);
 */
export function openXChaCha(
  plain: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
  nonce: Uint8Array,
  key: Uint8Array,
): void {
  if (byteLengthOf(sealed) !== byteLengthOf(plain) + MAC_BYTES) {
    throw new ConnectTokenError(
      ErrorCode.TOKEN_MALFORMED,
      'The sealed private token has the wrong size.',
    );
  }
  checkSizes(true, nonce, key);
  if (aead.decrypt(plain, sealed, aad, nonce, key) < 0) {
    throw new ConnectTokenError(
      ErrorCode.TOKEN_BAD_MAC,
      'The private token does not decrypt: it was altered, or minted with another private key, protocol id or dialect. Give the matchmaker and the game server the same key and dialect.',
    );
  }
}

/**
 * Fill `buffer` with cryptographically secure random bytes.
 *
 * @example
 * randomFill(nonce);
 */
export function randomFill(buffer: Uint8Array): void {
  sodium.randombytes_buf(buffer);
}

// One CSPRNG call (OpenSSL's DRBG via node:crypto) per 256 tokens instead of one per token:
// a single small draw costs about as much as sealing a whole token.
const RANDOM_POOL_BYTES = 88 * 256;
const randomPool = new Uint8Array(RANDOM_POOL_BYTES);
const randomPoolView = new DataView(randomPool.buffer);
let randomPoolUsed = RANDOM_POOL_BYTES;

/**
 * Write `length` (a multiple of 4) fresh random bytes at `offset` of `target` (from a pooled
 * OS CSPRNG draw). Used bytes are not wiped: they are the token's nonce and keys, which the
 * caller now holds anyway.
 *
 * @example
 * randomInto(tokenView, 37, 24); // the nonce
 */
export function randomInto(target: DataView, offset: number, length: number): void {
  const from = drawFromPool(length);
  // Four bytes a step through DataViews: several times cheaper than subarray + set.
  for (let i = 0; i < length; i += 4)
    target.setUint32(offset + i, randomPoolView.getUint32(from + i, true), true);
}

/**
 * randomInto writing the same fresh bytes at two places (a token's keys go in its public
 * part and in its plaintext).
 *
 * @example
 * randomIntoBoth(tokenView, keysAt, plainView, plainKeysAt, 64);
 */
export function randomIntoBoth(
  first: DataView,
  firstAt: number,
  second: DataView,
  secondAt: number,
  length: number,
): void {
  const from = drawFromPool(length);
  for (let i = 0; i < length; i += 4) {
    const word = randomPoolView.getUint32(from + i, true);
    first.setUint32(firstAt + i, word, true);
    second.setUint32(secondAt + i, word, true);
  }
}

/** Where `length` unused pool bytes start (refilling the pool when it runs short). */
function drawFromPool(length: number): number {
  if (length % 4 !== 0 || length > RANDOM_POOL_BYTES)
    throw new RangeError('randomInto draws a multiple of 4 bytes, at most one pool.');
  if (randomPoolUsed + length > RANDOM_POOL_BYTES) {
    randomFillSync(randomPool);
    randomPoolUsed = 0;
  }
  const from = randomPoolUsed;
  randomPoolUsed = from + length;
  return from;
}

/**
 * Overwrite secret bytes with zeros.
 *
 * @example
 * wipe(scratch);
 */
export function wipe(buffer: Uint8Array): void {
  buffer.fill(0);
}
