/**
 * What the pool's unit tests share: a real nats-server with one app's deployments bucket, a
 * way to run async work on a ManualClock, a deployment record and a scripted Edgegap.
 */
import type { KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type DeploymentRecord, DeploymentState, type ServerRecord } from '@playgap/protocol';
import type { ManualClock } from '@playgap/protocol/clock';
import { openAppBuckets } from '@playgap/protocol/kv';
import { type RunningNatsServer, startNatsServer } from '@playgap/testkit';
import type { EdgegapApi, EdgegapDeploymentStatus } from '../edgegap-api.js';

export interface TestNats {
  nc: NatsConnection;
  /** A fresh deployments bucket for `app`. */
  deployments(app: string): Promise<KV>;
  stop(): Promise<void>;
}

/** Start a nats-server (JetStream on) and connect to it. */
export async function startTestNats(): Promise<TestNats> {
  const server: RunningNatsServer = await startNatsServer();
  const nc = await connect({ servers: server.url });
  return {
    nc,
    async deployments(app) {
      return (await openAppBuckets(nc, app, ['deployments'], { replicas: 1 })).deployments;
    },
    async stop() {
      await nc.close();
      await server.stop();
    },
  };
}

/**
 * Settle `work` while moving `clock` forward `stepMs` at a time (simulated time only passes
 * when the work is waiting on it), at most `maxMs`; resolves to the outcome and the simulated
 * time it took. The real waits between steps only let I/O finish; no result depends on them.
 */
export async function driveClock<T>(
  clock: ManualClock,
  work: Promise<T>,
  stepMs: number,
  maxMs = 600_000,
): Promise<{ value?: T; error?: unknown; tookMs: number }> {
  const startedAt = clock.now();
  let outcome: { value?: T; error?: unknown } | undefined;
  work.then(
    (value) => {
      outcome = { value };
    },
    (error: unknown) => {
      outcome = { error };
    },
  );
  while (!outcome) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (outcome) break;
    if (clock.now() - startedAt >= maxMs) throw new Error(`work did not settle in ${maxMs} ms`);
    clock.advance(stepMs);
  }
  return { ...outcome, tookMs: clock.now() - startedAt };
}

/** A STARTING record of `app`/`version` started at `now`, with a 60 s deadline. */
export function startingRecord(
  requestId: string,
  now: number,
  over: Partial<DeploymentRecord> = {},
): DeploymentRecord {
  return {
    requestId,
    app: 'pool',
    version: '1.0.0',
    state: DeploymentState.STARTING,
    capacity: 4,
    promised: 1,
    startedBy: 'mm-test',
    startedAt: now,
    deadlineAt: now + 60_000,
    updatedAt: now,
    ...over,
  };
}

/** A fleet view that knows the given servers (by id, as ready ones unless said otherwise). */
export function fleetOf(servers: Record<string, Partial<ServerRecord>> = {}) {
  return {
    server: (id: string) =>
      servers[id] ? ({ id, state: 'ready', ...servers[id] } as ServerRecord) : undefined,
  };
}

/** An Edgegap that answers from a script, and records what it was asked. */
export class ScriptedEdgegap implements EdgegapApi {
  readonly deployed: string[] = [];
  readonly stopped: string[] = [];
  statusCalls = 0;
  /** Errors (with an HTTP `status`) the next deploys throw, in order; then they succeed. */
  deployFailures: number[] = [];
  statuses = new Map<string, EdgegapDeploymentStatus>();
  listed: string[] = [];
  /** The `users` of every deploy call, in order. */
  readonly users: unknown[] = [];
  #next = 0;

  async deploy(input?: { users: unknown }): Promise<{ requestId: string }> {
    this.users.push(input?.users);
    const status = this.deployFailures.shift();
    if (status !== undefined) {
      throw Object.assign(new Error(`HTTP ${status}`), { status });
    }
    const requestId = `req-${++this.#next}`;
    this.deployed.push(requestId);
    return { requestId };
  }

  async getStatus(requestId: string): Promise<EdgegapDeploymentStatus> {
    this.statusCalls++;
    return (
      this.statuses.get(requestId) ?? {
        requestId,
        status: 'Status.DEPLOYING',
        ready: false,
        error: false,
      }
    );
  }

  async stopDeployment(requestId: string): Promise<unknown> {
    this.stopped.push(requestId);
    return {};
  }

  async listDeployments() {
    return { items: this.listed.map((requestId) => ({ requestId, tags: [] })) };
  }
}
