/**
 * Minting: what the matchmaker does once a seat is reserved. Builds the 2048-byte public token
 * around a freshly sealed private token, with random nonce and session keys.
 */
import { ErrorCode } from '../error-codes.js';
import { parseAddressList, type ServerAddress, writeAddressEntries } from './address.js';
import { randomInto, sealXChaCha } from './aead.js';
import {
  assertOptions,
  clockSeconds,
  fixedBytes,
  integerOption,
  invalidArgument,
  isLittleEndian,
  resolveIpv6Layout,
} from './arguments.js';
import { slabWithRoom, takeFromSlab } from './bytes.js';
import {
  CONNECT_TOKEN_BYTES,
  DEFAULT_EXPIRE_SECONDS,
  DEFAULT_TIMEOUT_SECONDS,
  type Ipv6Layout,
  KEY_BYTES,
  NEVER_EXPIRES,
  NONCE_BYTES,
  PRIVATE_SEALED_BYTES,
  type TokenDialect,
  TokenOffset,
  U64_MAX,
  USER_DATA_BYTES,
  VERSION_INFO,
} from './constants.js';
import { ConnectTokenError } from './errors.js';
import { assertPrivateKey } from './keys.js';
import { aadScratch, plainScratch, writePrivatePlain } from './private-token.js';
import { assertU64 } from './protocol-id.js';

/**
 * Inputs of mintConnectToken.
 *
 * @example
 * const options: MintOptions = { protocolId: 7n, privateKey, clientId: 42n, serverAddresses: ['1.2.3.4:5000'] };
 */
export interface MintOptions {
  protocolId: bigint;
  privateKey: Uint8Array;
  clientId: bigint;
  /** "1.2.3.4:5000" or "[::1]:5000", 1..32: where the client may connect (public list). */
  serverAddresses: string[];
  /** The sealed list the server checks its own address against; default = serverAddresses. */
  internalServerAddresses?: string[];
  /** Default 30; negative = never expires (all-ones timestamp). */
  expireSeconds?: number;
  /** Default 15; negative disables the connection timeout. */
  timeoutSeconds?: number;
  /** At most 256 bytes, zero padded (see encodeUserData). */
  userData?: Uint8Array;
  dialect?: TokenDialect;
  /** Default `groups` (see Ipv6Layout). */
  ipv6Layout?: Ipv6Layout;
  /** Unix time in ms; default Date.now. */
  now?: () => number;
  /** Fixed inputs for tests; random otherwise. */
  nonce?: Uint8Array;
  clientToServerKey?: Uint8Array;
  serverToClientKey?: Uint8Array;
}

/**
 * A minted token: the 2048 bytes, their standard base64 (what the matchmaker sends), and the
 * header fields the caller stores with the reservation.
 *
 * @example
 * reply.token = minted.base64; reservation.expiresAt = Number(minted.expireTimestamp) * 1000;
 */
export interface MintedToken {
  bytes: Uint8Array;
  base64: string;
  clientId: bigint;
  createTimestamp: bigint;
  expireTimestamp: bigint;
  nonce: Uint8Array;
}

/** The token being minted; only the header, address list and keys change between tokens. */
const I32_MIN = -0x8000_0000;
const I32_MAX = 0x7fff_ffff;

/** Address lists of recent mints: a matchmaker mints for the same few servers over and over. */
const addressCache = new Map<string, ServerAddress[]>();
const ADDRESS_CACHE_LIMIT = 256;

function addressList(list: unknown, name: string): ServerAddress[] {
  let key: string | undefined;
  if (Array.isArray(list)) {
    // One server is the usual case: its address is the key as it is.
    if (list.length === 1 && typeof list[0] === 'string') key = list[0];
    else if (list.every((item) => typeof item === 'string')) key = list.join(' ');
  }
  const cached = key === undefined ? undefined : addressCache.get(key);
  if (cached) return cached;
  const parsed = parseAddressList(list, name);
  if (key !== undefined) {
    if (addressCache.size >= ADDRESS_CACHE_LIMIT) addressCache.clear();
    addressCache.set(key, parsed);
  }
  return parsed;
}

interface Stamps {
  seconds: number;
  expireSeconds: number;
  createTimestamp: bigint;
  expireTimestamp: bigint;
  createHi: number;
  createLo: number;
  expireHi: number;
  expireLo: number;
}

// The timestamps change once a second: their BigInts and 32-bit halves are cached per second.
let lastStamps: Stamps | undefined;

function timestamps(now: unknown, expireSeconds: number): Stamps {
  const seconds = clockSeconds(now);
  const cached = lastStamps;
  if (cached && cached.seconds === seconds && cached.expireSeconds === expireSeconds) return cached;
  const createTimestamp = BigInt(seconds);
  const expireTimestamp =
    expireSeconds < 0 ? NEVER_EXPIRES : createTimestamp + BigInt(expireSeconds);
  if (expireTimestamp > U64_MAX || createTimestamp > U64_MAX) {
    throw invalidArgument('now and expireSeconds put the timestamps past the u64 range.');
  }
  const stamps: Stamps = {
    seconds,
    expireSeconds,
    createTimestamp,
    expireTimestamp,
    createHi: Number(createTimestamp >> 32n),
    createLo: Number(createTimestamp & 0xffff_ffffn),
    expireHi: Number(expireTimestamp >> 32n),
    expireLo: Number(expireTimestamp & 0xffff_ffffn),
  };
  lastStamps = stamps;
  return stamps;
}

function writeU64(view: DataView, at: number, hi: number, lo: number, littleEndian: boolean): void {
  if (littleEndian) {
    view.setUint32(at, lo, true);
    view.setUint32(at + 4, hi, true);
  } else {
    view.setUint32(at, hi, false);
    view.setUint32(at + 4, lo, false);
  }
}

