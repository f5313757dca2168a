/**
 * The cold path: when no server has a free seat, attach the player to a deployment already
 * starting (compare-and-set on its DeploymentRecord's `promised` count) or start one on Edgegap,
 * then wait for Edgegap's READY and the sidecar's ready ServerRecord. Only one matchmaker at a
 * time may start a deployment of a version: a per-version lock in this process, and across
 * replicas a "starting slot" key in the deployments bucket taken with a KV create. So a burst of
 * players starts ceil(players / capacity) deployments, not one each, however many replicas.
 * Once its server is up a record turns READY, so later players never wait on a stopped server.
 */
import { JetStreamApiError } from '@nats-io/jetstream';
import { Bucket, type KV } from '@nats-io/kv';
import {
  type DeploymentRecord,
  DeploymentState,
  ErrorCode,
  isErrorCode,
  PlaygapError,
  type ProgressStage,
  ServerState,
} from '@playgap/protocol';
import { retryWhileUnavailable } from '@playgap/protocol/kv';
import { deploymentTags, type EdgegapApi, type EdgegapDeploymentStatus } from './edgegap-api.js';
import { PlacementError } from './errors.js';
import type { FleetCache } from './fleet-cache.js';
import type { Logger } from './log.js';

export type ProgressFn = (stage: ProgressStage, message: string) => void;

export interface DeploymentPoolOptions {
  app: string;
  deployments: KV;
  fleet: FleetCache;
  edgegap: EdgegapApi | undefined;
  instanceId: string;
  capacity: number;
  deploymentDeadlineMs: number;
  statusPollMs: number;
  now?: () => number;
  /** Called when a deployment is started (metrics). */
  onDeploymentStarted?: () => void;
  /** Called with every failed Edgegap call and what it was (`deploy`, `status`...). */
  onEdgegapError?: (error: unknown, call: string) => void;
  /** Deployment started/ready/failed/stopped lines (no secrets, no player IPs). */
  log?: Logger;
}

const encoder = new TextEncoder();
/** Edgegap states after which a deployment will never (again) serve players. */
const FINISHED_STATUSES = new Set(['Status.TERMINATED', 'Status.ERROR']);
/** Deployments-bucket keys of the per-version starting slots (request ids never look like it). */
const SLOT_PREFIX = 'starting-slot.';
/** The slot holder rewrites its slot this often while it deploys... */
const SLOT_HEARTBEAT_MS = 1_000;
/** ...and a slot unchanged for this long (by the waiter's own clock) belonged to a dead holder. */
const SLOT_STALE_MS = 3_000;
/** How often a replica waiting for another's slot looks again. */
const SLOT_POLL_MS = 25;

/** Extra deploy attempts after an Edgegap 429 (about 8 s of backoff in all). */
const DEPLOY_429_RETRIES = 5;

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

/** Edgegap refused the API key (401) or what it may do (403): retrying cannot help. */
export function isEdgegapAuthFailure(error: unknown): boolean {
  const status = (error as { status?: unknown } | undefined)?.status;
  return status === 401 || status === 403;
}

/**
 * Map an Edgegap client failure to a player-facing error without leaking internals. A refused
 * API key is MATCHMAKER_MISCONFIGURED (the operator must act), not "try again".
 *
 * @example
 * throw edgegapFailure(error, 'start a server'); // EDGEGAP_ERROR "... (HTTP 503) ..."
 */
