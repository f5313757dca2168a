/**
 * Errors of the game-server SDK. Each carries a stable `code` from `@playgap/protocol`'s
 * ErrorCode, so a refusal reaches the player's client with the same code the sidecar gave.
 */
import { ErrorCode, PlaygapError } from '@playgap/protocol';

/**
 * The sidecar did not answer in time (it is not running, or still starting).
 *
 * @example
 * if (err instanceof SidecarUnavailableError) console.error('is playgap-sidecar running?');
 */
export class SidecarUnavailableError extends PlaygapError {
  constructor(message: string, options?: ErrorOptions) {
    super(ErrorCode.SERVER_NOT_READY, message, options);
    this.name = 'SidecarUnavailableError';
  }
}

/**
 * The sidecar answered a request with an error `{code, message}` (for instance a refused token).
 *
 * @example
 * try { await sidecar.verifyToken(token); } catch (err) {
 *   if (err instanceof SidecarRequestError && err.code === 'TOKEN_EXPIRED') { ... }
 * }
 */
export class SidecarRequestError extends PlaygapError {
  readonly status: number;
  constructor(code: ErrorCode, message: string, status: number, options?: ErrorOptions) {
    super(code, message, options);
    this.name = 'SidecarRequestError';
    this.status = status;
  }
}

/**
 * A setting of the game server (options or env) is missing or invalid.
 *
 * @example
 * throw new ServerConfigError('PLAYGAP_SIDECAR_URL is not a URL');
 */
export class ServerConfigError extends PlaygapError {
  constructor(message: string, options?: ErrorOptions) {
    super(ErrorCode.BAD_REQUEST, message, options);
    this.name = 'ServerConfigError';
  }
}

/**
 * A player's connection was refused before the game saw it: no or bad token, draining server.
 *
 * @example
 * throw new ConnectionRefusedError(ErrorCode.SERVER_DRAINING, 'The server takes no new players.');
 */
export class ConnectionRefusedError extends PlaygapError {
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.name = 'ConnectionRefusedError';
  }
}

/**
 * Turn anything thrown into a `{code, message}` safe to send to a player (no internals).
 *
 * @example
 * ws.close(4001, JSON.stringify(toWireError(err)));
 */
export function toWireError(err: unknown): { code: ErrorCode; message: string } {
  if (err instanceof PlaygapError) return { code: err.code, message: err.message };
  return { code: ErrorCode.INTERNAL, message: 'The game server could not check the token.' };
}
