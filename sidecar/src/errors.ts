/**
 * Errors of the sidecar. Every error that reaches the local API carries a stable `code` from
 * protocol's ErrorCode and an HTTP status; config errors name the variable or flag at fault.
 * No message ever contains a secret (private key, tokens, passwords).
 */
import { ErrorCode, PlaygapError } from '@playgap/protocol';
import { sidecarStatusOf } from '@playgap/protocol/sidecar-api';

/**
 * An error the local API answers with `{code, message}` and `status`.
 *
 * @example
 * throw new SidecarError(ErrorCode.UNKNOWN_CLIENT, 'Client 42 is not connected.', 404);
 */
export class SidecarError extends PlaygapError {
  readonly status: number;
  constructor(code: ErrorCode, message: string, status: number, options?: ErrorOptions) {
    super(code, message, options);
    this.name = 'SidecarError';
    this.status = status;
  }
}

/**
 * A bad configuration value; the message names the variable or flag.
 *
 * @example
 * throw new ConfigError('PLAYGAP_CAPACITY', 'must be an integer from 1 to 1024');
 */
export class ConfigError extends PlaygapError {
  readonly variable: string;
  constructor(variable: string, problem: string, options?: ErrorOptions) {
    super(ErrorCode.BAD_REQUEST, `${variable} ${problem}`, options);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

/**
 * A token was refused for a seat reason (no reservation, replayed, already connected...).
 *
 * @example
 * throw new SeatRefusedError(ErrorCode.NO_RESERVATION, 'No seat is reserved for client 7.');
 */
export class SeatRefusedError extends SidecarError {
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, statusOf(code), options);
    this.name = 'SeatRefusedError';
  }
}

/**
 * NATS is unreachable, so the KV-backed operation cannot be done now (HTTP 503).
 *
 * @example
 * throw new NatsUnavailableError('NATS is disconnected; try again shortly.');
 */
export class NatsUnavailableError extends SidecarError {
  constructor(
    message = 'NATS is unreachable; token checks resume when it is back.',
    options?: ErrorOptions,
  ) {
    super(ErrorCode.NATS_UNAVAILABLE, message, 503, options);
    this.name = 'NatsUnavailableError';
  }
}

/** The HTTP status the local API uses for an error code (the contract's table). */
export const statusOf: (code: string) => number = sidecarStatusOf;
