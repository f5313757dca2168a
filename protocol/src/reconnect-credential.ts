/**
 * The reconnect credential: what a player gets in the welcome to come back to the same seat after
 * its connection drops. `pgr1.<serverId>.<clientId>.<secret>`: the server and client it is for,
 * and a per-seat secret (32 random bytes, base64url) only that server's sidecar knows and
 * replaces on every rejoin, so a credential works once, on its server, for its client, within
 * the grace period. It travels where a connect token does (the auth frame, geckos'
 * `authorization`, WebTransport's first frame); the prefix tells the two apart. Pure and
 * browser-safe: the sidecar makes the secret and checks it.
 */
import { SERVER_ID_PATTERN } from './names.js';

/** Every credential starts with this (a connect token is base64, which has no `.`). */
export const RECONNECT_CREDENTIAL_PREFIX = 'pgr1.';

/** Longest credential anything accepts (a real one is about 130 characters). */
export const MAX_RECONNECT_CREDENTIAL_LENGTH = 256;

/** The secret's length in base64url characters (32 bytes, no padding). */
const SECRET_CHARS = 43;
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const CLIENT_ID_PATTERN = /^[0-9]{1,20}$/;

/** What the welcome hands a player for coming back: the credential and how long it holds. */
export interface ReconnectGrant {
  credential: string;
  /** How long after a drop the seat is held, in milliseconds. */
  graceMs: number;
}

/** The parts of a well-formed credential. */
export interface ReconnectCredentialParts {
  serverId: string;
  clientId: string;
  /** base64url, 43 characters. */
  secret: string;
}

/**
 * True when `text` is meant as a reconnect credential (not a connect token), well formed or not.
 *
 * @example
 * if (isReconnectCredential(auth.token)) await sidecar.reconnect(auth.token);
 */
export function isReconnectCredential(text: string): boolean {
  return text.startsWith(RECONNECT_CREDENTIAL_PREFIX);
}

/**
 * Put a credential together.
 *
 * @example
 * formatReconnectCredential({ serverId: 'abc', clientId: '42', secret }); // 'pgr1.abc.42.<secret>'
 */
export function formatReconnectCredential(parts: ReconnectCredentialParts): string {
  return `${RECONNECT_CREDENTIAL_PREFIX}${parts.serverId}.${parts.clientId}.${parts.secret}`;
}

/**
 * Take a credential apart; undefined when it is not a well-formed one (wrong prefix, length,
 * server id, client id or secret).
 *
 * @example
 * parseReconnectCredential('pgr1.abc.42.' + 'A'.repeat(43))?.clientId; // '42'
 */
export function parseReconnectCredential(text: string): ReconnectCredentialParts | undefined {
  if (text.length > MAX_RECONNECT_CREDENTIAL_LENGTH || !isReconnectCredential(text)) {
    return undefined;
  }
  const fields = text.slice(RECONNECT_CREDENTIAL_PREFIX.length).split('.');
  if (fields.length !== 3) return undefined;
  const [serverId, clientId, secret] = fields as [string, string, string];
  if (!SERVER_ID_PATTERN.test(serverId) || !CLIENT_ID_PATTERN.test(clientId)) return undefined;
  if (secret.length !== SECRET_CHARS || !SECRET_PATTERN.test(secret)) return undefined;
  return { serverId, clientId, secret };
}
