/**
 * The cold path: when no server has a free seat, attach the player to a deployment already
 * starting (compare-and-set on its DeploymentRecord's `promised` count) or start one on Edgegap,
 * then wait for Edgegap's READY and the sidecar's ready ServerRecord. Only one matchmaker at a
 * time may start a deployment of a version: a per-version lock in this process, and across
 * replicas a "starting slot" key in the deployments bucket taken with a KV create. So a burst of
 * players starts ceil(players / capacity) deployments, not one each, however many replicas.
 * Once its server is up a record turns READY, so later players never wait on a stopped server.
 *
 * This module composes the parts in pool/, one concern each: version-lock (in-process lock),
 * starting-slot (cross-replica slot with heartbeat and takeover), join (CAS on `promised`),
 * deploy (POST with its 429 retry), status-cache, deployment-lifecycle (ready, fail, reap).
 */
import type { KV } from '@nats-io/kv';
import { type DeploymentRecord, DeploymentState, ErrorCode, ServerState } from '@playgap/protocol';
import { type Clock, systemClock } from '@playgap/protocol/clock';
import type { EdgegapApi, EdgegapDeploymentStatus } from './edgegap-api.js';
import { PlacementError } from './errors.js';
import type { FleetCache } from './fleet-cache.js';
import type { Logger } from './log.js';
import { deployWithRetry } from './pool/deploy.js';
import { DeploymentLifecycle } from './pool/deployment-lifecycle.js';
import { DeploymentStore, type StoredDeployment } from './pool/deployment-store.js';
import { edgegapFailure, isEdgegapAuthFailure } from './pool/edgegap-failure.js';
import { joinStartingDeployment } from './pool/join.js';
import type { ProgressFn } from './pool/progress.js';
import { type SlotTimings, takeStartingSlot } from './pool/starting-slot.js';
import { isFinished, StatusCache } from './pool/status-cache.js';
import { KeyedLock } from './pool/version-lock.js';
import type { RegionPlace } from './regions/region-directory.js';

export { edgegapFailure, isEdgegapAuthFailure } from './pool/edgegap-failure.js';
export type { ProgressFn } from './pool/progress.js';

export interface DeploymentPoolOptions {
  app: string;
  deployments: KV;
  fleet: FleetCache;
  edgegap: EdgegapApi | undefined;
  instanceId: string;
  capacity: number;
  deploymentDeadlineMs: number;
  statusPollMs: number;
  /** Wall time only (the matchmaker's `now`); timers then run on real time. */
  now?: () => number;
  /** Time and timers (slot heartbeat and polling, 429 backoff); default `now` + real timers. */
  clock?: Clock;
  /** Starting-slot timing; default SLOT_TIMINGS. */
  slotTimings?: SlotTimings;
  /** Called when a deployment is started (metrics). */
  onDeploymentStarted?: () => void;
  /** Called with every failed Edgegap call and what it was (`deploy`, `status`...). */
  onEdgegapError?: (error: unknown, call: string) => void;
  /** Deployment started/ready/failed/stopped lines (no secrets, no player IPs). */
  log?: Logger;
}

/**
 * What `acquire` promised the player: a seat on `requestId`, which it started or joined.
 *
 * @example
 * const { requestId, started } = await pool.acquire('1.0.0', '203.0.113.7', progress);
 */
export interface Acquired {
  requestId: string;
  started: boolean;
}

/**
 * Finds or starts deployments and waits for their servers.
 *
 * @example
 * const { requestId } = await pool.acquire('1.0.0', '203.0.113.7', progress);
 * await pool.awaitServer(requestId, progress, deadline);
 */
export class DeploymentPool {
  readonly #o: DeploymentPoolOptions;
  readonly #clock: Clock;
  readonly #now: () => number;
  readonly #locks = new KeyedLock();
  readonly #store: DeploymentStore;
  readonly #statuses: StatusCache | undefined;
  readonly #lifecycle: DeploymentLifecycle;

