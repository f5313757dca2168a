/**
 * The two buffers every token is minted in: the public token and the private plaintext. A
 * matchmaker mints for the same few servers over and over, so what depends only on the
 * server (protocol id, timeout, both address lists, dialect) stays written between mints and
 * is rewritten only when it changes; a mint writes just the timestamps, nonce, keys, client id
 * and user data.
 */
import { type ServerAddress, writeAddressEntries } from './address.js';
import {
  AAD_BYTES,
  CONNECT_TOKEN_BYTES,
  type Ipv6Layout,
  KEY_BYTES,
  NONCE_BYTES,
  PRIVATE_PLAIN_BYTES,
  PRIVATE_SEALED_BYTES,
  TokenOffset,
  USER_DATA_BYTES,
  VERSION_BYTES,
  VERSION_INFO,
} from './constants.js';

/** The public token being minted; it leaves as base64 text, never as these bytes. */
export const tokenBytes = new Uint8Array(CONNECT_TOKEN_BYTES);
export const tokenView = new DataView(tokenBytes.buffer);
export const tokenBuffer = Buffer.from(tokenBytes.buffer);
export const nonceInToken = tokenBytes.subarray(TokenOffset.nonce, TokenOffset.nonce + NONCE_BYTES);
export const sealedInToken = tokenBytes.subarray(
  TokenOffset.privateToken,
  TokenOffset.privateToken + PRIVATE_SEALED_BYTES,
);

/**
 * The private plaintext. Between mints it holds only the server's part (client id, timeout,
 * addresses): wipeMintSecrets() zeroes the keys and user data after every seal.
 */
export const plainBytes = new Uint8Array(PRIVATE_PLAIN_BYTES);
export const plainView = new DataView(plainBytes.buffer);

/** AAD = version ‖ protocol id ‖ expire timestamp; the first two belong to the template. */
export const mintAad = new Uint8Array(AAD_BYTES);
export const mintAadView = new DataView(mintAad.buffer);
export const AAD_EXPIRE_AT = VERSION_BYTES + 8;

tokenBytes.set(VERSION_INFO, 0);
mintAad.set(VERSION_INFO, 0);

/**
 * Where a mint writes its keys (in the token, then in the plaintext, user data following),
 * and the token's base64 in three parts: the version and protocol id, what changes per token
 * (up to a whole 3-byte group past the keys), and the zero padding. Split on 3-byte groups,
 * the parts join to the base64 of the whole token; the fixed two are encoded once.
 */
export interface TemplateOffsets {
  tokenKeysAt: number;
  plainKeysAt: number;
  base64Head: string;
  /** Where the part that changes per token ends (a multiple of 3). */
  changingEnd: number;
  base64Padding: string;
}

/** The token's base64 as the template's fixed parts around the bytes that changed. */
export function tokenBase64(): string {
  return (
    offsets.base64Head +
    tokenBuffer.toString('base64', CHANGING_START, offsets.changingEnd) +
    offsets.base64Padding
  );
}

// Version (13 bytes) and protocol id (8) fill exactly 7 groups of 3 bytes.
const CHANGING_START = VERSION_BYTES + 8;

const offsets: TemplateOffsets = {
  tokenKeysAt: 0,
  plainKeysAt: 0,
  base64Head: '',
  changingEnd: CONNECT_TOKEN_BYTES,
  base64Padding: '',
};
// What the buffers hold now; `undefined` lists force the first write.
let protocolIdNow = -1n;
let timeoutNow = 0;
let publicNow: readonly ServerAddress[] | undefined;
let privateNow: readonly ServerAddress[] | undefined;
let littleEndianNow = true;
let ipv6LayoutNow: Ipv6Layout = 'groups';

/**
 * Make the buffers hold this server's part and return where the keys go. Address lists are
 * compared by identity: callers pass the parsed lists from their cache.
 *
 * @example
 * const { tokenKeysAt, plainKeysAt } = useTemplate(7n, 15, list, list, true, 'groups');
 */
export function useTemplate(
  protocolId: bigint,
  timeoutSeconds: number,
  publicList: readonly ServerAddress[],
  privateList: readonly ServerAddress[],
  littleEndian: boolean,
  ipv6Layout: Ipv6Layout,
): TemplateOffsets {
  if (
    publicList === publicNow &&
    privateList === privateNow &&
    protocolId === protocolIdNow &&
    timeoutSeconds === timeoutNow &&
    littleEndian === littleEndianNow &&
    ipv6Layout === ipv6LayoutNow
  ) {
    return offsets;
  }
  publicNow = undefined; // a throw below leaves the template marked stale
  tokenBytes.fill(0, VERSION_BYTES);
  plainBytes.fill(0);
  tokenView.setBigUint64(TokenOffset.protocolId, protocolId, littleEndian);
  mintAadView.setBigUint64(VERSION_BYTES, protocolId, littleEndian);
  tokenView.setInt32(TokenOffset.timeoutSeconds, timeoutSeconds, littleEndian);
  offsets.tokenKeysAt = writeAddressEntries(
    tokenView,
    tokenBytes,
    TokenOffset.addressCount,
    publicList,
    littleEndian,
    ipv6Layout,
  );
  const keysEnd = offsets.tokenKeysAt + 2 * KEY_BYTES;
  offsets.changingEnd = keysEnd + ((3 - (keysEnd % 3)) % 3);
  offsets.base64Head = tokenBuffer.toString('base64', 0, CHANGING_START);
  offsets.base64Padding = tokenBuffer.toString('base64', offsets.changingEnd, CONNECT_TOKEN_BYTES);
  plainView.setInt32(8, timeoutSeconds, littleEndian);
  offsets.plainKeysAt = writeAddressEntries(
    plainView,
    plainBytes,
    12,
    privateList,
    littleEndian,
    ipv6Layout,
  );
  protocolIdNow = protocolId;
  timeoutNow = timeoutSeconds;
  privateNow = privateList;
  littleEndianNow = littleEndian;
  ipv6LayoutNow = ipv6Layout;
  publicNow = publicList;
  return offsets;
}

/**
 * Zero the session keys and user data in the plaintext (after every seal, sealed or not).
 *
 * @example
 * try { seal() } finally { wipeMintSecrets() }
 */
export function wipeMintSecrets(): void {
  const at = offsets.plainKeysAt;
  plainBytes.fill(0, at, at + 2 * KEY_BYTES + USER_DATA_BYTES);
}
