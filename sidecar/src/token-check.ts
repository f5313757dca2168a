/**
 * The token half of verify-and-consume: decode and authenticate a connect token (or a
 * connection request packet) with protocol's codec, then check it names this server. Replays
 * and seats are player-admission.ts's business, not this module's.
 */
import { ErrorCode } from '@playgap/protocol';
import {
  decodeUserData,
  parsePrivateKey,
  parseProtocolId,
  verifyConnectToken,
} from '@playgap/protocol/token';
import type { TokenDialect } from './config.js';
import { ConfigError, SidecarError } from './errors.js';

/** What the sidecar needs from a verified token. */
export interface VerifiedToken {
  clientId: bigint;
  /** 256 bytes of user data. */
  userData: Uint8Array;
  /** Unix seconds. */
  expireTimestamp: number;
  /** Hex of the token nonce (replay key). */
  nonceHex: string;
  /** `ip:port` strings of the (private) server address list. */
  serverAddresses: string[];
  player: {
    playerId?: string;
    name?: string;
    mode?: string;
    team?: string;
    extra?: Record<string, string>;
  };
}

/**
 * Authenticates a base64 token/request packet at time `nowMs`; throws an error with a TOKEN_*
 * code when it is refused.
 *
 * @example
 * const verified = verifier('TkVUQ09ERSAxLjAy...', Date.now());
 */
export type TokenVerifier = (tokenBase64: string, nowMs: number) => VerifiedToken;

/**
 * The addresses this server answers to: `publicIp:<external>` of every port, plus loopback
 * variants (and internal ports) in local mode.
 *
 * @example
 * acceptedAddresses('1.2.3.4', [{ internal: 7000, external: 31000 }], false); // ['1.2.3.4:31000']
 */
export function acceptedAddresses(
  publicIp: string,
  ports: { internal: number; external: number }[],
  local: boolean,
): Set<string> {
  const out = new Set<string>();
  for (const port of ports) {
    out.add(`${publicIp}:${port.external}`);
    if (local) {
      for (const ip of [publicIp, '127.0.0.1', 'localhost']) {
        out.add(`${ip}:${port.external}`);
        out.add(`${ip}:${port.internal}`);
      }
    }
  }
  return out;
}

/**
 * Throw TOKEN_ADDRESS_NOT_LISTED unless one listed address is one of `accepted`.
 *
 * @example
 * assertAddressListed(['1.2.3.4:31000'], new Set(['1.2.3.4:31000']));
 */
export function assertAddressListed(listed: string[], accepted: Set<string>): void {
  if (listed.some((address) => accepted.has(address))) return;
  throw new SidecarError(
    ErrorCode.TOKEN_ADDRESS_NOT_LISTED,
    "The token does not name this server's public address; it was minted for another server.",
    401,
  );
}

/** Key material and dialect for the real verifier (text as given in env). */
export interface TokenSettings {
  protocolIdText: string;
  privateKeyText: string;
  tokenDialect: TokenDialect;
}

/**
 * The real verifier over protocol's netcode codec. Parses the key and protocol id once
 * (ConfigError naming PLAYGAP_PRIVATE_KEY / PLAYGAP_PROTOCOL_ID, never showing the key).
 *
 * @example
 * const verifier = createTokenVerifier({ protocolIdText: '7', privateKeyText: hex, tokenDialect: 'netcode' });
 */
export function createTokenVerifier(settings: TokenSettings): TokenVerifier {
  let privateKey: Uint8Array;
  let protocolId: bigint;
  try {
    privateKey = parsePrivateKey(settings.privateKeyText);
  } catch (cause) {
    throw new ConfigError(
      'PLAYGAP_PRIVATE_KEY',
      'must be 64 hex characters or a list of 32 numbers 0-255',
      { cause },
    );
  }
  try {
    protocolId = parseProtocolId(settings.protocolIdText);
  } catch (cause) {
    throw new ConfigError('PLAYGAP_PROTOCOL_ID', 'must be a decimal or 0x hex u64', { cause });
  }
  let currentMs = 0;
  const options = { protocolId, privateKey, dialect: settings.tokenDialect, now: () => currentMs };
  return (tokenBase64, nowMs) => {
    currentMs = nowMs;
    const verified = verifyConnectToken(tokenBase64, options);
    // The codec's views share a 64 KiB slab with other tokens' secrets: keep a copy only.
    const userData = verified.userData.slice();
    let player: VerifiedToken['player'] = {};
    try {
      const info = decodeUserData(userData);
      player = {
        ...(info.playerId !== undefined ? { playerId: String(info.playerId) } : {}),
        ...(info.name !== undefined ? { name: String(info.name) } : {}),
        ...(info.mode !== undefined ? { mode: String(info.mode) } : {}),
        ...(info.team !== undefined ? { team: String(info.team) } : {}),
        ...(info.extra ? { extra: { ...info.extra } } : {}),
      };
    } catch {
      // Not playgap's user-data layout (another issuer): the raw bytes are still returned.
    }
    return {
      clientId: verified.clientId,
      userData,
      expireTimestamp: Number(verified.expireTimestamp),
      nonceHex: Buffer.from(
        verified.nonce.buffer,
        verified.nonce.byteOffset,
        verified.nonce.byteLength,
      ).toString('hex'),
      serverAddresses: verified.serverAddresses, // a fresh array from every verify
      player,
    };
  };
}
