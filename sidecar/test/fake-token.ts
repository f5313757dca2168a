/**
 * A stand-in token verifier for core tests that are about seats, not crypto: the "token" is
 * base64 JSON. Real connect tokens are covered in tokens.test.ts with protocol's codec.
 */
import { ErrorCode } from '@playgap/protocol';
import { SidecarError } from '../src/errors.js';
import type { TokenVerifier } from '../src/token-check.js';

let nonce = 0;

export function fakeToken(
  fields: {
    clientId: bigint | number;
    addresses?: string[];
    expireSeconds?: number;
    nonce?: string;
    playerId?: string;
  },
  nowMs = Date.now(),
): string {
  return Buffer.from(
    JSON.stringify({
      clientId: String(fields.clientId),
      addresses: fields.addresses ?? ['203.0.113.9:31000'],
      expire: Math.floor(nowMs / 1000) + (fields.expireSeconds ?? 30),
      nonce: fields.nonce ?? `n${nonce++}`,
      playerId: fields.playerId,
    }),
  ).toString('base64');
}

export const fakeVerifier: TokenVerifier = (text, nowMs) => {
  let o: {
    clientId: string;
    addresses: string[];
    expire: number;
    nonce: string;
    playerId?: string;
  };
  try {
    o = JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
  } catch {
    throw new SidecarError(ErrorCode.TOKEN_MALFORMED, 'not a fake token', 401);
  }
  if (o.expire * 1000 <= nowMs) throw new SidecarError(ErrorCode.TOKEN_EXPIRED, 'expired', 401);
  return {
    clientId: BigInt(o.clientId),
    userData: new Uint8Array(256),
    expireTimestamp: o.expire,
    nonceHex: o.nonce,
    serverAddresses: o.addresses,
    player: o.playerId ? { playerId: o.playerId } : {},
  };
};
