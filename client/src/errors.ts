/**
 * Errors of the browser SDK. Every failure a player can see is a `PlaygapClientError` whose
 * `code` is a protocol ErrorCode, so a game can switch on it and show its own words.
 */
import { type ErrorCode, PlaygapError } from '@playgap/protocol';

/**
 * A failure of `play()` or of a connected channel, with a stable `code`.
 *
 * @example
 * try {
 *   await play({ game: 'arena', version: '1.0.0' });
 * } catch (error) {
 *   if (error instanceof PlaygapClientError && error.code === 'NO_CAPACITY') showFullMessage();
 * }
 */
export class PlaygapClientError extends PlaygapError {
  /** Transport that failed, when the failure belongs to one. */
  readonly transport: string | undefined;
  /** TOKEN_REFUSED only: the server's reason (TOKEN_EXPIRED, TOKEN_REPLAYED, NO_RESERVATION...). */
  readonly reason: ErrorCode | undefined;
  constructor(
    code: ErrorCode,
    message: string,
    options?: ErrorOptions & { transport?: string; reason?: ErrorCode },
  ) {
    super(code, message, options);
    this.name = 'PlaygapClientError';
    this.transport = options?.transport;
    this.reason = options?.reason;
  }
}
