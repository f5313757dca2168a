/**
 * Edgegap status of a deployment, asked at most once per poll interval per process however
 * many players wait on it (Edgegap allows 20 status calls a second). Time is the injected
 * clock's.
 */
import type { EdgegapApi, EdgegapDeploymentStatus } from '../edgegap-api.js';

/** Edgegap states after which a deployment will never (again) serve players. */
export const FINISHED_STATUSES: ReadonlySet<string> = new Set([
  'Status.TERMINATED',
  'Status.ERROR',
]);

/**
 * True when the status says the deployment failed or stopped for good.
 *
 * @example
 * if (isFinished(status)) await lifecycle.fail(requestId, status.status);
 */
export function isFinished(status: EdgegapDeploymentStatus): boolean {
  return Boolean(status.error) || FINISHED_STATUSES.has(status.status);
}

/**
 * Shares one status call per deployment per `pollMs`.
 *
 * @example
 * const cache = new StatusCache(edgegap, 500, clock.now);
 * const status = await cache.get(requestId);
 */
export class StatusCache {
  readonly #polls = new Map<string, { at: number; status: Promise<EdgegapDeploymentStatus> }>();

  constructor(
    private readonly edgegap: Pick<EdgegapApi, 'getStatus'>,
    private readonly pollMs: number,
    private readonly now: () => number,
  ) {}

  /** The status asked less than `pollMs` ago, or a new call. */
  get(requestId: string): Promise<EdgegapDeploymentStatus> {
    const cached = this.#polls.get(requestId);
    if (cached && this.now() - cached.at < this.pollMs) return cached.status;
    const status = this.edgegap.getStatus(requestId);
    status.catch(() => {});
    this.#polls.set(requestId, { at: this.now(), status });
    return status;
  }
}
