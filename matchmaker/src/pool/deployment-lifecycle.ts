/**
 * The ends of a deployment's life in the pool: READY once its server is up (so players join it
 * only while its server record is there), FAILED and stopped on Edgegap when it cannot serve,
 * and the periodic reap that forgets finished records and stops what a crashed matchmaker left
 * behind (starting ones past their deadline, tagged deployments nobody knows).
 */
import { type DeploymentRecord, DeploymentState } from '@playgap/protocol';
import type { EdgegapApi } from '../edgegap-api.js';
import type { FleetCache } from '../fleet-cache.js';
import type { Logger } from '../log.js';
import type { DeploymentStore } from './deployment-store.js';

/** Compare-and-set tries of the READY transition before another writer is left to win. */
export const MARK_READY_ATTEMPTS = 5;
/** Longest failure reason kept in a record or a log line. */
export const MAX_REASON_CHARS = 200;

export interface DeploymentLifecycleOptions {
  app: string;
  store: DeploymentStore;
  fleet: Pick<FleetCache, 'server'>;
  edgegap: EdgegapApi | undefined;
  /** A starting deployment without a server this long after its start is stopped. */
  deploymentDeadlineMs: number;
  now: () => number;
  onEdgegapError?: (error: unknown, call: string) => void;
  log?: Logger;
}

/**
 * Marks deployments ready or failed and reaps them.
 *
 * @example
 * const lifecycle = new DeploymentLifecycle({ app, store, fleet, edgegap, deploymentDeadlineMs, now });
 * await lifecycle.reap();
 */
export class DeploymentLifecycle {
  readonly #o: DeploymentLifecycleOptions;
  /** Edgegap deployments tagged for this app with no record or server, by first sighting. */
  readonly #orphansSeenAt = new Map<string, number>();

  constructor(options: DeploymentLifecycleOptions) {
    this.#o = options;
  }

  /** The server is up: mark the record READY (CAS, read again on a race). */
  async markReady(requestId: string): Promise<void> {
    const ready = await this.#o.store.change(
      requestId,
      (record) =>
        record.state === DeploymentState.STARTING
          ? { ...record, state: DeploymentState.READY, updatedAt: this.#o.now() }
          : undefined,
      MARK_READY_ATTEMPTS,
    );
    if (ready) this.#logReady(ready, ready.updatedAt);
  }

  #logReady(record: DeploymentRecord, at: number): void {
    this.#o.log?.info(
      {
        event: 'deployment_ready',
        serverId: record.requestId,
        app: record.app,
        version: record.version,
        ms: at - record.startedAt,
      },
      'deployment ready',
    );
  }

  /** Mark a deployment failed (waiters stop waiting) and stop it on Edgegap. */
  async fail(requestId: string, reason: string): Promise<void> {
    const { app, store, edgegap, log } = this.#o;
    const shortReason = reason.slice(0, MAX_REASON_CHARS);
    log?.warn(
      { event: 'deployment_failed', serverId: requestId, app, reason: shortReason },
      'deployment failed',
    );
    try {
      await store.change(
        requestId,
        (record): DeploymentRecord | undefined =>
          record.state === DeploymentState.FAILED
            ? undefined
            : {
                ...record,
                state: DeploymentState.FAILED,
                error: shortReason,
                updatedAt: this.#o.now(),
              },
        1,
      );
    } catch {}
    if (!edgegap) return;
    try {
      await edgegap.stopDeployment(requestId);
      log?.info(
        { event: 'deployment_stopped', serverId: requestId, app, reason: 'failed' },
        'deployment stopped',
      );
    } catch (error) {
      this.#o.onEdgegapError?.(error, 'stop');
    }
  }

  /**
   * Cleanup pass, on boot and periodically: deployments whose server registered (or that
   * turned READY) are forgotten; starting ones past their deadline without a server are
   * stopped; failed ones are removed a deadline after they failed; orphans are stopped.
   */
  async reap(): Promise<{ stopped: string[]; forgotten: string[] }> {
    const { app, store, fleet, deploymentDeadlineMs } = this.#o;
    const stopped: string[] = [];
    const forgotten: string[] = [];
    const now = this.#o.now();
    for (const { record } of await store.list()) {
      if (record.app !== app) continue;
      if (fleet.server(record.requestId) || record.state === DeploymentState.READY) {
        // The reaper saw the server register before the waiting placement marked it READY:
        // the ready line is logged here, since markReady will find no record.
        if (record.state === DeploymentState.STARTING) this.#logReady(record, now);
        await store.delete(record.requestId);
        forgotten.push(record.requestId);
      } else if (record.state === DeploymentState.STARTING && record.deadlineAt <= now) {
        await this.fail(record.requestId, 'no sidecar registered before the deadline');
        stopped.push(record.requestId);
      } else if (
        record.state === DeploymentState.FAILED &&
        record.updatedAt + deploymentDeadlineMs <= now
      ) {
        await store.delete(record.requestId);
        forgotten.push(record.requestId);
      }
    }
    stopped.push(...(await this.#reapOrphans(now)));
    return { stopped, forgotten };
  }

  /**
   * Edgegap deployments tagged `playgap-app:<app>` that have neither a deployment record nor a
   * server record for longer than the deadline (a matchmaker crashed between deploy and the
   * record write, or a sidecar never came up) are stopped.
   */
  async #reapOrphans(now: number): Promise<string[]> {
    const { app, store, fleet, edgegap, log } = this.#o;
    if (!edgegap?.listDeployments) return [];
    let items: Array<{ requestId: string }>;
    try {
      ({ items } = await edgegap.listDeployments({
        filters: [{ field: 'tags', operator: 'eq', value: `playgap-app:${app}` }],
      }));
    } catch (error) {
      this.#o.onEdgegapError?.(error, 'list');
      return [];
    }
    const known = new Set((await store.list()).map((r) => r.record.requestId));
    const stopped: string[] = [];
    const current = new Set<string>();
    for (const { requestId } of items) {
      if (known.has(requestId) || fleet.server(requestId)) continue;
      current.add(requestId);
      const seenAt = this.#orphansSeenAt.get(requestId) ?? now;
      this.#orphansSeenAt.set(requestId, seenAt);
      if (now - seenAt < this.#o.deploymentDeadlineMs) continue;
      try {
        await edgegap.stopDeployment(requestId);
        log?.info(
          { event: 'deployment_stopped', serverId: requestId, app, reason: 'orphan' },
          'deployment stopped',
        );
        stopped.push(requestId);
      } catch (error) {
        this.#o.onEdgegapError?.(error, 'stop');
      }
    }
    for (const id of this.#orphansSeenAt.keys()) {
      if (!current.has(id) || stopped.includes(id)) this.#orphansSeenAt.delete(id);
    }
    return stopped;
  }
}
