/**
 * Minting: what the matchmaker does once a seat is reserved. Builds the 2048-byte public token
 * around a freshly sealed private token, with random nonce and session keys.
 */
import { ErrorCode } from '../error-codes.js';
import { parseAddressList, type ServerAddress } from './address.js';
import { randomInto, randomIntoBoth, sealXChaCha } from './aead.js';
import {
  assertOptions,
  clockSeconds,
  fixedBytes,
  integerOption,
  invalidArgument,
  isLittleEndian,
  resolveIpv6Layout,
} from './arguments.js';
import { byteLengthOf } from './bytes.js';
import {
  CONNECT_TOKEN_BYTES,
  DEFAULT_EXPIRE_SECONDS,
  DEFAULT_TIMEOUT_SECONDS,
  type Ipv6Layout,
  KEY_BYTES,
  NEVER_EXPIRES,
  NONCE_BYTES,
  type TokenDialect,
  TokenOffset,
  U64_MAX,
  USER_DATA_BYTES,
} from './constants.js';
import { ConnectTokenError } from './errors.js';
import { assertPrivateKey } from './keys.js';
import {
  AAD_EXPIRE_AT,
  mintAad,
  mintAadView,
  nonceInToken,
  plainBytes,
  plainView,
  sealedInToken,
  tokenBase64,
  tokenBytes,
  tokenView,
  useTemplate,
  wipeMintSecrets,
} from './mint-template.js';
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
 * A minted token: its standard base64 (what the matchmaker sends), the header fields the
 * caller stores with the reservation, and the 2048 bytes, decoded from the base64 on first
 * use (a matchmaker never needs them, and skipping a fresh 2 KiB per mint is a quarter of a
 * seal).
 *
 * @example
 * reply.token = minted.base64; reservation.expiresAt = Number(minted.expireTimestamp) * 1000;
 */
export interface MintedToken {
  readonly bytes: Uint8Array;
  readonly base64: string;
  readonly clientId: bigint;
  readonly createTimestamp: bigint;
  readonly expireTimestamp: bigint;
  /** The 24-byte nonce: a view into `bytes`. */
  readonly nonce: Uint8Array;
}

class Minted implements MintedToken {
  #bytes: Uint8Array | undefined;

  constructor(
    readonly base64: string,
    readonly clientId: bigint,
    readonly createTimestamp: bigint,
    readonly expireTimestamp: bigint,
  ) {}

  get bytes(): Uint8Array {
    if (this.#bytes === undefined) {
      const bytes = new Uint8Array(CONNECT_TOKEN_BYTES);
      Buffer.from(bytes.buffer).write(this.base64, 'base64');
      this.#bytes = bytes;
    }
    return this.#bytes;
  }

  get nonce(): Uint8Array {
    return this.bytes.subarray(TokenOffset.nonce, TokenOffset.nonce + NONCE_BYTES);
  }
}

/** The range of the i32 timeout field. */
const I32_MIN = -0x8000_0000;
const I32_MAX = 0x7fff_ffff;

/**
 * Address lists of recent mints: a matchmaker mints for the same few servers over and over.
 * One-address lists are keyed by the address; longer ones by their JSON, in another map, so
 * no list's key can be another (invalid) list's.
 */
const singleCache = new Map<string, ServerAddress[]>();
const listCache = new Map<string, ServerAddress[]>();
const ADDRESS_CACHE_LIMIT = 256;

// The list of the last one-address mint: callers often pass the same array again.
let lastList: unknown;
let lastAddress: unknown;
let lastParsed: ServerAddress[] = [];

function addressList(list: unknown, name: string): ServerAddress[] {
  // Same array, still one address, and the same text: the same parse (arrays are mutable).
  if (
    list === lastList &&
    (list as unknown[]).length === 1 &&
    (list as unknown[])[0] === lastAddress
  )
    return lastParsed;
  const parsed = cachedAddressList(list, name);
  if (Array.isArray(list) && list.length === 1) {
    lastList = list;
    lastAddress = list[0];
    lastParsed = parsed;
  }
  return parsed;
}

function cachedAddressList(list: unknown, name: string): ServerAddress[] {
  let cache: Map<string, ServerAddress[]> | undefined;
  let key: string | undefined;
  if (Array.isArray(list)) {
    // One server is the usual case: its address is the key as it is, no scan, no JSON.
    if (list.length === 1 && typeof list[0] === 'string') {
      cache = singleCache;
      key = list[0];
    } else if (list.length > 1 && list.every((item) => typeof item === 'string')) {
      cache = listCache;
      key = JSON.stringify(list);
    }
  }
  const cached = key === undefined ? undefined : cache?.get(key);
  if (cached) return cached;
  const parsed = parseAddressList(list, name);
  if (cache && key !== undefined) {
    if (cache.size >= ADDRESS_CACHE_LIMIT) cache.clear();
    cache.set(key, parsed);
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
  const size = byteLengthOf(value);
  if (size > USER_DATA_BYTES) {
    throw new ConnectTokenError(
      ErrorCode.USER_DATA_TOO_LARGE,
      `userData has ${size} bytes; a token carries at most ${USER_DATA_BYTES}. Shorten it.`,
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
  const privateKey = options.privateKey; // read once: the key checked is the key used
  assertPrivateKey(privateKey);
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

  const { tokenKeysAt, plainKeysAt } = useTemplate(
    protocolId,
    timeoutSeconds,
    publicList,
    privateList,
    littleEndian,
    ipv6Layout,
  );
  writeU64(tokenView, TokenOffset.createTimestamp, stamps.createHi, stamps.createLo, littleEndian);
  writeU64(tokenView, TokenOffset.expireTimestamp, stamps.expireHi, stamps.expireLo, littleEndian);
  writeU64(mintAadView, AAD_EXPIRE_AT, stamps.expireHi, stamps.expireLo, littleEndian);
  if (fixedNonce) tokenBytes.set(fixedNonce, TokenOffset.nonce);
  else randomInto(tokenView, TokenOffset.nonce, NONCE_BYTES);

  try {
    if (fixedC2s || fixedS2c) {
      if (fixedC2s) tokenBytes.set(fixedC2s, tokenKeysAt);
      else randomInto(tokenView, tokenKeysAt, KEY_BYTES);
      if (fixedS2c) tokenBytes.set(fixedS2c, tokenKeysAt + KEY_BYTES);
      else randomInto(tokenView, tokenKeysAt + KEY_BYTES, KEY_BYTES);
      for (let i = 0; i < 2 * KEY_BYTES; i += 4)
        plainView.setUint32(plainKeysAt + i, tokenView.getUint32(tokenKeysAt + i));
    } else {
      // The usual case: both keys drawn straight into the public token and the plaintext.
      randomIntoBoth(tokenView, tokenKeysAt, plainView, plainKeysAt, 2 * KEY_BYTES);
    }
    plainView.setBigUint64(0, clientId, littleEndian);
    if (userData) plainBytes.set(userData, plainKeysAt + 2 * KEY_BYTES);
    sealXChaCha(sealedInToken, plainBytes, mintAad, nonceInToken, privateKey);
  } finally {
    wipeMintSecrets();
  }
  return new Minted(tokenBase64(), clientId, stamps.createTimestamp, stamps.expireTimestamp);
}
