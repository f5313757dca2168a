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

/** Throw TOKEN_WRONG_VERSION unless `bytes` has the netcode 1.02 version info at `offset`. */
export function checkVersion(bytes: Uint8Array, offset: number): void {
  for (let i = 0; i < VERSION_BYTES; i++) {
    if (bytes[offset + i] !== VERSION_INFO[i]) {
      throw new ConnectTokenError(
        ErrorCode.TOKEN_WRONG_VERSION,
        `The token is not a ${VERSION_STRING} token: use a netcode.io 1.02 connect token.`,
      );
    }
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

/** Timeout, addresses and keys of a public token (after the sealed part). */
export interface PublicTail {
  timeoutSeconds: number;
  serverAddresses: string[];
  keysOffset: number;
}

/** Stands for the public address list when it was checked but not read. */
const NOT_READ: string[] = [];

/**
 * Parse the part after the sealed private token; TOKEN_MALFORMED on a bad address list.
 * `withAddresses: false` checks the list without formatting it.
 */
export function readPublicTail(
  view: DataView,
  bytes: Uint8Array,
  littleEndian: boolean,
  ipv6Layout: Ipv6Layout,
  withAddresses = true,
): PublicTail {
  const timeoutSeconds = view.getInt32(TokenOffset.timeoutSeconds, littleEndian);
  const end = CONNECT_TOKEN_BYTES - 2 * KEY_BYTES;
  const addresses: string[] = withAddresses ? [] : NOT_READ;
  const keysOffset = readAddressEntries(
    view,
    bytes,
    TokenOffset.addressCount,
    end,
    littleEndian,
    ipv6Layout,
    'public',
    withAddresses ? addresses : undefined,
  );
  return { timeoutSeconds, serverAddresses: addresses, keysOffset };
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
  checkVersion(bytes, TokenOffset.version);
  const view = tokenView;
  const createTimestamp = view.getBigUint64(TokenOffset.createTimestamp, littleEndian);
  const expireTimestamp = view.getBigUint64(TokenOffset.expireTimestamp, littleEndian);
  checkCreateBeforeExpire(createTimestamp, expireTimestamp);
  const tail = readPublicTail(view, bytes, littleEndian, ipv6Layout);
  return {
    version: VERSION_STRING,
    protocolId: view.getBigUint64(TokenOffset.protocolId, littleEndian),
    createTimestamp,
    expireTimestamp,
    nonce: copyBytes(bytes, TokenOffset.nonce, NONCE_BYTES),
    encryptedPrivateToken: copyBytes(bytes, TokenOffset.privateToken, PRIVATE_SEALED_BYTES),
    timeoutSeconds: tail.timeoutSeconds,
    serverAddresses: tail.serverAddresses,
    clientToServerKey: copyBytes(bytes, tail.keysOffset, KEY_BYTES),
    serverToClientKey: copyBytes(bytes, tail.keysOffset + KEY_BYTES, KEY_BYTES),
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
  checkVersion(bytes, TokenOffset.version);
  const packet = new Uint8Array(CONNECTION_REQUEST_BYTES);
  packet.set(bytes.subarray(0, TokenOffset.createTimestamp), RequestOffset.version);
  packet.set(
    bytes.subarray(TokenOffset.expireTimestamp, TokenOffset.timeoutSeconds),
    RequestOffset.expireTimestamp,
  );
  return packet;
}