  constructor(options: DeploymentPoolOptions) {
    this.#o = options;
    this.#clock = options.clock ?? {
      now: options.now ?? (() => Date.now()),
      setTimeout: (fn, ms) => systemClock.setTimeout(fn, ms),
    };
    this.#now = () => this.#clock.now();
    this.#store = new DeploymentStore(options.deployments);
    this.#statuses = options.edgegap
      ? new StatusCache(options.edgegap, options.statusPollMs, this.#now)
      : undefined;
    this.#lifecycle = new DeploymentLifecycle({
      app: options.app,
      store: this.#store,
      fleet: options.fleet,
      edgegap: options.edgegap,
      deploymentDeadlineMs: options.deploymentDeadlineMs,
      now: this.#now,
      ...(options.onEdgegapError ? { onEdgegapError: options.onEdgegapError } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
  }

  /** Every deployment record in the bucket with its revision (starting slots left out). */
  records(): Promise<StoredDeployment[]> {
    return this.#store.list();
  }

  /**
   * Promise the player a seat on a starting deployment of `version`, starting one if needed.
   * Gives up with PLACEMENT_TIMEOUT at `giveUpAt` while another replica holds the slot. A new
   * deployment goes near `near` (the player's fastest region) when given, else near `clientIp`.
   */
  async acquire(
    version: string,
    clientIp: string,
    progress: ProgressFn,
    giveUpAt = Number.POSITIVE_INFINITY,
    near?: RegionPlace,
  ): Promise<Acquired> {
    const edgegap = this.#o.edgegap;
    if (!edgegap) {
      throw new PlacementError(
        ErrorCode.NO_CAPACITY,
        'Every server is full and this matchmaker cannot start new ones; try again in a minute.',
      );
    }
    const join = () =>
      joinStartingDeployment({
        store: this.#store,
        fleet: this.#o.fleet,
        app: this.#o.app,
        version,
        now: this.#now,
      });
    return this.#locks.run(version, async () => {
      const joined = await join();
      if (joined) return { requestId: joined, started: false };
      const releaseSlot = await takeStartingSlot({
        kv: this.#o.deployments,
        version,
        holder: this.#o.instanceId,
        clock: this.#clock,
        giveUpAt,
        ...(this.#o.slotTimings ? { timings: this.#o.slotTimings } : {}),
      });
      try {
        // Another replica may have started one while this one waited for the slot.
        const joinedLate = await join();
        if (joinedLate) return { requestId: joinedLate, started: false };
        progress('deploying', 'Starting a server near you');
        const asked = this.#now();
        const requestId = await deployWithRetry({
          edgegap,
          app: this.#o.app,
          version,
          clientIp,
          ...(near ? { near } : {}),
          instanceId: this.#o.instanceId,
          clock: this.#clock,
          progress,
          ...(this.#o.onEdgegapError ? { onEdgegapError: this.#o.onEdgegapError } : {}),
        });
        this.#o.onDeploymentStarted?.();
        const now = this.#now();
        this.#o.log?.info(
          {
            event: 'deployment_started',
            serverId: requestId,
            app: this.#o.app,
            version,
            ...(near ? { region: near.region } : {}),
            ms: now - asked,
          },
          'deployment started',
        );
        const record: DeploymentRecord = {
          requestId,
          app: this.#o.app,
          version,
          state: DeploymentState.STARTING,
          capacity: this.#o.capacity,
          promised: 1,
          startedBy: this.#o.instanceId,
          startedAt: now,
          deadlineAt: now + this.#o.deploymentDeadlineMs,
          updatedAt: now,
        };
        await this.#store.put(record);
        return { requestId, started: true };
      } finally {
        await releaseSlot();
      }
    });
  }

  /**
   * Wait until Edgegap reports the deployment READY and its sidecar published a ready
   * ServerRecord. Fails with
   * DEPLOYMENT_FAILED (Edgegap ERROR), SERVER_NEVER_READY (deadline) or PLACEMENT_TIMEOUT.
   */
  async awaitServer(requestId: string, progress: ProgressFn, giveUpAt: number): Promise<void> {
    const started = this.#now();
    let edgegapReady = false;
    for (;;) {
      // Both Edgegap's READY (the ports are reachable from outside) and the sidecar's ready
      // record (the game server is up, the digest is known) are required.
      const server = this.#o.fleet.server(requestId);
      if (server?.state === ServerState.READY && edgegapReady) {
        await this.#lifecycle.markReady(requestId);
        return;
      }
      const record = (await this.#store.get(requestId))?.record;
      if (record?.state === DeploymentState.FAILED) {
        throw new PlacementError(
          ErrorCode.DEPLOYMENT_FAILED,
          'The server could not be started; try again.',
          { serverId: requestId },
        );
      }
      const now = this.#now();
      if (record && record.deadlineAt <= now) {
        await this.fail(requestId, 'never became ready');
        throw new PlacementError(
          ErrorCode.SERVER_NEVER_READY,
          'The new server did not come up in time; try again.',
          { serverId: requestId },
        );
      }
      if (now >= giveUpAt) {
        throw new PlacementError(
          ErrorCode.PLACEMENT_TIMEOUT,
          'Placement took too long; try again.',
        );
      }
      if (!edgegapReady) {
        let status: EdgegapDeploymentStatus | undefined;
        try {
          status = await this.#statuses?.get(requestId);
        } catch (error) {
          this.#o.onEdgegapError?.(error, 'status');
          // A refused key stays refused; anything else is transient until the deadline.
          if (isEdgegapAuthFailure(error)) throw edgegapFailure(error, 'report the server');
        }
        if (status && isFinished(status)) {
          await this.fail(requestId, status.errorDetail ?? status.status);
          throw new PlacementError(
            ErrorCode.DEPLOYMENT_FAILED,
            'Edgegap could not start the server; try again.',
            { serverId: requestId },
          );
        }
        if (status?.ready) {
          edgegapReady = true;
          continue; // the server record may already be there
        }
      }
      const elapsedS = Math.round((this.#now() - started) / 1000);
      if (edgegapReady) progress('waiting_for_server', 'Waiting for the server to get ready');
      else progress('deploying', `Starting a server near you (${elapsedS} s)`);
      await this.#o.fleet.nextChange(this.#o.statusPollMs);
    }
  }

  /** Mark a deployment failed (waiters stop waiting) and stop it on Edgegap. */
  fail(requestId: string, reason: string): Promise<void> {
    return this.#lifecycle.fail(requestId, reason);
  }

  /**
   * Cleanup pass, on boot and periodically: deployments whose server registered (or that turned
   * READY) are forgotten; starting ones past their deadline without a server are stopped;
   * failed ones are removed; tagged deployments nobody knows are stopped after the deadline.
   */
  reap(): Promise<{ stopped: string[]; forgotten: string[] }> {
    return this.#lifecycle.reap();
  }
}
