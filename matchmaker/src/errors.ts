/**
 * Errors of the matchmaker. Each one carries a stable wire code from protocol's ErrorCode, so
 * the front can pass it to the player unchanged.
 */
import { ErrorCode, PlaygapError } from '@playgap/protocol';
import { isKvUnavailable } from '@playgap/protocol/kv';

/**
 * A bad flag or environment variable; the message names the variable.
 *
 * @example
 * throw new ConfigError('PLAYGAP_APP', 'is required');
 */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly variable: string;
  constructor(variable: string, problem: string, options?: ErrorOptions) {
    super(`${variable} ${problem}`, options);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

/**
 * A placement that failed with a code the player can act on; `serverId` names the deployment
 * it failed on, when there was one (for the log, never sent to the player).
 *
 * @example
 * throw new PlacementError(ErrorCode.NO_CAPACITY, 'All servers are full.');
 */
export class PlacementError extends PlaygapError {
  readonly serverId?: string;
  constructor(code: ErrorCode, message: string, options?: ErrorOptions & { serverId?: string }) {
    super(code, message, options);
    this.name = 'PlacementError';
    if (options?.serverId !== undefined) this.serverId = options.serverId;
  }
}

/**
 * Turn anything thrown into a `{code, message}` fit for the wire, hiding internals. A NATS
 * store that does not answer (a cluster electing a leader, no connection) is NATS_UNAVAILABLE.
 *
 * @example
 * toWireError(new TypeError('x')); // { code: 'INTERNAL', message: 'The matchmaker failed ...' }
 */
export function toWireError(error: unknown): { code: ErrorCode; message: string } {
  if (error instanceof PlaygapError) return { code: error.code, message: error.message };
  if (isKvUnavailable(error)) {
    return {
      code: ErrorCode.NATS_UNAVAILABLE,
      message: 'The matchmaker cannot reach NATS right now; try again in a few seconds.',
    };
  }
  return { code: ErrorCode.INTERNAL, message: 'The matchmaker failed unexpectedly; try again.' };
}
