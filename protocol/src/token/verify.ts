/**
 * Verification: what a game server (through its sidecar) does with the token a client
 * presents. Accepts the connect token or the connection request packet, bytes or base64.
 */
import { ErrorCode } from '../error-codes.js';
import { canonicalAddress } from './address.js';
import { openXChaCha } from './aead.js';
import {
  assertOptions,
  integerOption,
  invalidArgument,
  isLittleEndian,
  nowSeconds,
  resolveIpv6Layout,
} from './arguments.js';
import { type Slab, slabWithRoom, takeFromSlab } from './bytes.js';
import {
  DEFAULT_CLOCK_SKEW_SECONDS,
  type Ipv6Layout,
  KEY_BYTES,
  NONCE_BYTES,
  PRIVATE_SEALED_BYTES,
  RequestOffset,
  type TokenDialect,
  TokenOffset,
  USER_DATA_BYTES,
} from './constants.js';
import { ConnectTokenError } from './errors.js';
import { assertPrivateKey } from './keys.js';
import {
  aadOf,
  copySecrets,
  type PlainHead,
  type PrivateConnectToken,
  plainScratch,
  publicCopiesMatch,
  readPlainHead,
  SECRETS_BYTES,
  wipePlain,
} from './private-token.js';
import { assertU64 } from './protocol-id.js';
import { checkVersion, publicKeysOffset } from './public-token.js';
import { loadToken, type TokenForm, tokenScratch, tokenView } from './token-input.js';

/**
 * Options of verifyConnectToken.
 *
 * @example
 * const options: VerifyOptions = { protocolId, privateKey, serverAddress: '203.0.113.7:31500' };
 */
export interface VerifyOptions {
  protocolId: bigint;
  privateKey: Uint8Array;
  /** This server's public address; when given it must be in the token's private list. */
  serverAddress?: string;
  dialect?: TokenDialect;
  /** Unix time in ms; default Date.now. */
  now?: () => number;
  /** How far the create timestamp may be in the future (clock skew), default 10 s. */
  clockSkewSeconds?: number;
  /** Default `groups` (see Ipv6Layout). */
  ipv6Layout?: Ipv6Layout;
}

/**
 * A token that passed every check, with its sealed content. Like Node's pooled Buffers, the
 * nonce, keys and user data are views into a shared 64 KiB slab that also holds other
 * accepted tokens' keys and user data: read them or `.slice()` what you keep, and never hand
 * their `.buffer` on (postMessage, structuredClone or Buffer.from(x.buffer) would copy the
 * whole slab).
 *
 * @example
 * const { clientId, userData, form } = verifyConnectToken(token, options);
 * const kept = userData.slice();
 */
export interface VerifiedToken extends PrivateConnectToken {
  form: TokenForm;
  expireTimestamp: bigint;
  /** Known only for the connect-token form (the request packet does not carry it). */
  createTimestamp?: bigint;
  nonce: Uint8Array;
}

/** The nonce and sealed private token inside a loaded connect token / request packet. */
const nonceInToken = tokenScratch.subarray(TokenOffset.nonce, TokenOffset.nonce + NONCE_BYTES);
const nonceInPacket = tokenScratch.subarray(RequestOffset.nonce, RequestOffset.nonce + NONCE_BYTES);
const sealedInToken = tokenScratch.subarray(
  TokenOffset.privateToken,
  TokenOffset.privateToken + PRIVATE_SEALED_BYTES,
);
const sealedInPacket = tokenScratch.subarray(
  RequestOffset.privateToken,
  RequestOffset.privateToken + PRIVATE_SEALED_BYTES,
);
const DEFAULT_SKEW = BigInt(DEFAULT_CLOCK_SKEW_SECONDS);

let lastServerAddress: string | undefined;
let lastCanonical = '';

