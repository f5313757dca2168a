/**
 * The private connect token: 1008 plaintext bytes (client id, timeout, the internal address
 * list, both session keys, user data) sealed with XChaCha20-Poly1305 under the shared private
 * key, with AAD = version ‖ protocol id ‖ expire timestamp.
 */
import { ErrorCode } from '../error-codes.js';
import { readAddressEntries } from './address.js';
import { openXChaCha, wipe } from './aead.js';
import { assertOptions, fixedBytes, isLittleEndian, resolveIpv6Layout } from './arguments.js';
import { byteLengthOf, slabWithRoom, takeFromSlab } from './bytes.js';
import {
  AAD_BYTES,
  type Ipv6Layout,
  KEY_BYTES,
  NONCE_BYTES,
  PRIVATE_PLAIN_BYTES,
  PRIVATE_SEALED_BYTES,
  type TokenDialect,
  TokenOffset,
  USER_DATA_BYTES,
  VERSION_BYTES,
  VERSION_INFO,
} from './constants.js';
import { ConnectTokenError } from './errors.js';
import { assertPrivateKey } from './keys.js';
import { assertU64 } from './protocol-id.js';
import { tokenView } from './token-input.js';

/**
 * What the game server learns from a token: only it can read this part. The keys and user
 * data are views into shared slab memory (see VerifiedToken): `.slice()` what you keep.
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
/** Reused AAD buffer (not secret); its version bytes never change. */
const aadScratch = new Uint8Array(AAD_BYTES);
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
 * Fill the AAD scratch with the protocol id and expire timestamp bytes of a loaded token,
 * as they are (whatever the dialect), and return it.
 */
export function aadOf(view: DataView, protocolIdAt: number, expireAt: number): Uint8Array {
  aadView.setUint32(VERSION_BYTES, view.getUint32(protocolIdAt));
  aadView.setUint32(VERSION_BYTES + 4, view.getUint32(protocolIdAt + 4));
  aadView.setUint32(VERSION_BYTES + 8, view.getUint32(expireAt));
  aadView.setUint32(VERSION_BYTES + 12, view.getUint32(expireAt + 4));
  return aadScratch;
}

/** Session keys then user data: the end of the plaintext, after the address list. */
export const SECRETS_BYTES = 2 * KEY_BYTES + USER_DATA_BYTES;
// A view of the secrets where the last plaintext had them (usually the same place).
let secretsInPlain = plainScratch.subarray(0, SECRETS_BYTES);

/** The non-secret start of an opened plaintext; one object, refilled by readPlainHead. */
export interface PlainHead {
  clientId: bigint;
  timeoutSeconds: number;
  serverAddresses: string[];
  /** Where the session keys start in plainScratch. */
  secretsAt: number;
}

const head: PlainHead = { clientId: 0n, timeoutSeconds: 0, serverAddresses: [], secretsAt: 0 };

/**
 * Parse the client id, timeout and address list of plainScratch (already decrypted) into the
 * shared PlainHead (a fresh address array each time); TOKEN_MALFORMED on a bad list.
 */
export function readPlainHead(littleEndian: boolean, ipv6Layout: Ipv6Layout): PlainHead {
  head.clientId = plainView.getBigUint64(0, littleEndian);
  head.timeoutSeconds = plainView.getInt32(8, littleEndian);
  const addresses: string[] = [];
  const secretsAt = readAddressEntries(
    plainView,
    plainScratch,
    12,
    PRIVATE_PLAIN_BYTES - SECRETS_BYTES,
    littleEndian,
    ipv6Layout,
    'private',
    addresses,
  );
  head.serverAddresses = addresses;
  if (secretsAt !== head.secretsAt) {
    secretsInPlain = plainScratch.subarray(secretsAt, secretsAt + SECRETS_BYTES);
  }
  head.secretsAt = secretsAt;
  return head;
}

/**
 * `true` when the public timeout and keys of the loaded token (keys at `keysOffset` of
 * tokenScratch) equal the sealed ones of the last readPlainHead.
 */
export function publicCopiesMatch(keysOffset: number, littleEndian: boolean): boolean {
  if (tokenView.getInt32(TokenOffset.timeoutSeconds, littleEndian) !== head.timeoutSeconds)
    return false;
  const at = head.secretsAt;
  for (let i = 0; i < 2 * KEY_BYTES; i += 4)
    if (tokenView.getUint32(keysOffset + i) !== plainView.getUint32(at + i)) return false;
  return true;
}

/** Copy the secrets of the last readPlainHead into `out` at `at`. */
export function copySecrets(out: Uint8Array, at: number): void {
  out.set(secretsInPlain, at);
}

/** Zero plainScratch: all of it after a failure, only the secrets after a good read. */
export function wipePlain(all: boolean): void {
  if (all) wipe(plainScratch);
  else plainScratch.fill(0, head.secretsAt, head.secretsAt + SECRETS_BYTES);
}

/** Decrypt `sealed` into plainScratch and parse it; its secrets are wiped whatever happens. */
function openSealed(
  sealed: Uint8Array,
  aad: Uint8Array,
  nonce: Uint8Array,
  privateKey: Uint8Array,
  littleEndian: boolean,
  ipv6Layout: Ipv6Layout,
): PrivateConnectToken {
  try {
    openXChaCha(plainScratch, sealed, aad, nonce, privateKey);
    const { clientId, timeoutSeconds, serverAddresses } = readPlainHead(littleEndian, ipv6Layout);
    const slab = slabWithRoom(SECRETS_BYTES);
    const start = takeFromSlab(slab, SECRETS_BYTES);
    copySecrets(slab.bytes, start);
    wipePlain(false);
    // Views made with the constructor: cheaper than subarray, which looks up a species.
    const memory = slab.memory;
    return {
      clientId,
      timeoutSeconds,
      serverAddresses,
      clientToServerKey: new Uint8Array(memory, start, KEY_BYTES),
      serverToClientKey: new Uint8Array(memory, start + KEY_BYTES, KEY_BYTES),
      userData: new Uint8Array(memory, start + 2 * KEY_BYTES, USER_DATA_BYTES),
    };
  } catch (error) {
    wipePlain(true);
    throw error;
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
  const privateKey = options.privateKey; // read once: the key checked is the key used
  assertPrivateKey(privateKey);
  const protocolId = assertU64(options.protocolId, 'protocolId');
  const expireTimestamp = assertU64(options.expireTimestamp, 'expireTimestamp');
  const nonce = fixedBytes(options.nonce, NONCE_BYTES, 'nonce');
  if (!nonce)
    throw new ConnectTokenError(ErrorCode.TOKEN_INVALID_ARGUMENT, 'nonce must be 24 bytes.');
  if (!(encrypted instanceof Uint8Array) || byteLengthOf(encrypted) !== PRIVATE_SEALED_BYTES) {
    throw new ConnectTokenError(
      ErrorCode.TOKEN_MALFORMED,
      `The encrypted private token must be ${PRIVATE_SEALED_BYTES} bytes (1008 ciphertext + 16 tag).`,
    );
  }
  const aad = buildAad(protocolId, expireTimestamp, littleEndian);
  return openSealed(encrypted, aad, nonce, privateKey, littleEndian, ipv6Layout);
}
