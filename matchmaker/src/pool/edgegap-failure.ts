/**
 * What an Edgegap failure means to a player: a refused key is the operator's to fix
 * (MATCHMAKER_MISCONFIGURED), anything else is "try again shortly" (EDGEGAP_ERROR or the
 * client's own code), never with Edgegap's internals in the message.
 */
import { ErrorCode, isErrorCode, PlaygapError } from '@playgap/protocol';
import { PlacementError } from '../errors.js';

/** Edgegap refused the API key (401) or what it may do (403): retrying cannot help. */
export function isEdgegapAuthFailure(error: unknown): boolean {
  const status = (error as { status?: unknown } | undefined)?.status;
  return status === 401 || status === 403;
}

/**
 * Map an Edgegap client failure to a player-facing error without leaking internals. A refused
 * API key is MATCHMAKER_MISCONFIGURED (the operator must act), not "try again".
 *
 * @example
 * throw edgegapFailure(error, 'start a server'); // EDGEGAP_ERROR "... (HTTP 503) ..."
 */
export function edgegapFailure(error: unknown, what: string): PlacementError {
  if (error instanceof PlacementError) return error;
  const status = (error as { status?: unknown }).status;
  if (isEdgegapAuthFailure(error)) {
    return new PlacementError(
      ErrorCode.MATCHMAKER_MISCONFIGURED,
      `This game's matchmaker cannot start servers: Edgegap refused its API key (HTTP ${status}). The game's operator must fix EDGEGAP_API_KEY; retrying will not help.`,
      { cause: error },
    );
  }
  const code =
    error instanceof PlaygapError && isErrorCode(error.code) ? error.code : ErrorCode.EDGEGAP_ERROR;
  const detail = typeof status === 'number' ? ` (HTTP ${status})` : '';
  return new PlacementError(code, `Edgegap could not ${what}${detail}; try again shortly.`, {
    cause: error,
  });
}
