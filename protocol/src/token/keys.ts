/**
 * The 32-byte private key shared by token issuer (matchmaker) and game server (sidecar):
 * parse from 64 hex characters or Bevygap's "1, 2, 3, ..." list, generate, format. No message
 * ever contains key material.
 */
import { ErrorCode } from '../error-codes.js';
import { randomFill } from './aead.js';
import { byteLengthOf, copyBytes } from './bytes.js';
import { KEY_BYTES } from './constants.js';
import { ConnectTokenError } from './errors.js';

const HEX_KEY = /^(?:0x)?[0-9a-fA-F]{64}$/;
const LIST_NUMBER = /^(?:0|[1-9][0-9]{0,2})$/;

function keyInvalid(why: string): ConnectTokenError {
  return new ConnectTokenError(
    ErrorCode.KEY_INVALID,
    `The private key is invalid (${why}): give 64 hex characters or a list of 32 numbers 0-255 like "1, 2, 3, ...". Generate one with \`playgap keygen\`.`,
  );
}

/**
 * Parse a private key: 64 hex characters (optional `0x`), or a comma-separated list of 32
 * numbers 0-255 (optionally in `[...]`), or 32 raw bytes. KEY_INVALID otherwise; the message
 * never echoes the input.
 *
 * @example
 * const key = parsePrivateKey(process.env.PLAYGAP_PRIVATE_KEY ?? '');
 */
export function parsePrivateKey(input: string | Uint8Array): Uint8Array {
  if (input instanceof Uint8Array) {
    if (input.length !== KEY_BYTES) throw keyInvalid(`${input.length} bytes instead of 32`);
    return copyBytes(input, 0, KEY_BYTES);
  }
  if (typeof input !== 'string') throw keyInvalid('not a string');
  const text = input.trim();
  if (text === '') throw keyInvalid('empty');
  if (HEX_KEY.test(text)) {
    const hex = text.startsWith('0x') ? text.slice(2) : text;
    return new Uint8Array(Buffer.from(hex, 'hex'));
  }
  if (!text.includes(',')) {
    throw keyInvalid(
      /^(?:0x)?[0-9a-fA-F]*$/.test(text)
        ? `${text.length} hex characters`
        : 'not hex and not a list',
    );
  }
  const body = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const parts = body.split(',');
  if (parts.length !== KEY_BYTES) throw keyInvalid(`${parts.length} numbers instead of 32`);
  const key = new Uint8Array(KEY_BYTES);
  for (let i = 0; i < KEY_BYTES; i++) {
    const part = parts[i]!.trim();
    const value = Number(part);
    if (!LIST_NUMBER.test(part) || value > 255) {
      key.fill(0);
      throw keyInvalid(`item ${i + 1} is not a number 0-255`);
    }
    key[i] = value;
  }
  return key;
}

/**
 * A new random private key (32 bytes from the OS CSPRNG).
 *
 * @example
 * console.log(formatPrivateKey(generatePrivateKey()));
 */
export function generatePrivateKey(): Uint8Array {
  const key = new Uint8Array(KEY_BYTES);
  randomFill(key);
  return key;
}

/**
 * Format a key as 64 lowercase hex characters (default) or Bevygap's `"1, 2, 3, ..."` list.
 *
 * @example
 * formatPrivateKey(key, 'list'); // '12, 250, 3, ...'
 */
export function formatPrivateKey(key: Uint8Array, style: 'hex' | 'list' = 'hex'): string {
  assertPrivateKey(key);
  if (style === 'list') return Array.from(key).join(', ');
  if (style !== 'hex') {
    throw new ConnectTokenError(
      ErrorCode.TOKEN_INVALID_ARGUMENT,
      'Key style must be "hex" or "list".',
    );
  }
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('hex');
}

/**
 * Throw KEY_INVALID unless `key` is a 32-byte Uint8Array.
 *
 * @example
 * assertPrivateKey(options.privateKey);
 */
export function assertPrivateKey(key: unknown): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array))
    throw keyInvalid('not bytes: parse it with parsePrivateKey first');
  const size = byteLengthOf(key);
  if (size !== KEY_BYTES) throw keyInvalid(`${size} bytes instead of 32`);
}
