/**
 * Test helper until edgegap-local is wired in: an in-process Edgegap stand-in whose
 * "deployments" are fake sidecars writing a ServerRecord to real NATS. Behaviour per app
 * version: start normally, end in Status.ERROR, never get ready, or refuse the deploy call.
 */
import { ErrorCode, PlaygapError } from '@playgap/protocol';
import type { EdgegapApi, EdgegapDeploymentStatus } from '../src/edgegap-api.js';
import { serverRecord, type TestNats } from './fake-fleet.js';

export type DeployBehaviour = 'ok' | 'error' | 'never-ready' | 'refuse';

export class TestEdgegap implements EdgegapApi {
  readonly deployed: Array<{ requestId: string; version: string; ip: string; tags: string[] }> = [];
  readonly stopped: string[] = [];
  readonly behaviour = new Map<string, DeployBehaviour>();
  /** How long a deploy call takes to answer (a wider window for replicas to race in). */
  deployLatencyMs = 0;
  readonly #status = new Map<string, EdgegapDeploymentStatus>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #next = 0;

  constructor(
    private readonly nats: TestNats,
    private readonly capacity: number,
    private readonly readyAfterMs = 30,
  ) {}

  async deploy(input: {
    application: string;
    version: string;
    users: Array<{ ipAddress: string }>;
    tags?: string[];
  }): Promise<{ requestId: string }> {
    const mode = this.behaviour.get(input.version) ?? 'ok';
    if (this.deployLatencyMs > 0) await new Promise((r) => setTimeout(r, this.deployLatencyMs));
    if (mode === 'refuse') {
      throw Object.assign(new PlaygapError(ErrorCode.EDGEGAP_ERROR, 'Service Unavailable'), {
        status: 503,
      });
    }
    const requestId = `dep${++this.#next}x${input.version.replace(/\W/g, '')}`;
    this.deployed.push({
      requestId,
      version: input.version,
      ip: input.users[0]?.ipAddress ?? '',
      tags: input.tags ?? [],
    });
    this.#status.set(requestId, {
      requestId,
      status: 'Status.DEPLOYING',
      ready: false,
      error: false,
    });
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (mode === 'never-ready') return;
      if (mode === 'error') {
        this.#status.set(requestId, {
          requestId,
          status: 'Status.ERROR',
          ready: false,
          error: true,
          errorDetail: 'image pull failed',
        });
        return;
      }
      this.#status.set(requestId, { requestId, status: 'Status.READY', ready: true, error: false });
      void this.nats.putServer(
        serverRecord(requestId, { version: input.version, capacity: this.capacity }),
      );
    }, this.readyAfterMs);
    this.#timers.add(timer);
    return { requestId };
  }

  async getStatus(requestId: string): Promise<EdgegapDeploymentStatus> {
    const status = this.#status.get(requestId);
    if (!status) throw Object.assign(new Error('not found'), { status: 404 });
    return status;
  }

  async stopDeployment(requestId: string): Promise<unknown> {
    this.stopped.push(requestId);
    return { stopped: 'now' };
  }

  /** The deployment's server stops on its own (idle): its record goes, Edgegap says TERMINATED. */
  async terminate(requestId: string): Promise<void> {
    this.#status.set(requestId, {
      requestId,
      status: 'Status.TERMINATED',
      ready: false,
      error: false,
    });
    await this.nats.kv.servers.delete(requestId);
  }

  async listDeployments(): Promise<{ items: Array<{ requestId: string; tags: string[] }> }> {
    return {
      items: this.deployed
        .filter((d) => !this.stopped.includes(d.requestId))
        .map((d) => ({ requestId: d.requestId, tags: d.tags })),
    };
  }

  close(): void {
    for (const timer of this.#timers) clearTimeout(timer);
  }
}
