/**
 * Sizes, offsets and defaults of the netcode.io 1.02 connect token, and the two byte-order
 * dialects playgap speaks. Layout reference: docs/connect-tokens.md.
 */

/**
 * The token dialects, the default first: every component's PLAYGAP_TOKEN_DIALECT takes these.
 *
 * @example
 * TOKEN_DIALECTS.includes('lightyear'); // true
 */
export const TOKEN_DIALECTS = ['netcode', 'lightyear'] as const;

/**
 * Byte order of every integer in a token. `netcode` is the standard (little-endian: C
 * reference, netcode-rs, Lightyear ≤ 0.19); `lightyear` is Lightyear ≥ 0.20 (big-endian).
 *
 * @example
 * const dialect: TokenDialect = 'lightyear';
 */
export type TokenDialect = (typeof TOKEN_DIALECTS)[number];

/**
 * How an IPv6 address body (16 bytes) is laid out. `groups`: eight u16 groups in the
 * dialect's byte order (the C reference writes `::1` as `00…00 01 00`; in the lightyear
 * dialect this equals network order). `octets`: the 16 network-order octets whatever the
 * dialect (netcode-rs and Lightyear ≤ 0.19 in the netcode dialect).
 *
 * @example
 * const layout: Ipv6Layout = 'octets'; // read a netcode-rs token with an IPv6 address
 */
export type Ipv6Layout = 'groups' | 'octets';

/** Size of a public connect token in bytes. @example new Uint8Array(CONNECT_TOKEN_BYTES) */
export const CONNECT_TOKEN_BYTES = 2048;
/** Size of a netcode connection request packet in bytes. @example bytes.length === CONNECTION_REQUEST_BYTES */
export const CONNECTION_REQUEST_BYTES = 1078;
/** Size of the user data carried in the private token. @example new Uint8Array(USER_DATA_BYTES) */
export const USER_DATA_BYTES = 256;

/** `NETCODE 1.02` plus one zero byte. */
export const VERSION_INFO = new Uint8Array([
  0x4e, 0x45, 0x54, 0x43, 0x4f, 0x44, 0x45, 0x20, 0x31, 0x2e, 0x30, 0x32, 0x00,
]);
export const VERSION_STRING = 'NETCODE 1.02';
export const VERSION_BYTES = 13;
export const NONCE_BYTES = 24;
export const KEY_BYTES = 32;
export const MAC_BYTES = 16;
export const PRIVATE_PLAIN_BYTES = 1008;
export const PRIVATE_SEALED_BYTES = PRIVATE_PLAIN_BYTES + MAC_BYTES;
export const AAD_BYTES = VERSION_BYTES + 8 + 8;
export const MAX_SERVER_ADDRESSES = 32;

/** Offsets inside the public connect token. */
export const TokenOffset = {
  version: 0,
  protocolId: 13,
  createTimestamp: 21,
  expireTimestamp: 29,
  nonce: 37,
  privateToken: 61,
  timeoutSeconds: 1085,
  addressCount: 1089,
  addresses: 1093,
} as const;

/** Offsets inside the connection request packet (byte 0 is the packet type, 0). */
export const RequestOffset = {
  packetType: 0,
  version: 1,
  protocolId: 14,
  expireTimestamp: 22,
  nonce: 30,
  privateToken: 54,
} as const;

/** Address entry types. */
export const ADDRESS_IPV4 = 1;
export const ADDRESS_IPV6 = 2;

/** Bevygap's defaults. */
export const DEFAULT_EXPIRE_SECONDS = 30;
export const DEFAULT_TIMEOUT_SECONDS = 15;
/** How far a token's create timestamp may lie in the verifier's future (clock skew). */
export const DEFAULT_CLOCK_SKEW_SECONDS = 10;

export const U64_MAX = 0xffff_ffff_ffff_ffffn;
/** Expire timestamp meaning "never" (all ones). */
export const NEVER_EXPIRES = U64_MAX;
