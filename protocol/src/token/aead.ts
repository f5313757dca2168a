/**
 * XChaCha20-Poly1305 (IETF) through sodium-native: the only crypto of the token. Measured
 * faster than node:crypto's chacha20-poly1305 plus a JS HChaCha20 (see docs/connect-tokens.md).
 */
import { randomFillSync } from 'node:crypto';
import sodium from 'sodium-native';
import { ErrorCode } from '../error-codes.js';
import { MAC_BYTES } from './constants.js';
import { ConnectTokenError } from './errors.js';

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
  sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(sealed, plain, aad, null, nonce, key);
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
  if (sealed.length !== plain.length + MAC_BYTES) {
    throw new ConnectTokenError(
      ErrorCode.TOKEN_MALFORMED,
      'The sealed private token has the wrong size.',
    );
  }
  try {
    sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(plain, null, sealed, aad, nonce, key);
  } catch {
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
let randomPoolUsed = RANDOM_POOL_BYTES;

/**
 * Copy `length` fresh random bytes into `target` at `offset` (from a pooled OS CSPRNG draw).
 *
 * @example
 * randomInto(token, 37, 24); // the nonce
 */
export function randomInto(target: Uint8Array, offset: number, length: number): void {
  if (length > RANDOM_POOL_BYTES) {
    randomFillSync(target, offset, length);
    return;
  }
  if (randomPoolUsed + length > RANDOM_POOL_BYTES) {
    randomFillSync(randomPool);
    randomPoolUsed = 0;
  }
  // A plain loop: for 24-32 bytes it beats subarray + set several times. Used bytes are not
  // wiped: they are the token's nonce and keys, which the caller now holds anyway.
  const from = randomPoolUsed;
  for (let i = 0; i < length; i++) target[offset + i] = randomPool[from + i]!;
  randomPoolUsed = from + length;
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
