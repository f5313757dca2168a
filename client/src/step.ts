/**
 * Every step of the connect flow runs under a deadline and the caller's AbortSignal: the step
 * gets its own signal that fires on either, and its promise settles with a coded error.
 */
import { ErrorCode } from '@playgap/protocol';
import { PlaygapClientError } from './errors.js';

/** What a step is called in error messages, e.g. "finding a server". */
export interface StepOptions {
  what: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  transport?: string;
}

/** The error a cancelled flow ends with. */
export function cancelledError(what: string): PlaygapClientError {
  return new PlaygapClientError(ErrorCode.CANCELLED, `Cancelled while ${what}.`);
}

/**
 * Run `work` with a signal that aborts when the caller cancels or `timeoutMs` passes; the step's
 * promise then rejects with CANCELLED or CONNECT_TIMEOUT (and `work` should clean up on its
 * signal).
 *
 * @example
 * await runStep({ what: 'connecting', timeoutMs: 5000, signal }, (stepSignal) => open(stepSignal));
 */
export function runStep<T>(
  options: StepOptions,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const { what, timeoutMs, signal } = options;
  if (signal?.aborted) return Promise.reject(cancelledError(what));
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    const finish = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const fail = (error: PlaygapClientError) => {
      finish();
      controller.abort(error);
      reject(error);
    };
    const onAbort = () => fail(cancelledError(what));
    const timer = setTimeout(() => {
      fail(
        new PlaygapClientError(
          ErrorCode.CONNECT_TIMEOUT,
          `No answer after ${Math.round(timeoutMs / 1000)} s while ${what}.`,
          options.transport === undefined ? undefined : { transport: options.transport },
        ),
      );
    }, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    work(controller.signal).then(
      (value) => {
        finish();
        resolve(value);
      },
      (error: unknown) => {
        finish();
        controller.abort(error);
        reject(error);
      },
    );
  });
}
