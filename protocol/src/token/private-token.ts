/**
 * The private connect token: 1008 plaintext bytes (client id, timeout, the internal address
 * list, both session keys, user data) sealed with XChaCha20-Poly1305 under the shared private
 * key, with AAD = version ‖ protocol id ‖ expire timestamp.
 */
import { ErrorCode } from '../error-codes.js';
import { readAddressEntries, type ServerAddress, writeAddressEntries } from './address.js';
import { openXChaCha, wipe } from './aead.js';
import { assertOptions, fixedBytes, isLittleEndian, resolveIpv6Layout } from './arguments.js';
import { slabWithRoom, takeFromSlab } from './bytes.js';
import {
  AAD_BYTES,
  type Ipv6Layout,
  KEY_BYTES,
  NONCE_BYTES,
  PRIVATE_PLAIN_BYTES,
  PRIVATE_SEALED_BYTES,
  type TokenDialect,
  USER_DATA_BYTES,
  VERSION_BYTES,
  VERSION_INFO,
} from './constants.js';
import { ConnectTokenError } from './errors.js';
import { assertPrivateKey } from './keys.js';
import { assertU64 } from './protocol-id.js';

/**
 * What the game server learns from a token: only it can read this part.
 *
 * @example
 * const { clientId, userData } = openPrivateToken(sealed, options);
 */
export interface PrivateConnectToken {
  clientId: bigint;
  timeoutSeconds: number;
  /** The internal address list: the server checks its own address is here. */
  serverAddresses: string[];
  clientToServerKey: Uint8Array;
  serverToClientKey: Uint8Array;
  /** 256 bytes; decode playgap's layout with decodeUserData. */
  userData: Uint8Array;
}

/** Reused plaintext buffer: wiped after every use (it holds session keys and user data). */
export const plainScratch = new Uint8Array(PRIVATE_PLAIN_BYTES);
const plainView = new DataView(plainScratch.buffer);
/** Reused AAD buffer (not secret). */
export const aadScratch = new Uint8Array(AAD_BYTES);
const aadView = new DataView(aadScratch.buffer);
aadScratch.set(VERSION_INFO, 0);

/** Fill the AAD scratch (version ‖ protocol id ‖ expire) and return it. */
export function buildAad(
  protocolId: bigint,
  expireTimestamp: bigint,
  littleEndian: boolean,
): Uint8Array {
  aadView.setBigUint64(VERSION_BYTES, protocolId, littleEndian);
  aadView.setBigUint64(VERSION_BYTES + 8, expireTimestamp, littleEndian);
  return aadScratch;
}

/**
 * Write the plaintext into plainScratch (which must be all zeros) and return where the
 * written part ends (wipe up to there). `keys` holds client-to-server then server-to-client
 * key at `keysAt`.
 */
export function writePrivatePlain(
  clientId: bigint,
  timeoutSeconds: number,
  addresses: readonly ServerAddress[],
  keys: Uint8Array,
  keysAt: number,
  userData: Uint8Array | undefined,
  littleEndian: boolean,
  ipv6Layout: Ipv6Layout,
): number {
  plainView.setBigUint64(0, clientId, littleEndian);
  plainView.setInt32(8, timeoutSeconds, littleEndian);
  const at = writeAddressEntries(plainView, plainScratch, 12, addresses, littleEndian, ipv6Layout);
  for (let i = 0; i < 2 * KEY_BYTES; i++) plainScratch[at + i] = keys[keysAt + i]!;
  const userDataAt = at + 2 * KEY_BYTES;
  if (userData) plainScratch.set(userData, userDataAt);
  return userDataAt + USER_DATA_BYTES;
}

/** Parse plainScratch (already decrypted); copies everything it returns. */
export function readPrivatePlain(
  littleEndian: boolean,
  ipv6Layout: Ipv6Layout,
): PrivateConnectToken {
  const clientId = plainView.getBigUint64(0, littleEndian);
  const timeoutSeconds = plainView.getInt32(8, littleEndian);
  const end = PRIVATE_PLAIN_BYTES - 2 * KEY_BYTES - USER_DATA_BYTES;
  const addresses: string[] = [];
  const offset = readAddressEntries(
    plainView,
    plainScratch,
    12,
    end,
    littleEndian,
    ipv6Layout,
    'private',
    addresses,
  );
  const size = 2 * KEY_BYTES + USER_DATA_BYTES;
  const slab = slabWithRoom(size);
  const start = takeFromSlab(slab, size);
  const out = slab.bytes;
  out.set(plainScratch.subarray(offset, offset + size), start);
  return {
    clientId,
    timeoutSeconds,
    serverAddresses: addresses,
    clientToServerKey: out.subarray(start, start + KEY_BYTES),
    serverToClientKey: out.subarray(start + KEY_BYTES, start + 2 * KEY_BYTES),
    userData: out.subarray(start + 2 * KEY_BYTES, start + size),
  };
}

/** Decrypt `sealed` into plainScratch and parse it; the scratch is wiped whatever happens. */
export function openSealed(
  sealed: Uint8Array,
  aad: Uint8Array,
  nonce: Uint8Array,
  privateKey: Uint8Array,
  littleEndian: boolean,
  ipv6Layout: Ipv6Layout,
): PrivateConnectToken {
  try {
    openXChaCha(plainScratch, sealed, aad, nonce, privateKey);
    return readPrivatePlain(littleEndian, ipv6Layout);
  } finally {
    wipe(plainScratch);
  }
}

/** Options of openPrivateToken. */
export interface OpenPrivateTokenOptions {
  privateKey: Uint8Array;
  protocolId: bigint;
  expireTimestamp: bigint;
  nonce: Uint8Array;
  dialect?: TokenDialect;
  /** Default `groups` (see Ipv6Layout). */
  ipv6Layout?: Ipv6Layout;
}

/**
 * Decrypt and parse a sealed private token (1024 bytes). Checks the MAC only: expiry and the
 * server address are verifyConnectToken's job.
 *
 * @example
 * const publicToken = readPublicToken(token);
 * const privateToken = openPrivateToken(publicToken.encryptedPrivateToken, {
 *   privateKey, protocolId: publicToken.protocolId,
 *   expireTimestamp: publicToken.expireTimestamp, nonce: publicToken.nonce,
 * });
 */
export function openPrivateToken(
  encrypted: Uint8Array,
  options: OpenPrivateTokenOptions,
): PrivateConnectToken {
  assertOptions(options, 'openPrivateToken');
  const littleEndian = isLittleEndian(options.dialect);
  const ipv6Layout = resolveIpv6Layout(options.ipv6Layout);
  assertPrivateKey(options.privateKey);
  const protocolId = assertU64(options.protocolId, 'protocolId');
  const expireTimestamp = assertU64(options.expireTimestamp, 'expireTimestamp');
  const nonce = fixedBytes(options.nonce, NONCE_BYTES, 'nonce');
  if (!nonce)
    throw new ConnectTokenError(ErrorCode.TOKEN_INVALID_ARGUMENT, 'nonce must be 24 bytes.');
  if (!(encrypted instanceof Uint8Array) || encrypted.length !== PRIVATE_SEALED_BYTES) {
    throw new ConnectTokenError(
      ErrorCode.TOKEN_MALFORMED,
      `The encrypted private token must be ${PRIVATE_SEALED_BYTES} bytes (1008 ciphertext + 16 tag).`,
    );
  }
  const aad = buildAad(protocolId, expireTimestamp, littleEndian);
  return openSealed(encrypted, aad, nonce, options.privateKey, littleEndian, ipv6Layout);
}