function userDataOption(value: unknown): Uint8Array | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof Uint8Array))
    throw invalidArgument('userData must be bytes (see encodeUserData).');
  if (value.length > USER_DATA_BYTES) {
    throw new ConnectTokenError(
      ErrorCode.USER_DATA_TOO_LARGE,
      `userData has ${value.length} bytes; a token carries at most ${USER_DATA_BYTES}. Shorten it.`,
    );
  }
  return value;
}

/**
 * Mint a netcode.io 1.02 connect token. Throws ConnectTokenError (TOKEN_INVALID_ARGUMENT,
 * KEY_INVALID, USER_DATA_TOO_LARGE) naming the bad option.
 *
 * @example
 * const minted = mintConnectToken({
 *   protocolId: parseProtocolId('0x1122334455667788'),
 *   privateKey: parsePrivateKey(process.env.PLAYGAP_PRIVATE_KEY!),
 *   clientId: 42n,
 *   serverAddresses: ['203.0.113.7:31500'],
 *   userData: encodeUserData({ playerId: 'p-42', mode: 'duel' }),
 * });
 * sendToBrowser(minted.base64);
 */
export function mintConnectToken(options: MintOptions): MintedToken {
  assertOptions(options, 'mintConnectToken');
  const littleEndian = isLittleEndian(options.dialect);
  const ipv6Layout = resolveIpv6Layout(options.ipv6Layout);
  const protocolId = assertU64(options.protocolId, 'protocolId');
  assertPrivateKey(options.privateKey);
  const clientId = assertU64(options.clientId, 'clientId');
  const publicList = addressList(options.serverAddresses, 'serverAddresses');
  const privateList =
    options.internalServerAddresses === undefined
      ? publicList
      : addressList(options.internalServerAddresses, 'internalServerAddresses');
  const expireSeconds = integerOption(
    options.expireSeconds,
    DEFAULT_EXPIRE_SECONDS,
    'expireSeconds',
    Number.MIN_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER,
  );
  const timeoutSeconds = integerOption(
    options.timeoutSeconds,
    DEFAULT_TIMEOUT_SECONDS,
    'timeoutSeconds',
    I32_MIN,
    I32_MAX,
  );
  const userData = userDataOption(options.userData);
  const fixedNonce = fixedBytes(options.nonce, NONCE_BYTES, 'nonce');
  const fixedC2s = fixedBytes(options.clientToServerKey, KEY_BYTES, 'clientToServerKey');
  const fixedS2c = fixedBytes(options.serverToClientKey, KEY_BYTES, 'serverToClientKey');
  const stamps = timestamps(options.now, expireSeconds);
  const { createTimestamp, expireTimestamp } = stamps;

  // Built straight in its slab (slabs come zeroed, so the padding is already zero).
  const slab = slabWithRoom(CONNECT_TOKEN_BYTES);
  const start = takeFromSlab(slab, CONNECT_TOKEN_BYTES);
  const t = slab.bytes;
  const view = slab.view;
  for (let i = 0; i < VERSION_INFO.length; i++) t[start + i] = VERSION_INFO[i]!;
  view.setBigUint64(start + TokenOffset.protocolId, protocolId, littleEndian);
  writeU64(
    view,
    start + TokenOffset.createTimestamp,
    stamps.createHi,
    stamps.createLo,
    littleEndian,
  );
  writeU64(
    view,
    start + TokenOffset.expireTimestamp,
    stamps.expireHi,
    stamps.expireLo,
    littleEndian,
  );
  const nonceAt = start + TokenOffset.nonce;
  if (fixedNonce) t.set(fixedNonce, nonceAt);
  else randomInto(t, nonceAt, NONCE_BYTES);
  view.setInt32(start + TokenOffset.timeoutSeconds, timeoutSeconds, littleEndian);
  const keysAt = writeAddressEntries(
    view,
    t,
    start + TokenOffset.addressCount,
    publicList,
    littleEndian,
    ipv6Layout,
  );
  if (fixedC2s) t.set(fixedC2s, keysAt);
  else randomInto(t, keysAt, KEY_BYTES);
  if (fixedS2c) t.set(fixedS2c, keysAt + KEY_BYTES);
  else randomInto(t, keysAt + KEY_BYTES, KEY_BYTES);

  const plainEnd = writePrivatePlain(
    clientId,
    timeoutSeconds,
    privateList,
    t,
    keysAt,
    userData,
    littleEndian,
    ipv6Layout,
  );
  const nonce = t.subarray(nonceAt, nonceAt + NONCE_BYTES);
  const sealedAt = start + TokenOffset.privateToken;
  try {
    // AAD = version ‖ protocol id ‖ expire timestamp, copied from the header just written.
    const aad = aadScratch;
    for (let i = 0; i < 21; i++) aad[i] = t[start + i]!;
    for (let i = 0; i < 8; i++) aad[21 + i] = t[start + TokenOffset.expireTimestamp + i]!;
    sealXChaCha(
      t.subarray(sealedAt, sealedAt + PRIVATE_SEALED_BYTES),
      plainScratch,
      aad,
      nonce,
      options.privateKey,
    );
  } catch (error) {
    t.fill(0, start, start + CONNECT_TOKEN_BYTES); // never hand out a half-built token's bytes
    throw error;
  } finally {
    plainScratch.fill(0, 0, plainEnd); // the rest was never written
  }
  const base64 = slab.buffer.toString('base64', start, start + CONNECT_TOKEN_BYTES);
  return {
    bytes: t.subarray(start, start + CONNECT_TOKEN_BYTES),
    base64,
    clientId,
    createTimestamp,
    expireTimestamp,
    nonce,
  };
}
