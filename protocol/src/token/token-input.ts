/**
 * Turns what a caller hands in (bytes, or standard/url-safe base64 text) into token bytes and
 * tells a 2048-byte connect token from a 1078-byte connection request packet. Either way the
 * bytes land in one reused scratch buffer with a ready DataView (copying 2 KiB is cheaper
 * than a DataView per call); callers copy what they keep.
 */
import { ErrorCode } from '../error-codes.js';
import { byteLengthOf } from './bytes.js';
import { CONNECT_TOKEN_BYTES, CONNECTION_REQUEST_BYTES } from './constants.js';
import { ConnectTokenError } from './errors.js';

/** Which of the two accepted inputs a buffer is. */
export type TokenForm = 'connect-token' | 'request-packet';

/** The last loaded token (or packet, in its first 1078 bytes). */
export const tokenScratch = new Uint8Array(CONNECT_TOKEN_BYTES);
/** DataView over tokenScratch. */
export const tokenView = new DataView(tokenScratch.buffer);
const scratch = tokenScratch;
const scratchBuffer = Buffer.from(scratch.buffer);

/** Base64 text lengths of `n` bytes: without and with padding. */
function base64Lengths(n: number): { bare: number; padded: number } {
  const rest = n % 3;
  return {
    bare: Math.floor(n / 3) * 4 + (rest === 0 ? 0 : rest + 1),
    padded: Math.ceil(n / 3) * 4,
  };
}
const TOKEN_TEXT = base64Lengths(CONNECT_TOKEN_BYTES);
const REQUEST_TEXT = base64Lengths(CONNECTION_REQUEST_BYTES);

function malformed(message: string): ConnectTokenError {
  return new ConnectTokenError(
    ErrorCode.TOKEN_MALFORMED,
    `${message} Send the token exactly as the matchmaker returned it.`,
  );
}

function formOfLength(length: number): TokenForm | undefined {
  if (length === CONNECT_TOKEN_BYTES) return 'connect-token';
  if (length === CONNECTION_REQUEST_BYTES) return 'request-packet';
  return undefined;
}

/**
 * Decode base64 strictly into the scratch and return the byte count: the text must have the
 * exact length of a token or request packet (padded or not), only base64 or base64url
 * characters, and padding only at the end. Node's decoder skips bad characters, so a skipped
 * one shows up as a short byte count.
 */
function decodeBase64(text: string): number {
  const length = text.length;
  let size: number;
  let bare: number;
  if (length === TOKEN_TEXT.bare || length === TOKEN_TEXT.padded) {
    size = CONNECT_TOKEN_BYTES;
    bare = TOKEN_TEXT.bare;
  } else if (length === REQUEST_TEXT.bare || length === REQUEST_TEXT.padded) {
    size = CONNECTION_REQUEST_BYTES;
    bare = REQUEST_TEXT.bare;
  } else {
    throw malformed(
      `The token text has ${length} characters; the base64 of a connect token has ${TOKEN_TEXT.padded} (${CONNECTION_REQUEST_BYTES}-byte request packet: ${REQUEST_TEXT.padded}).`,
    );
  }
  for (let i = bare; i < length; i++) {
    if (text.charCodeAt(i) !== 0x3d)
      throw malformed('The token text is not valid base64 (bad padding).');
  }
  if (scratchBuffer.write(text, 0, 'base64') !== size)
    throw malformed('The token text is not valid base64.');
  return size;
}

/**
 * Load a token given as bytes or base64 text into tokenScratch and say which form it is;
 * TOKEN_MALFORMED on anything else. The next call overwrites the scratch.
 *
 * @example
 * const form = loadToken(request.body.token); // then read tokenScratch / tokenView
 */
export function loadToken(input: unknown): TokenForm {
  let length: number;
  if (input instanceof Uint8Array) {
    length = byteLengthOf(input); // the real size: a subclass may fake `length`
    if (length === CONNECT_TOKEN_BYTES || length === CONNECTION_REQUEST_BYTES) scratch.set(input);
  } else if (typeof input === 'string') length = decodeBase64(input.trim());
  else throw malformed('The token must be bytes or base64 text.');
  const form = formOfLength(length);
  if (!form) {
    throw malformed(
      `The token has ${length} bytes; a connect token has ${CONNECT_TOKEN_BYTES} and a connection request packet ${CONNECTION_REQUEST_BYTES}.`,
    );
  }
  return form;
}