function canonicalServerAddress(address: unknown): string | undefined {
  if (address === undefined) return undefined;
  if (typeof address !== 'string')
    throw invalidArgument('serverAddress must be a string like "1.2.3.4:5000".');
  if (address !== lastServerAddress) {
    lastCanonical = canonicalAddress(address);
    lastServerAddress = address;
  }
  return lastCanonical;
}

/** The first header check that fails (protocol id, create ≤ expire, expiry, create time). */
function headerError(
  tokenProtocolId: bigint,
  createTimestamp: bigint | undefined,
  expireTimestamp: bigint,
  protocolId: bigint,
  now: bigint,
  skewSeconds: bigint,
): ConnectTokenError | undefined {
  if (tokenProtocolId !== protocolId) {
    return new ConnectTokenError(
      ErrorCode.TOKEN_WRONG_PROTOCOL,
      'The token was minted for another protocol id: give the matchmaker and the game server the same protocol id.',
    );
  }
  if (createTimestamp !== undefined && createTimestamp > expireTimestamp) {
    return new ConnectTokenError(
      ErrorCode.TOKEN_NOT_YET_VALID,
      'The token was created after its own expiry: check the matchmaker clock and mint a new one.',
    );
  }
  if (expireTimestamp <= now) {
    return new ConnectTokenError(
      ErrorCode.TOKEN_EXPIRED,
      'The token has expired: ask the matchmaker for a new one (and check the server clock).',
    );
  }
  if (createTimestamp !== undefined && createTimestamp > now + skewSeconds) {
    return new ConnectTokenError(
      ErrorCode.TOKEN_NOT_YET_VALID,
      'The token was created in the future: check the clocks of matchmaker and game server (NTP).',
    );
  }
  return undefined;
}

/** headerError of the loaded token read in the given byte order. */
function headerErrorIn(
  isToken: boolean,
  littleEndian: boolean,
  protocolId: bigint,
  now: bigint,
  skewSeconds: bigint,
): ConnectTokenError | undefined {
  const at = isToken ? TokenOffset : RequestOffset;
  return headerError(
    tokenView.getBigUint64(at.protocolId, littleEndian),
    isToken ? tokenView.getBigUint64(TokenOffset.createTimestamp, littleEndian) : undefined,
    tokenView.getBigUint64(at.expireTimestamp, littleEndian),
    protocolId,
    now,
    skewSeconds,
  );
}

function otherDialect(littleEndian: boolean): ConnectTokenError {
  const [mine, theirs] = littleEndian ? ['netcode', 'lightyear'] : ['lightyear', 'netcode'];
  return new ConnectTokenError(
    ErrorCode.TOKEN_BAD_MAC,
    `The token was minted in the ${theirs} dialect but this server verifies ${mine}: give the matchmaker and the game server the same dialect.`,
  );
}

/**
 * Verify a token: length, version, protocol id, create ≤ expire (connect-token form), expiry
 * and create time against `now`, MAC, address lists, and `serverAddress` in the private list.
 * For the connect-token form the public timeout and keys must equal the sealed ones.
 * Throws ConnectTokenError with the code of the first failed check.
 *
 * @example
 * const verified = verifyConnectToken(body.token, {
 *   protocolId, privateKey, serverAddress: `${publicIp}:${port}`,
 * });
 * const player = decodeUserData(verified.userData);
 */
