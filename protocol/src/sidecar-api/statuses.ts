/**
 * The HTTP status the sidecar's local API answers each error code with, so the sidecar and
 * every stand-in refuse alike (see the error answers in routes.ts).
 */
import { ErrorCode } from '../error-codes.js';

/**
 * The status of an error answer carrying `code`.
 *
 * @example
 * sidecarStatusOf('TOKEN_EXPIRED'); // 401
 * sidecarStatusOf('SERVER_DRAINING'); // 503
 */
export function sidecarStatusOf(code: string): number {
  switch (code) {
    case ErrorCode.ALREADY_CONNECTED:
    case ErrorCode.BACKFILL_NO_ROOM:
      return 409;
    case ErrorCode.SERVER_DRAINING:
    case ErrorCode.SERVER_NOT_READY:
    case ErrorCode.NATS_UNAVAILABLE:
      return 503;
    case ErrorCode.UNKNOWN_CLIENT:
    case ErrorCode.NOT_FOUND:
    case ErrorCode.UNKNOWN_MATCH:
    case ErrorCode.UNKNOWN_TEAM:
    case ErrorCode.UNKNOWN_BACKFILL:
      return 404;
    case ErrorCode.PAYLOAD_TOO_LARGE:
      return 413;
    case ErrorCode.BAD_REQUEST:
      return 400;
    case ErrorCode.INTERNAL:
      return 500;
    default:
      // TOKEN_*, NO_RESERVATION, TOKEN_REPLAYED: the player's credentials are refused.
      return 401;
  }
}
