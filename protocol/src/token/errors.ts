/**
 * The one error class the token codec throws. Messages say what to do and never contain key
 * bytes or token contents.
 */
import { type ErrorCode, PlaygapError } from '../error-codes.js';

/**
 * Thrown by every function of `@playgap/protocol/token` (and nothing else is). `code` is one
 * of TOKEN_*, KEY_INVALID or USER_DATA_*.
 *
 * @example
 * try {
 *   verifyConnectToken(input, options);
 * } catch (error) {
 *   if (error instanceof ConnectTokenError && error.code === 'TOKEN_EXPIRED') askForNewToken();
 * }
 */
export class ConnectTokenError extends PlaygapError {
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.name = 'ConnectTokenError';
  }
}