export function verifyConnectToken(
  input: Uint8Array | string,
  options: VerifyOptions,
): VerifiedToken {
  assertOptions(options, 'verifyConnectToken');
  const littleEndian = isLittleEndian(options.dialect);
  const ipv6Layout = resolveIpv6Layout(options.ipv6Layout);
  const privateKey = options.privateKey; // read once: the key checked is the key used
  assertPrivateKey(privateKey);
  const protocolId = assertU64(options.protocolId, 'protocolId');
  const serverAddress = canonicalServerAddress(options.serverAddress);
  const skewSeconds =
    options.clockSkewSeconds === undefined
      ? DEFAULT_SKEW
      : BigInt(
          integerOption(
            options.clockSkewSeconds,
            DEFAULT_CLOCK_SKEW_SECONDS,
            'clockSkewSeconds',
            0,
            86_400,
          ),
        );
  const now = nowSeconds(options.now);

  const form = loadToken(input);
  const bytes = tokenScratch;
  const isToken = form === 'connect-token';
  if (!isToken && bytes[RequestOffset.packetType] !== 0) {
    throw new ConnectTokenError(
      ErrorCode.TOKEN_MALFORMED,
      'The packet is not a netcode connection request (type 0).',
    );
  }
  const at = isToken ? TokenOffset : RequestOffset;
  checkVersion(tokenView, at.version);
  const tokenProtocolId = tokenView.getBigUint64(at.protocolId, littleEndian);
  const expireTimestamp = tokenView.getBigUint64(at.expireTimestamp, littleEndian);
  const createTimestamp = isToken
    ? tokenView.getBigUint64(TokenOffset.createTimestamp, littleEndian)
    : undefined;
  const problem = headerError(
    tokenProtocolId,
    createTimestamp,
    expireTimestamp,
    protocolId,
    now,
    skewSeconds,
  );
  if (problem) {
    // A token of the other dialect reads as nonsense here; say so instead of a misleading code.
    if (!headerErrorIn(isToken, !littleEndian, protocolId, now, skewSeconds))
      throw otherDialect(littleEndian);
    throw problem;
  }
  // The public list is checked, not formatted: the server trusts only the sealed one.
  const publicKeysAt = isToken ? publicKeysOffset(littleEndian, ipv6Layout) : 0;

  let plainHead: PlainHead;
  let slab: Slab;
  let start: number;
  try {
    openXChaCha(
      plainScratch,
      isToken ? sealedInToken : sealedInPacket,
      aadOf(tokenView, at.protocolId, at.expireTimestamp),
      isToken ? nonceInToken : nonceInPacket,
      privateKey,
    );
    plainHead = readPlainHead(littleEndian, ipv6Layout);
    if (isToken && !publicCopiesMatch(publicKeysAt, littleEndian)) {
      throw new ConnectTokenError(
        ErrorCode.TOKEN_MALFORMED,
        'The token was altered after minting (its public timeout or keys differ from the sealed ones). Send the token exactly as the matchmaker returned it.',
      );
    }
    if (serverAddress !== undefined && !plainHead.serverAddresses.includes(serverAddress)) {
      throw new ConnectTokenError(
        ErrorCode.TOKEN_ADDRESS_NOT_LISTED,
        `The token does not name this server (${serverAddress}): the player was sent elsewhere; ask the matchmaker again.`,
      );
    }
    // Only a token that passed every check gets slab space: nonce, then keys and user data.
    slab = slabWithRoom(NONCE_BYTES + SECRETS_BYTES);
    start = takeFromSlab(slab, NONCE_BYTES + SECRETS_BYTES);
    copySecrets(slab.bytes, start + NONCE_BYTES);
    wipePlain(false);
  } catch (error) {
    wipePlain(true);
    throw error;
  }
  const { clientId, timeoutSeconds, serverAddresses } = plainHead;
  const out = slab.view;
  for (let i = 0; i < NONCE_BYTES; i += 4)
    out.setUint32(start + i, tokenView.getUint32(at.nonce + i));
  // Views made with the constructor: cheaper than subarray, which looks up a species.
  const memory = slab.memory;
  const keysAt = start + NONCE_BYTES;
  return {
    clientId,
    timeoutSeconds,
    serverAddresses,
    clientToServerKey: new Uint8Array(memory, keysAt, KEY_BYTES),
    serverToClientKey: new Uint8Array(memory, keysAt + KEY_BYTES, KEY_BYTES),
    userData: new Uint8Array(memory, keysAt + 2 * KEY_BYTES, USER_DATA_BYTES),
    form,
    expireTimestamp,
    createTimestamp,
    nonce: new Uint8Array(memory, start, NONCE_BYTES),
  };
}
