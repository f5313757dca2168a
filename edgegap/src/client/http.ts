/**
 * The one place the client talks HTTP: auth header, JSON in and out, rate limiting per call
 * class, retries for idempotent calls, an overall deadline and the caller's AbortSignal, and
 * the mapping of every non-2xx to an EdgegapApiError with the real status.
 */
import {
  EdgegapAbortedError,
  EdgegapApiError,
  EdgegapNetworkError,
  EdgegapResponseError,
  EdgegapTimeoutError,
} from '../errors.js';
import { ShapeError } from './normalize.js';
import { type Clock, SlidingWindowLimiter } from './rate-limit.js';
import { backoffDelayMs, RETRYABLE_STATUSES } from './retry.js';
import type { CallOptions } from './types.js';

/** Which rate limit a call counts against. */
export type LimitClass = 'deploy' | 'status' | 'list';

export interface TransportOptions {
  apiUrl: string;
  /** Already prefixed: `token <key>`; undefined sends no header. */
  authorization?: string;
  timeoutMs: number;
  maxRetries: number;
  rateLimits: Record<LimitClass, number>;
  fetch: typeof fetch;
  clock: Clock;
  random: () => number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path under apiUrl, or a full URL (in-container calls). */
  path: string;
  /** What error messages show instead of `path` (secrets in the URL removed). */
  shownPath?: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  idempotent: boolean;
  limit?: LimitClass;
  /** Send this raw Authorization value instead of the API key (in-container token). */
  rawAuthorization?: string;
  /** Non-2xx statuses that are answers, not errors (410 on stop). */
  allowStatuses?: readonly number[];
}

export interface HttpResult {
  status: number;
  body: unknown;
}

class DeadlineReached extends Error {}

export class HttpTransport {
  private readonly limiters: Record<LimitClass, SlidingWindowLimiter>;

  constructor(private readonly options: TransportOptions) {
    const { rateLimits, clock } = options;
    this.limiters = {
      deploy: new SlidingWindowLimiter(rateLimits.deploy, clock),
      status: new SlidingWindowLimiter(rateLimits.status, clock),
      list: new SlidingWindowLimiter(rateLimits.list, clock),
    };
  }

  async request(spec: RequestSpec, call: CallOptions = {}): Promise<HttpResult> {
    const shownPath = spec.shownPath ?? spec.path;
    const timeoutMs = call.timeoutMs ?? this.options.timeoutMs;
    const controller = new AbortController();
    const onCallerAbort = () => controller.abort(call.signal?.reason);
    if (call.signal?.aborted) throw new EdgegapAbortedError(spec.method, shownPath);
    call.signal?.addEventListener('abort', onCallerAbort, { once: true });
    const timer = setTimeout(() => controller.abort(new DeadlineReached()), timeoutMs);
    try {
      return await this.attempts(spec, shownPath, controller.signal);
    } catch (error) {
      if (controller.signal.aborted) {
        if (controller.signal.reason instanceof DeadlineReached) {
          throw new EdgegapTimeoutError(spec.method, shownPath, timeoutMs);
        }
        throw new EdgegapAbortedError(spec.method, shownPath, error);
      }
      throw error;
    } finally {
      clearTimeout(timer);
      call.signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  private async attempts(spec: RequestSpec, shownPath: string, signal: AbortSignal) {
    const maxRetries = spec.idempotent ? this.options.maxRetries : 0;
    for (let attempt = 0; ; attempt++) {
      const sent = spec.limit ? await this.limiters[spec.limit].acquire(signal) : undefined;
      let response: Response;
      try {
        const url = this.url(spec);
        const init = this.init(spec, signal);
        sent?.();
        response = await this.options.fetch(url, init);
      } catch (error) {
        if (signal.aborted) throw error;
        if (attempt < maxRetries) {
          await this.pause(attempt + 1, null, signal);
          continue;
        }
        throw new EdgegapNetworkError(spec.method, shownPath, error);
      }
      const text = await response.text();
      const ok = response.ok || spec.allowStatuses?.includes(response.status);
      if (!ok && RETRYABLE_STATUSES.has(response.status) && attempt < maxRetries) {
        await this.pause(attempt + 1, response.headers.get('retry-after'), signal);
        continue;
      }
      const body = parseBody(text);
      if (!ok) throw apiError(spec.method, shownPath, response, text, body);
      if (response.ok && text.trim() !== '' && body === text && looksJson(response)) {
        throw new EdgegapResponseError(spec.method, shownPath, 'body is not valid JSON');
      }
      return { status: response.status, body };
    }
  }

  private pause(attempt: number, retryAfter: string | null, signal: AbortSignal) {
    const { baseDelayMs, maxDelayMs, random, clock } = this.options;
    return clock.sleep(
      backoffDelayMs(attempt, retryAfter, { baseDelayMs, maxDelayMs, random }),
      signal,
    );
  }

  private url(spec: RequestSpec): string {
    const url = /^https?:\/\//.test(spec.path)
      ? new URL(spec.path)
      : new URL(this.options.apiUrl.replace(/\/+$/, '') + spec.path);
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  private init(spec: RequestSpec, signal: AbortSignal): RequestInit {
    const headers: Record<string, string> = { accept: 'application/json' };
    const authorization = spec.rawAuthorization ?? this.options.authorization;
    if (authorization !== undefined) headers.authorization = authorization;
    const init: RequestInit = { method: spec.method, headers, signal };
    if (spec.body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(spec.body);
    }
    return init;
  }
}

function parseBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function looksJson(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').includes('json');
}

function apiError(
  method: string,
  path: string,
  response: Response,
  text: string,
  body: unknown,
): EdgegapApiError {
  let message = text.trim().slice(0, 500) || response.statusText || 'no message';
  let requestId: string | undefined;
  if (typeof body === 'object' && body !== null) {
    const o = body as Record<string, unknown>;
    if (typeof o.message === 'string') message = o.message;
    else if (Array.isArray(o.message)) message = o.message.join('; ');
    // v2 errors may say which field was wrong in `details`: part of what Edgegap said.
    const details = o.details;
    if (typeof details === 'object' && details !== null && Object.keys(details).length > 0) {
      message = `${message} (details: ${JSON.stringify(details).slice(0, 300)})`;
    }
    if (typeof o.request_id === 'string') requestId = o.request_id;
  }
  requestId ??= response.headers.get('x-request-id') ?? undefined;
  return new EdgegapApiError({
    status: response.status,
    edgegapMessage: message,
    method,
    path,
    body,
    ...(requestId !== undefined ? { requestId } : {}),
  });
}

/** Run a normalizer, turning a ShapeError into an EdgegapResponseError for method/path. */
export function shaped<T>(method: string, path: string, body: unknown, fn: (b: unknown) => T): T {
  try {
    return fn(body);
  } catch (error) {
    if (error instanceof ShapeError) throw new EdgegapResponseError(method, path, error.message);
    throw error;
  }
}
