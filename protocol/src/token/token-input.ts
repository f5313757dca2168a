/**
 * Turns what a caller hands in (bytes, or standard/url-safe base64 text) into token bytes and
 * tells a 2048-byte connect token from a 1078-byte connection request packet. Base64 is
 * decoded into a reused scratch buffer: callers copy what they keep.
 */
import { ErrorCode } from '../error-codes.js';
import { CONNECT_TOKEN_BYTES, CONNECTION_REQUEST_BYTES } from './constants.js';
import { ConnectTokenError } from './errors.js';

/** Which of the two accepted inputs a buffer is. */
export type TokenForm = 'connect-token' | 'request-packet';

const scratch = new Uint8Array(CONNECT_TOKEN_BYTES);
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
 * Decode base64 strictly: the text must have the exact length of a token or request packet
 * (padded or not), only base64 or base64url characters, and padding only at the end. Node's
 * decoder skips bad characters, so a skipped one shows up as a short byte count.
 */
function decodeBase64(text: string): Uint8Array {
  const bytes =
    text.length === TOKEN_TEXT.bare || text.length === TOKEN_TEXT.padded
      ? { size: CONNECT_TOKEN_BYTES, bare: TOKEN_TEXT.bare }
      : text.length === REQUEST_TEXT.bare || text.length === REQUEST_TEXT.padded
        ? { size: CONNECTION_REQUEST_BYTES, bare: REQUEST_TEXT.bare }
        : undefined;
  if (!bytes) {
    throw malformed(
      `The token text has ${text.length} characters; the base64 of a connect token has ${TOKEN_TEXT.padded} (${CONNECTION_REQUEST_BYTES}-byte request packet: ${REQUEST_TEXT.padded}).`,
    );
  }
  for (let i = bytes.bare; i < text.length; i++) {
    if (text.charCodeAt(i) !== 0x3d)
      throw malformed('The token text is not valid base64 (bad padding).');
  }
  const written = scratchBuffer.write(text, 0, 'base64');
  if (written !== bytes.size) throw malformed('The token text is not valid base64.');
  return scratch.subarray(0, bytes.size);
}

/**
 * Bytes and form of a token given as bytes or base64 text; TOKEN_MALFORMED on anything else.
 * The result may be a view of a scratch buffer that the next call overwrites.
 *
 * @example
 * const { bytes, form } = tokenBytes(request.body.token);
 */
export function tokenBytes(input: unknown): { bytes: Uint8Array; form: TokenForm } {
  let bytes: Uint8Array;
  if (input instanceof Uint8Array) {
    // Work on a plain Uint8Array view: Buffer#subarray is several times slower.
    bytes =
      input.constructor === Uint8Array
        ? input
        : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  } else if (typeof input === 'string') bytes = decodeBase64(input.trim());
  else throw malformed('The token must be bytes or base64 text.');
  const form = formOfLength(bytes.length);
  if (!form) {
    throw malformed(
      `The token has ${bytes.length} bytes; a connect token has ${CONNECT_TOKEN_BYTES} and a connection request packet ${CONNECTION_REQUEST_BYTES}.`,
    );
  }
  return { bytes, form };
}
