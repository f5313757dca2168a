/**
 * The token half of verify-and-consume: decode and authenticate a connect token (or a
 * connection request packet) with protocol's codec, then check it names this server. Seats,
 * replays and connection limits are the Sidecar's business, not this module's.
 */
import { ErrorCode } from '@playgap/protocol';
import { SidecarError } from './errors.js';

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
  player: { playerId?: string; name?: string; mode?: string; team?: string };
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
