import { describe, expect, it } from 'vitest';
import { WaitTimeoutError, waitFor } from './wait-for.js';

describe('waitFor', () => {
  it('returns the first truthy value of a sync or async check', async () => {
    let calls = 0;
    expect(await waitFor(() => (++calls >= 3 ? 'done' : undefined), { intervalMs: 1 })).toBe(
      'done',
    );
    expect(await waitFor(async () => 42)).toBe(42);
  });

  it('fails with WaitTimeoutError naming what it waited for', async () => {
    const error = await waitFor(() => false, { what: 'the seat', timeoutMs: 30 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as Error).message).toMatch(/timed out after 30 ms waiting for the seat/);
  });

  it('rethrows a failing check at once unless told to retry, then reports its last error', async () => {
    const boom = () => {
      throw new Error('not up');
    };
    await expect(waitFor(boom, { timeoutMs: 5_000 })).rejects.toThrow('not up');
    const error = (await waitFor(boom, { timeoutMs: 30, retryErrors: true }).catch(
      (e: unknown) => e,
    )) as WaitTimeoutError;
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(error.message).toContain(': Error: not up');
    expect((error.lastError as Error).message).toBe('not up');
  });

  it('adds the detail on timeout only', async () => {
    const error = await waitFor(() => 0, { timeoutMs: 10, detail: () => 'log tail' }).catch(
      (e: Error) => e,
    );
    expect((error as Error).message).toMatch(/\nlog tail$/);
  });
});
