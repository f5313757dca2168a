/**
 * The public connect token (2048 bytes) a client receives: header, sealed private part, and
 * the plain copies of timeout, server addresses and session keys the client needs. Also the
 * 1078-byte connection request packet a netcode client derives from it.
 */
import { ErrorCode } from '../error-codes.js';
import { readAddressEntries } from './address.js';
import { isLittleEndian, resolveIpv6Layout } from './arguments.js';
import { copyBytes } from './bytes.js';
import {
  CONNECT_TOKEN_BYTES,
  CONNECTION_REQUEST_BYTES,
  type Ipv6Layout,
  KEY_BYTES,
  NONCE_BYTES,
  PRIVATE_SEALED_BYTES,
  RequestOffset,
  type TokenDialect,
  TokenOffset,
  VERSION_BYTES,
  VERSION_INFO,
  VERSION_STRING,
} from './constants.js';
import { ConnectTokenError } from './errors.js';
import { loadToken, tokenScratch, tokenView } from './token-input.js';

/**
 * Everything readable in a connect token without the private key. The timeout, addresses and
 * keys here are unauthenticated copies; the sealed private part is what a server trusts.
 *
 * @example
 * const { serverAddresses, expireTimestamp } = readPublicToken(reply.token);
 */
export interface PublicConnectToken {
  version: string;
  protocolId: bigint;
  createTimestamp: bigint;
  expireTimestamp: bigint;
  nonce: Uint8Array;
  encryptedPrivateToken: Uint8Array;
  timeoutSeconds: number;
  serverAddresses: string[];
  clientToServerKey: Uint8Array;
  serverToClientKey: Uint8Array;
}

// The version info as three big-endian words and a last byte: four compares, not thirteen.
const versionInfo = new DataView(VERSION_INFO.buffer);
const VERSION_WORDS = [0, 4, 8].map((at) => versionInfo.getUint32(at)) as [number, number, number];
const VERSION_LAST = VERSION_INFO[VERSION_BYTES - 1]!;

/** Throw TOKEN_WRONG_VERSION unless `view` has the netcode 1.02 version info at `offset`. */
export function checkVersion(view: DataView, offset: number): void {
  if (
    view.getUint32(offset) !== VERSION_WORDS[0] ||
    view.getUint32(offset + 4) !== VERSION_WORDS[1] ||
    view.getUint32(offset + 8) !== VERSION_WORDS[2] ||
    view.getUint8(offset + 12) !== VERSION_LAST
  ) {
    throw new ConnectTokenError(
      ErrorCode.TOKEN_WRONG_VERSION,
      `The token is not a ${VERSION_STRING} token: use a netcode.io 1.02 connect token.`,
    );
  }
}

/** Throw TOKEN_NOT_YET_VALID when the create timestamp is after the expire timestamp. */
export function checkCreateBeforeExpire(createTimestamp: bigint, expireTimestamp: bigint): void {
  if (createTimestamp > expireTimestamp) {
    throw new ConnectTokenError(
      ErrorCode.TOKEN_NOT_YET_VALID,
      'The token was created after its own expiry: check the matchmaker clock and mint a new one.',
    );
  }
}

/**
 * Check the public address list of the loaded token and return where its session keys start;
 * TOKEN_MALFORMED on a bad list. With `addresses`, their text is pushed there.
 */
export function publicKeysOffset(
  littleEndian: boolean,
  ipv6Layout: Ipv6Layout,
  addresses?: string[],
): number {
  return readAddressEntries(
    tokenView,
    tokenScratch,
    TokenOffset.addressCount,
    CONNECT_TOKEN_BYTES - 2 * KEY_BYTES,
    littleEndian,
    ipv6Layout,
    'public',
    addresses,
  );
}

/** Options of readPublicToken. */
export interface ReadPublicTokenOptions {
  dialect?: TokenDialect;
  /** Default `groups` (see Ipv6Layout). */
  ipv6Layout?: Ipv6Layout;
}

/**
 * Read a 2048-byte connect token (bytes or standard/url-safe base64) without decrypting it.
 * Checks length, version, create ≤ expire and the address list; not the protocol id, expiry
 * or MAC (verifyConnectToken does).
 *
 * @example
 * const token = readPublicToken(reply.token, { dialect: 'netcode' });
 * console.log(token.serverAddresses, new Date(Number(token.expireTimestamp) * 1000));
 */
export function readPublicToken(
  input: Uint8Array | string,
  options: ReadPublicTokenOptions = {},
): PublicConnectToken {
  const littleEndian = isLittleEndian(options?.dialect);
  const ipv6Layout = resolveIpv6Layout(options?.ipv6Layout);
  const form = loadToken(input);
  const bytes = tokenScratch;
  if (form !== 'connect-token') {
    throw new ConnectTokenError(
      ErrorCode.TOKEN_MALFORMED,
      `readPublicToken needs a ${CONNECT_TOKEN_BYTES}-byte connect token, not a connection request packet.`,
    );
  }
  checkVersion(tokenView, TokenOffset.version);
  const view = tokenView;
  const createTimestamp = view.getBigUint64(TokenOffset.createTimestamp, littleEndian);
  const expireTimestamp = view.getBigUint64(TokenOffset.expireTimestamp, littleEndian);
  checkCreateBeforeExpire(createTimestamp, expireTimestamp);
  const serverAddresses: string[] = [];
  const keysOffset = publicKeysOffset(littleEndian, ipv6Layout, serverAddresses);
  return {
    version: VERSION_STRING,
    protocolId: view.getBigUint64(TokenOffset.protocolId, littleEndian),
    createTimestamp,
    expireTimestamp,
    nonce: copyBytes(bytes, TokenOffset.nonce, NONCE_BYTES),
    encryptedPrivateToken: copyBytes(bytes, TokenOffset.privateToken, PRIVATE_SEALED_BYTES),
    timeoutSeconds: view.getInt32(TokenOffset.timeoutSeconds, littleEndian),
    serverAddresses,
    clientToServerKey: copyBytes(bytes, keysOffset, KEY_BYTES),
    serverToClientKey: copyBytes(bytes, keysOffset + KEY_BYTES, KEY_BYTES),
  };
}

/**
 * The 1078-byte netcode connection request packet of a connect token: `0x00` ‖ version ‖
 * protocol id ‖ expire timestamp ‖ nonce ‖ sealed private token. Works for both dialects (it
 * copies bytes). TOKEN_MALFORMED / TOKEN_WRONG_VERSION on a bad token.
 *
 * @example
 * socket.send(connectionRequestFromToken(minted.bytes));
 */
export function connectionRequestFromToken(token: Uint8Array | string): Uint8Array {
  const form = loadToken(token);
  const bytes = tokenScratch;
  if (form !== 'connect-token') {
    throw new ConnectTokenError(
      ErrorCode.TOKEN_MALFORMED,
      `A connection request is made from a ${CONNECT_TOKEN_BYTES}-byte connect token.`,
    );
  }
  checkVersion(tokenView, TokenOffset.version);
  const packet = new Uint8Array(CONNECTION_REQUEST_BYTES);
  packet.set(bytes.subarray(0, TokenOffset.createTimestamp), RequestOffset.version);
  packet.set(
    bytes.subarray(TokenOffset.expireTimestamp, TokenOffset.timeoutSeconds),
    RequestOffset.expireTimestamp,
  );
  return packet;
}
