/**
 * The server's answer to a token, shared by every transport: a welcome, or a refusal
 * `{code, message}` that becomes TOKEN_REFUSED with the server's reason.
 */
import { ErrorCode, isErrorCode, type WelcomeMessage } from '@playgap/protocol';
import { PlaygapClientError } from './errors.js';

/**
 * The welcome inside `value` (object or JSON text), or undefined when it is not one.
 *
 * @example
 * asWelcome('{"type":"welcome","clientId":"1","serverId":"s","player":{}}')?.clientId; // '1'
 */
export function asWelcome(value: unknown): WelcomeMessage | undefined {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const record = parsed as Record<string, unknown>;
  if (record.type !== 'welcome') return undefined;
  const player = typeof record.player === 'object' && record.player !== null ? record.player : {};
  const welcome: WelcomeMessage = {
    type: 'welcome',
    clientId: String(record.clientId ?? ''),
    serverId: String(record.serverId ?? ''),
    player: player as WelcomeMessage['player'],
  };
  const grant = record.reconnect as { credential?: unknown; graceMs?: unknown } | undefined;
  if (
    typeof grant?.credential === 'string' &&
    typeof grant.graceMs === 'number' &&
    grant.graceMs > 0
  ) {
    welcome.reconnect = { credential: grant.credential, graceMs: grant.graceMs };
  }
  if (record.resumed === true) welcome.resumed = true;
  return welcome;
}

/** The refusing reason's code from a `{code, message}` JSON text, if any. */
export function parseRefusal(text: string | undefined): { code?: ErrorCode; message?: string } {
  if (!text) return {};
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    const result: { code?: ErrorCode; message?: string } = {};
    if (isErrorCode(value.code)) result.code = value.code;
    if (typeof value.message === 'string') result.message = value.message.slice(0, 200);
    return result;
  } catch {
    return { message: text.slice(0, 200) };
  }
}

/**
 * TOKEN_REFUSED carrying the server's reason (TOKEN_EXPIRED, TOKEN_REPLAYED...) in `reason`.
 *
 * @example
 * throw tokenRefused('websocket', '{"code":"TOKEN_EXPIRED","message":"expired"}');
 */
export function tokenRefused(
  transport: string,
  reasonText: string | undefined,
): PlaygapClientError {
  const refusal = parseRefusal(reasonText);
  const why = refusal.message ?? 'no reason given';
  const suffix = refusal.code ? ` (${refusal.code})` : '';
  return new PlaygapClientError(
    ErrorCode.TOKEN_REFUSED,
    `The game server refused the connect token: ${why}${suffix}.`,
    refusal.code ? { transport, reason: refusal.code } : { transport },
  );
}
