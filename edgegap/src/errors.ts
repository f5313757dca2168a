/**
 * Errors of @playgap/edgegap. Every Edgegap failure becomes one of these, each with a stable
 * `code` from protocol's ErrorCode. None of them ever carries the API key or an in-container
 * token: paths are redacted before they reach a message.
 */
import { ErrorCode, PlaygapError } from '@playgap/protocol';

/**
 * Edgegap answered with a non-2xx status. `status` is the real HTTP status (never guessed),
 * `edgegapMessage` Edgegap's own `message` (or the raw body text when it was not JSON).
 *
 * @example
 * try { await client.getStatus(id); } catch (e) {
 *   if (e instanceof EdgegapApiError && e.status === 404) console.log('gone');
 * }
 */
export class EdgegapApiError extends PlaygapError {
  readonly status: number;
  readonly edgegapMessage: string;
  readonly requestId?: string;
  readonly method: string;
  readonly path: string;
  /** The parsed error body, when it was JSON. */
  readonly body: unknown;
  constructor(init: {
    status: number;
    edgegapMessage: string;
    requestId?: string;
    method: string;
    path: string;
    body?: unknown;
  }) {
    const id = init.requestId ? ` (request ${init.requestId})` : '';
    super(
      ErrorCode.EDGEGAP_ERROR,
      `Edgegap ${init.method} ${init.path} failed with HTTP ${init.status}${id}: ${init.edgegapMessage}`,
    );
    this.name = 'EdgegapApiError';
    this.status = init.status;
    this.edgegapMessage = init.edgegapMessage;
    if (init.requestId !== undefined) this.requestId = init.requestId;
    this.method = init.method;
    this.path = init.path;
    this.body = init.body;
  }
}

/**
 * The request never got an HTTP answer (connection refused, reset, DNS failure), after every
 * retry the call allowed.
 *
 * @example
 * if (e instanceof EdgegapNetworkError) console.log('Edgegap unreachable:', e.message);
 */
export class EdgegapNetworkError extends PlaygapError {
  readonly method: string;
  readonly path: string;
  constructor(method: string, path: string, cause: unknown) {
    const reason = networkReason(cause);
    super(ErrorCode.EDGEGAP_ERROR, `Edgegap ${method} ${path} failed: ${reason}`, { cause });
    this.name = 'EdgegapNetworkError';
    this.method = method;
    this.path = path;
  }
}

/** `fetch failed` says little: add the system error code (ECONNREFUSED...) when there is one. */
function networkReason(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = (cause as { cause?: { code?: unknown; message?: unknown } }).cause;
  const detail =
    typeof inner?.code === 'string'
      ? inner.code
      : typeof inner?.message === 'string'
        ? inner.message
        : undefined;
  return detail ? `${cause.message} (${detail})` : cause.message;
}

/**
 * The call did not finish within its `timeoutMs` (retries included).
 *
 * @example
 * if (e instanceof EdgegapTimeoutError) console.log(`gave up after ${e.timeoutMs} ms`);
 */
export class EdgegapTimeoutError extends PlaygapError {
  readonly timeoutMs: number;
  readonly method: string;
  readonly path: string;
  constructor(method: string, path: string, timeoutMs: number) {
    super(ErrorCode.EDGEGAP_TIMEOUT, `Edgegap ${method} ${path} timed out after ${timeoutMs} ms`);
    this.name = 'EdgegapTimeoutError';
    this.timeoutMs = timeoutMs;
    this.method = method;
    this.path = path;
  }
}

/**
 * The caller's AbortSignal aborted the call.
 *
 * @example
 * const ac = new AbortController(); ac.abort();
 * await client.getStatus(id, { signal: ac.signal }); // throws EdgegapAbortedError
 */
export class EdgegapAbortedError extends PlaygapError {
  constructor(method: string, path: string, cause?: unknown) {
    super(ErrorCode.CANCELLED, `Edgegap ${method} ${path} was aborted`, { cause });
    this.name = 'EdgegapAbortedError';
  }
}

/**
 * Edgegap answered 2xx but the body is not what the API promises (not JSON, a required field
 * missing or of the wrong type).
 *
 * @example
 * if (e instanceof EdgegapResponseError) console.log('unexpected body from', e.path);
 */
export class EdgegapResponseError extends PlaygapError {
  readonly method: string;
  readonly path: string;
  constructor(method: string, path: string, detail: string) {
    super(
      ErrorCode.EDGEGAP_ERROR,
      `Edgegap ${method} ${path} returned an unexpected body: ${detail}`,
    );
    this.name = 'EdgegapResponseError';
    this.method = method;
    this.path = path;
  }
}

/**
 * An option given to the client or edgegap-local is invalid; the message names it.
 *
 * @example
 * new EdgegapClient({ timeoutMs: -1 }); // throws EdgegapConfigError naming timeoutMs
 */
export class EdgegapConfigError extends PlaygapError {
  constructor(message: string) {
    super(ErrorCode.BAD_REQUEST, message);
    this.name = 'EdgegapConfigError';
  }
}

/** What {@link EdgegapAccessError} found wrong. */
export type EdgegapAccessProblem = 'key_refused' | 'app_missing' | 'version_missing';

/**
 * Edgegap gave a definite no to the access check: it refused the API key (401/403), or has no
 * such app or version (404). The message says what Edgegap said and what to do; `cause` is
 * the EdgegapApiError with the status and Edgegap's request id.
 *
 * @example
 * if (e instanceof EdgegapAccessError && e.problem === 'key_refused') process.exit(2);
 */
export class EdgegapAccessError extends PlaygapError {
  readonly problem: EdgegapAccessProblem;
  readonly status: number;
  readonly edgegapMessage: string;
  readonly requestId?: string;
  constructor(problem: EdgegapAccessProblem, message: string, cause: EdgegapApiError) {
    super(problem === 'key_refused' ? ErrorCode.EDGEGAP_ERROR : ErrorCode.NOT_FOUND, message, {
      cause,
    });
    this.name = 'EdgegapAccessError';
    this.problem = problem;
    this.status = cause.status;
    this.edgegapMessage = cause.edgegapMessage;
    if (cause.requestId !== undefined) this.requestId = cause.requestId;
  }
}