export function edgegapFailure(error: unknown, what: string): PlacementError {
  if (error instanceof PlacementError) return error;
  const status = (error as { status?: unknown }).status;
  if (isEdgegapAuthFailure(error)) {
    return new PlacementError(
      ErrorCode.MATCHMAKER_MISCONFIGURED,
      `This game's matchmaker cannot start servers: Edgegap refused its API key (HTTP ${status}). The game's operator must fix EDGEGAP_API_KEY; retrying will not help.`,
      { cause: error },
    );
  }
  const code =
    error instanceof PlaygapError && isErrorCode(error.code) ? error.code : ErrorCode.EDGEGAP_ERROR;
  const detail = typeof status === 'number' ? ` (HTTP ${status})` : '';
  return new PlacementError(code, `Edgegap could not ${what}${detail}; try again shortly.`, {
    cause: error,
  });
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
  readonly #now: () => number;
  readonly #locks = new Map<string, Promise<unknown>>();
  readonly #statusPolls = new Map<
    string,
    { at: number; status: Promise<EdgegapDeploymentStatus> }
  >();
  /** Edgegap deployments tagged for this app with no record or server, by first sighting. */
  readonly #orphansSeenAt = new Map<string, number>();

  constructor(options: DeploymentPoolOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** Serialize `fn` per key within this process. */
  async #withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const settled = run.catch(() => {});
    this.#locks.set(key, settled);
    try {
      return await run;
    } finally {
      if (this.#locks.get(key) === settled) this.#locks.delete(key);
    }
  }

  /** Every deployment record in the bucket with its revision (starting slots left out). */
  async records(): Promise<Array<{ record: DeploymentRecord; revision: number }>> {
    const keys = (await this.#keys()).filter((key) => !key.startsWith(SLOT_PREFIX));
    const result: Array<{ record: DeploymentRecord; revision: number }> = [];
    for (const key of keys) {
      const entry = await this.#o.deployments.get(key);
      if (entry?.operation !== 'PUT') continue;
      try {
        result.push({ record: entry.json<DeploymentRecord>(), revision: entry.revision });
      } catch {}
    }
    return result;
  }

  /**
   * Keys of the deployments bucket (deleted ones too; `get` tells). Read from the stream's
   * subject list: `KV.keys()` can stall for 30 s when a key changes while it lists.
   */
  async #keys(): Promise<string[]> {
    const kv = this.#o.deployments;
    if (!(kv instanceof Bucket)) {
      const keys: string[] = [];
      for await (const key of await kv.keys()) keys.push(key);
      return keys;
    }
    const info = await kv.jsm.streams.info(kv.stream, { subjects_filter: `${kv.prefix}.>` });
    return Object.keys(info.state.subjects ?? {}).map((subject) => subject.slice(kv.prefixLen));
  }

  /**
   * Promise the player a seat on a starting deployment of `version`, starting one if needed.
   * Gives up with PLACEMENT_TIMEOUT at `giveUpAt` while another replica holds the slot.
   */
  async acquire(
    version: string,
    clientIp: string,
    progress: ProgressFn,
    giveUpAt = Number.POSITIVE_INFINITY,
  ): Promise<Acquired> {
    const edgegap = this.#o.edgegap;
    if (!edgegap) {
      throw new PlacementError(
        ErrorCode.NO_CAPACITY,
        'Every server is full and this matchmaker cannot start new ones; try again in a minute.',
      );
    }
    return this.#withLock(version, async () => {
      const joined = await this.#join(version);
      if (joined) return { requestId: joined, started: false };
      const releaseSlot = await this.#takeSlot(version, giveUpAt);
      try {
        // Another replica may have started one while this one waited for the slot.
        const joinedLate = await this.#join(version);
        if (joinedLate) return { requestId: joinedLate, started: false };
        progress('deploying', 'Starting a server near you');
        const asked = this.#now();
        const requestId = await this.#deploy(edgegap, version, clientIp, progress);
        this.#o.onDeploymentStarted?.();
        const now = this.#now();
        this.#o.log?.info(
          {
            event: 'deployment_started',
            serverId: requestId,
            app: this.#o.app,
            version,
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
        // The server is starting: its record must not be lost to a NATS leader election.
        await retryWhileUnavailable(() => this.#o.deployments.put(requestId, this.#encode(record)));
        return { requestId, started: true };
      } finally {
        await releaseSlot();
      }
    });
  }

  /**
   * Add the player to a starting deployment of `version` with a seat left (CAS on `promised`);
   * when another matchmaker changed a record first, read them all again.
   */
  async #join(version: string): Promise<string | undefined> {
    for (let attempt = 0; attempt < 10; attempt++) {
      let raced = false;
      for (const { record, revision } of await this.records()) {
        if (record.app !== this.#o.app || record.version !== version) continue;
        // A READY one is joinable only while its server is (a stopped one never comes back).
        const serverUp = this.#o.fleet.server(record.requestId)?.state === ServerState.READY;
        if (record.state === DeploymentState.FAILED) continue;
        if (record.state === DeploymentState.READY && !serverUp) continue;
        if (record.promised >= record.capacity || record.deadlineAt <= this.#now()) continue;
        const updated = { ...record, promised: record.promised + 1, updatedAt: this.#now() };
        try {
          await this.#o.deployments.update(record.requestId, this.#encode(updated), revision);
          return record.requestId;
        } catch (error) {
          if (!(error instanceof JetStreamApiError)) throw error;
          raced = true;
        }
      }
      if (!raced) return undefined;
    }
    return undefined;
  }

  /**
   * Take the cross-replica starting slot of `version` (a KV create fails while another replica
   * holds it). The holder keeps it fresh; a slot left unchanged for SLOT_STALE_MS by a crashed
   * holder is taken over. Resolves to the release function.
   */
  async #takeSlot(version: string, giveUpAt: number): Promise<() => Promise<void>> {
    const kv = this.#o.deployments;
    const key = `${SLOT_PREFIX}${version.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    const value = () =>
      encoder.encode(JSON.stringify({ holder: this.#o.instanceId, at: this.#now() }));
    let held = await this.#claimSlot(key, value, giveUpAt);
    let beat = Promise.resolve();
    const heartbeat = setInterval(() => {
      beat = kv.update(key, value(), held).then(
        (next) => {
          held = next;
        },
        () => {},
      );
    }, SLOT_HEARTBEAT_MS);
    return async () => {
      clearInterval(heartbeat);
      await beat;
      await kv.delete(key, { previousSeq: held }).catch(() => {});
    };
  }

  /** Create the slot key, or take it over once stale; resolves to its revision. */
  async #claimSlot(key: string, value: () => Uint8Array, giveUpAt: number): Promise<number> {
    const kv = this.#o.deployments;
    let seen: { revision: number; since: number } | undefined;
    for (;;) {
      try {
        return await kv.create(key, value());
      } catch (error) {
        if (!(error instanceof JetStreamApiError)) throw error;
      }
      const entry = await kv.get(key);
      const now = this.#now();
      if (entry && entry.revision !== seen?.revision)
        seen = { revision: entry.revision, since: now };
      if (entry?.operation === 'PUT' && seen && now - seen.since >= SLOT_STALE_MS) {
        const revision = await kv.update(key, value(), entry.revision).catch(() => undefined);
        if (revision !== undefined) return revision;
      }
      if (now >= giveUpAt) {
        throw new PlacementError(
          ErrorCode.PLACEMENT_TIMEOUT,
          'Placement took too long; try again.',
        );
      }
      await new Promise((r) => setTimeout(r, SLOT_POLL_MS));
    }
  }

  /**
   * POST the deployment. A 429 means Edgegap refused it unprocessed, so it is safe to queue and
   * send again (the client itself retries only idempotent calls); anything else is final.
   */
  async #deploy(
    edgegap: EdgegapApi,
    version: string,
    clientIp: string,
    progress: ProgressFn,
  ): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      try {
        const { requestId } = await edgegap.deploy({
          application: this.#o.app,
          version,
          users: [{ ipAddress: clientIp }],
          tags: deploymentTags(this.#o.app, this.#o.instanceId),
        });
        return requestId;
      } catch (error) {
        this.#o.onEdgegapError?.(error, 'deploy');
        const status = (error as { status?: unknown }).status;
        if (status !== 429 || attempt >= DEPLOY_429_RETRIES) {
          throw edgegapFailure(error, 'start a server');
        }
        progress('deploying', 'Edgegap is busy; your server is queued');
        await new Promise((r) => setTimeout(r, Math.min(250 * 2 ** attempt, 4_000)));
      }
    }
  }

  #encode(record: DeploymentRecord): Uint8Array {
    return encoder.encode(JSON.stringify(record));
  }

  /** Edgegap status of a deployment, one call per poll interval per process however many wait. */
  #status(requestId: string): Promise<EdgegapDeploymentStatus> {
    const cached = this.#statusPolls.get(requestId);
    if (cached && this.#now() - cached.at < this.#o.statusPollMs) return cached.status;
    const status = this.#o.edgegap!.getStatus(requestId);
    status.catch(() => {});
    this.#statusPolls.set(requestId, { at: this.#now(), status });
    return status;
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
        await this.#markReady(requestId);
        return;
      }
      const entry = await this.#o.deployments.get(requestId);
      const record = entry?.operation === 'PUT' ? entry.json<DeploymentRecord>() : undefined;
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
          status = await this.#status(requestId);
        } catch (error) {
          this.#o.onEdgegapError?.(error, 'status');
          // A refused key stays refused; anything else is transient until the deadline.
          if (isEdgegapAuthFailure(error)) throw edgegapFailure(error, 'report the server');
        }
        if (status && (status.error || FINISHED_STATUSES.has(status.status))) {
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

  /**
   * The server is up: mark the record READY (CAS, retried on a race), so players join it only
   * while its server record is there and never wait on a server that has stopped since.
   */
  async #markReady(requestId: string): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const entry = await this.#o.deployments.get(requestId);
      if (entry?.operation !== 'PUT') return;
      const record = entry.json<DeploymentRecord>();
      if (record.state !== DeploymentState.STARTING) return;
      const ready = { ...record, state: DeploymentState.READY, updatedAt: this.#now() };
      try {
        await this.#o.deployments.update(requestId, this.#encode(ready), entry.revision);
        this.#o.log?.info(
          {
            event: 'deployment_ready',
            serverId: requestId,
            app: record.app,
            version: record.version,
            ms: ready.updatedAt - record.startedAt,
          },
          'deployment ready',
        );
        return;
      } catch (error) {
        if (!(error instanceof JetStreamApiError)) throw error;
      }
    }
  }

  /** Mark a deployment failed (waiters stop waiting) and stop it on Edgegap. */
  async fail(requestId: string, reason: string): Promise<void> {
    this.#o.log?.warn(
      {
        event: 'deployment_failed',
        serverId: requestId,
        app: this.#o.app,
        reason: reason.slice(0, 200),
      },
      'deployment failed',
    );
    try {
      const entry = await this.#o.deployments.get(requestId);
      if (entry?.operation === 'PUT') {
        const record = entry.json<DeploymentRecord>();
        if (record.state !== DeploymentState.FAILED) {
          const failed = {
            ...record,
            state: DeploymentState.FAILED,
            error: reason.slice(0, 200),
            updatedAt: this.#now(),
          };
          await this.#o.deployments.update(requestId, this.#encode(failed), entry.revision);
        }
      }
    } catch {}
    if (!this.#o.edgegap) return;
    try {
      await this.#o.edgegap.stopDeployment(requestId);
      this.#o.log?.info(
        { event: 'deployment_stopped', serverId: requestId, app: this.#o.app, reason: 'failed' },
        'deployment stopped',
      );
    } catch (error) {
      this.#o.onEdgegapError?.(error, 'stop');
    }
  }

  /**
   * Cleanup pass, on boot and periodically: deployments whose server registered (or that turned
   * READY) are forgotten;
   * starting ones past their deadline without a server are stopped; failed ones are removed.
   */
  async reap(): Promise<{ stopped: string[]; forgotten: string[] }> {
    const stopped: string[] = [];
    const forgotten: string[] = [];
    const now = this.#now();
    for (const { record } of await this.records()) {
      if (record.app !== this.#o.app) continue;
      if (this.#o.fleet.server(record.requestId) || record.state === DeploymentState.READY) {
        await this.#o.deployments.delete(record.requestId).catch(() => {});
        forgotten.push(record.requestId);
      } else if (record.state === DeploymentState.STARTING && record.deadlineAt <= now) {
        await this.fail(record.requestId, 'no sidecar registered before the deadline');
        stopped.push(record.requestId);
      } else if (
        record.state === DeploymentState.FAILED &&
        record.updatedAt + this.#o.deploymentDeadlineMs <= now
      ) {
        await this.#o.deployments.delete(record.requestId).catch(() => {});
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
    const edgegap = this.#o.edgegap;
    if (!edgegap?.listDeployments) return [];
    let items: Array<{ requestId: string }>;
    try {
      ({ items } = await edgegap.listDeployments({
        filters: [{ field: 'tags', operator: 'eq', value: `playgap-app:${this.#o.app}` }],
      }));
    } catch (error) {
      this.#o.onEdgegapError?.(error, 'list');
      return [];
    }
    const known = new Set((await this.records()).map((r) => r.record.requestId));
    const stopped: string[] = [];
    const current = new Set<string>();
    for (const { requestId } of items) {
      if (known.has(requestId) || this.#o.fleet.server(requestId)) continue;
      current.add(requestId);
      const seenAt = this.#orphansSeenAt.get(requestId) ?? now;
      this.#orphansSeenAt.set(requestId, seenAt);
      if (now - seenAt >= this.#o.deploymentDeadlineMs) {
        try {
          await edgegap.stopDeployment(requestId);
          this.#o.log?.info(
            {
              event: 'deployment_stopped',
              serverId: requestId,
              app: this.#o.app,
              reason: 'orphan',
            },
            'deployment stopped',
          );
          stopped.push(requestId);
        } catch (error) {
          this.#o.onEdgegapError?.(error, 'stop');
        }
      }
    }
    for (const id of this.#orphansSeenAt.keys()) {
      if (!current.has(id) || stopped.includes(id)) this.#orphansSeenAt.delete(id);
    }
    return stopped;
  }
}
