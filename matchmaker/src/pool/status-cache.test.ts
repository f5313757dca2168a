import { ManualClock } from '@playgap/protocol/clock';
import { describe, expect, it } from 'vitest';
import { ScriptedEdgegap } from './pool.test-helper.js';
import { isFinished, StatusCache } from './status-cache.js';

describe('StatusCache', () => {
  it('asks Edgegap once per poll interval per deployment however many wait', async () => {
    const edgegap = new ScriptedEdgegap();
    const clock = new ManualClock();
    const cache = new StatusCache(edgegap, 500, () => clock.now());
    await Promise.all([cache.get('req-1'), cache.get('req-1'), cache.get('req-1')]);
    expect(edgegap.statusCalls).toBe(1);
    await cache.get('req-2');
    expect(edgegap.statusCalls).toBe(2);
    clock.advance(499);
    await cache.get('req-1');
    expect(edgegap.statusCalls).toBe(2);
    clock.advance(1);
    await cache.get('req-1');
    expect(edgegap.statusCalls).toBe(3);
  });

  it('shares a failed call too, without an unhandled rejection', async () => {
    const clock = new ManualClock();
    let calls = 0;
    const cache = new StatusCache(
      {
        getStatus: async () => {
          calls++;
          throw Object.assign(new Error('HTTP 503'), { status: 503 });
        },
      },
      500,
      () => clock.now(),
    );
    await expect(cache.get('req-1')).rejects.toThrow('HTTP 503');
    await expect(cache.get('req-1')).rejects.toThrow('HTTP 503');
    expect(calls).toBe(1);
  });

  it('calls a deployment finished when Edgegap says ERROR or TERMINATED or flags an error', () => {
    const base = { requestId: 'r', ready: false, error: false };
    expect(isFinished({ ...base, status: 'Status.ERROR' })).toBe(true);
    expect(isFinished({ ...base, status: 'Status.TERMINATED' })).toBe(true);
    expect(isFinished({ ...base, status: 'Status.DEPLOYING', error: true })).toBe(true);
    expect(isFinished({ ...base, status: 'Status.DEPLOYING' })).toBe(false);
    expect(isFinished({ ...base, status: 'Status.READY', ready: true })).toBe(false);
  });
});
