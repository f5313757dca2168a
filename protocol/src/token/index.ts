/**
 * @playgap/protocol/token — netcode.io 1.02 connect tokens (Node only: native crypto through
 * sodium-native). Mint on the matchmaker, verify on the game server (sidecar), in the
 * standard `netcode` dialect or Lightyear's big-endian `lightyear` one. Guide:
 * docs/connect-tokens.md.
 */
export { canonicalAddress } from './address.js';
export {
  CONNECT_TOKEN_BYTES,
  CONNECTION_REQUEST_BYTES,
  DEFAULT_CLOCK_SKEW_SECONDS,
  DEFAULT_EXPIRE_SECONDS,
  DEFAULT_TIMEOUT_SECONDS,
  type Ipv6Layout,
  NEVER_EXPIRES,
  TOKEN_DIALECTS,
  type TokenDialect,
  USER_DATA_BYTES,
} from './constants.js';
export { ConnectTokenError } from './errors.js';
export { formatPrivateKey, generatePrivateKey, parsePrivateKey } from './keys.js';
export { type MintedToken, type MintOptions, mintConnectToken } from './mint.js';
export {
  type OpenPrivateTokenOptions,
  openPrivateToken,
  type PrivateConnectToken,
} from './private-token.js';
export { parseProtocolId } from './protocol-id.js';
export {
  connectionRequestFromToken,
  type PublicConnectToken,
  type ReadPublicTokenOptions,
  readPublicToken,
} from './public-token.js';
export type { TokenForm } from './token-input.js';
export { decodeUserData, encodeUserData, type PlayerInfo } from './user-data.js';
export { type VerifiedToken, type VerifyOptions, verifyConnectToken } from './verify.js';
