/**
 * POST one deployment to Edgegap. A 429 means Edgegap refused it unprocessed, so it is safe to
 * queue and send again (the Edgegap client itself retries only idempotent calls); anything
 * else is final. The wait between tries is the shared jittered backoff, on the injected clock.
 */
import { Backoff, type BackoffOptions } from '@playgap/protocol';
import { type Clock, sleepOn } from '@playgap/protocol/clock';
import { deploymentTags, type EdgegapApi } from '../edgegap-api.js';
import { edgegapFailure } from './edgegap-failure.js';
import type { ProgressFn } from './progress.js';

/** Extra deploy attempts after an Edgegap 429 (up to about 8 s of backoff in all). */
export const DEPLOY_429_RETRIES = 5;
/** Backoff between them: 250 ms doubling to 4 s, jittered. */
export const DEPLOY_429_BACKOFF: Readonly<BackoffOptions> = Object.freeze({
  initialDelayMs: 250,
  maxDelayMs: 4_000,
});

export interface DeployOptions {
  edgegap: EdgegapApi;
  app: string;
  version: string;
  /** The player's IP, so Edgegap picks a location near them (when `near` is not given). */
  clientIp: string;
  /** Coordinates of the player's fastest region: Edgegap deploys near them instead. */
  near?: { latitude: number; longitude: number };
  instanceId: string;
  clock: Clock;
  progress: ProgressFn;
  /** Called with every failed call. */
  onEdgegapError?: (error: unknown, call: string) => void;
  retries?: number;
  backoff?: BackoffOptions;
}

/**
 * Start a deployment; resolves to its request id, or rejects with the player-facing
 * PlacementError (see edgegapFailure).
 *
 * @example
 * const requestId = await deployWithRetry({ edgegap, app, version, clientIp, instanceId, clock, progress });
 */
export async function deployWithRetry(options: DeployOptions): Promise<string> {
  const { edgegap, app, version, clientIp, instanceId, clock, progress } = options;
  const retries = options.retries ?? DEPLOY_429_RETRIES;
  const backoff = new Backoff(options.backoff ?? DEPLOY_429_BACKOFF);
  for (;;) {
    try {
      const { requestId } = await edgegap.deploy({
        application: app,
        version,
        users: options.near
          ? [{ latitude: options.near.latitude, longitude: options.near.longitude }]
          : [{ ipAddress: clientIp }],
        tags: deploymentTags(app, instanceId),
      });
      return requestId;
    } catch (error) {
      options.onEdgegapError?.(error, 'deploy');
      const status = (error as { status?: unknown }).status;
      if (status !== 429 || backoff.attempt >= retries) {
        throw edgegapFailure(error, 'start a server');
      }
      progress('deploying', 'Edgegap is busy; your server is queued');
      await sleepOn(clock, backoff.next());
    }
  }
}
