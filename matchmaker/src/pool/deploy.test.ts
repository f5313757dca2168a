import { ErrorCode } from '@playgap/protocol';
import { ManualClock } from '@playgap/protocol/clock';
import { describe, expect, it } from 'vitest';
import { PlacementError } from '../errors.js';
import { DEPLOY_429_BACKOFF, DEPLOY_429_RETRIES, deployWithRetry } from './deploy.js';
import { driveClock, ScriptedEdgegap } from './pool.test-helper.js';

function deployOn(
  edgegap: ScriptedEdgegap,
  clock: ManualClock,
  progress: string[] = [],
  near?: { latitude: number; longitude: number },
) {
  const errors: string[] = [];
  const work = deployWithRetry({
    ...(near ? { near } : {}),
    edgegap,
    app: 'pool',
    version: '1.0.0',
    clientIp: '203.0.113.7',
    instanceId: 'mm-test',
    clock,
    progress: (_stage, message) => progress.push(message),
    onEdgegapError: (_error, call) => errors.push(call),
  });
  return { work, errors };
}

describe('deployWithRetry', () => {
  it("places the deployment near the player's fastest region, else near the player's IP", async () => {
    const edgegap = new ScriptedEdgegap();
    const clock = new ManualClock();
    await deployOn(edgegap, clock, [], { latitude: 35.68, longitude: 139.65 }).work;
    await deployOn(edgegap, clock).work;
    expect(edgegap.users).toEqual([
      [{ latitude: 35.68, longitude: 139.65 }],
      [{ ipAddress: '203.0.113.7' }],
    ]);
  });

  it('queues a deploy Edgegap refused with 429 and sends it again after a jittered backoff', async () => {
    const edgegap = new ScriptedEdgegap();
    edgegap.deployFailures = [429, 429, 429];
    const clock = new ManualClock();
    const progress: string[] = [];
    const { work, errors } = deployOn(edgegap, clock, progress);
    const { value, tookMs } = await driveClock(clock, work, 10);
    expect(value).toBe('req-1');
    expect(errors).toEqual(['deploy', 'deploy', 'deploy']);
    expect(progress).toEqual(Array(3).fill('Edgegap is busy; your server is queued'));
    // Three waits, each within [ceiling / 2, ceiling]: 250, 500, 1000 ms ceilings.
    const ceilings = 250 + 500 + 1_000;
    expect(tookMs).toBeGreaterThanOrEqual(ceilings / 2);
    expect(tookMs).toBeLessThanOrEqual(ceilings + 3 * 10);
    expect(DEPLOY_429_BACKOFF).toMatchObject({ initialDelayMs: 250, maxDelayMs: 4_000 });
  });

  it('gives up with EDGEGAP_ERROR after DEPLOY_429_RETRIES retries', async () => {
    const edgegap = new ScriptedEdgegap();
    edgegap.deployFailures = Array(DEPLOY_429_RETRIES + 1).fill(429);
    const clock = new ManualClock();
    const { work, errors } = deployOn(edgegap, clock);
    const { error } = await driveClock(clock, work, 50);
    expect(error).toBeInstanceOf(PlacementError);
    expect(error).toMatchObject({
      code: ErrorCode.EDGEGAP_ERROR,
      message: 'Edgegap could not start a server (HTTP 429); try again shortly.',
    });
    expect(errors).toHaveLength(DEPLOY_429_RETRIES + 1);
    expect(edgegap.deployed).toEqual([]);
  });

  it('does not retry anything but a 429, and maps a refused key to MATCHMAKER_MISCONFIGURED', async () => {
    for (const [status, code] of [
      [503, ErrorCode.EDGEGAP_ERROR],
      [401, ErrorCode.MATCHMAKER_MISCONFIGURED],
      [403, ErrorCode.MATCHMAKER_MISCONFIGURED],
    ] as const) {
      const edgegap = new ScriptedEdgegap();
      edgegap.deployFailures = [status];
      const clock = new ManualClock();
      const { work, errors } = deployOn(edgegap, clock);
      await expect(work).rejects.toMatchObject({ code });
      expect(errors).toEqual(['deploy']);
      expect(clock.pending()).toBe(0);
    }
  });
});
