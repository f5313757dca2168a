/**
 * The local fleet: each deployment walks Edgegap's status sequence
 * (INITIALIZING → SEEKING → SEEKED → SCANNING → DEPLOYING → READY, or ERROR, then TERMINATED),
 * gets free ports (relayed in `mapped` mode), and runs its version's command — or, for a version
 * with no local `command`, its `docker_image` as a container (container-runner.ts) — with the
 * full injected environment of a real deployment. READY comes once the `to_check` TCP ports accept
 * connections and `to_check` UDP ports have had `udpReadyAfterMs`. Every step, poll and
 * deadline runs on the config's injected clock; only the process's own kill timers are real.
 */
import type { VersionRecord } from './catalog.js';
import { type LocalClock, type LocalTimer, sleepOn } from './clock.js';
import type { LocalConfig } from './config.js';
import { removeOrphanContainersOnce, runContainer } from './container-runner.js';
import { injectedEnvironment } from './environment.js';
import { edgegapTime, newRequestId, newSecurityNumber, newToken } from './ids.js';
import { type LocalLocationConfig, locationView } from './locations.js';
import type { PortPool } from './ports.js';
import { type RunningProcess, runGuarded } from './process-runner.js';
import { allAccept } from './readiness.js';
import { type Relay, startTcpRelay, startUdpRelay } from './relay.js';
import { Status } from './status.js';

export { LOCAL_LOCATION, Status } from './status.js';

const STEPS = [Status.SEEKING, Status.SEEKED, Status.SCANNING, Status.DEPLOYING];
const LOG_LIMIT_CHARS = 1_000_000;

interface VersionPort {
  name: string;
  port?: number;
  protocol: string;
  to_check?: boolean;
  tls_upgrade?: boolean;
}

export interface PortView {
  name: string;
  internal: number;
  external: number;
  protocol: string;
  tls_upgrade: boolean;
  link: string;
}

export interface Deployment {
  requestId: string;
  appName: string;
  version: VersionRecord;
  status: string;
  error: boolean;
  errorDetail: string;
  startMs: number;
  endMs?: number;
  ports: Record<string, PortView>;
  tags: Map<string, { create_time: string; last_updated: string }>;
  requestEnvs: { key: string; value: string; is_hidden?: boolean }[];
  contextNumber: number;
  contextToken: string;
  deleteKey: number;
  deleteToken: string;
  process?: RunningProcess;
  /** Where it runs: one of the configured locations; none configured: "Localhost". */
  location?: LocalLocationConfig;
  /** Port of the sidecar's local API, for a deployment run as a container (host network). */
  sidecarPort?: number;
  /** A container deployment's removal from the engine (after it stopped), once started. */
  containerRemoved?: Promise<void>;
  relays: Relay[];
  stopRequested: boolean;
  fault?: 'error' | 'never-ready';
  logs: string;
  /** Output after the last newline of each stream, not handed to `onOutput` yet. */
  partialLines: { stdout: string; stderr: string };
  exitCode?: number;
  webhooks: DeploymentWebhooks;
  /** Seat sockets of this deployment (session_config), when it has sessions. */
  sockets?: number;
  timers: Set<LocalTimer>;
  ended: Promise<void>;
  markEnded: () => void;
}

/** Where to POST the status when a deployment gets READY, ERROR or TERMINATED. */
export interface DeploymentWebhooks {
  ready?: string;
  error?: string;
  terminated?: string;
}

export interface CreateDeployment {
  webhooks?: DeploymentWebhooks;
  appName: string;
  version: VersionRecord;
  envs?: { key: string; value: string; is_hidden?: boolean }[];
  tags?: string[];
  fault?: 'error' | 'never-ready';
  /** Chosen from the request's users (locations.ts); default the first configured one. */
  location?: LocalLocationConfig;
}

/**
 * The image a version without a local `command` runs as: `docker_image:docker_tag`, under
 * `docker_repository` unless that is edgegap-local's placeholder `local` (or empty).
 */
export function imageOf(version: VersionRecord): string | undefined {
  const name = version.docker_image;
  if (typeof name !== 'string' || name === '') return undefined;
  const tag =
    typeof version.docker_tag === 'string' && version.docker_tag !== ''
      ? version.docker_tag
      : 'latest';
  const repo = version.docker_repository;
  const prefix = typeof repo === 'string' && repo !== '' && repo !== 'local' ? `${repo}/` : '';
  return name.includes(':') ? `${prefix}${name}` : `${prefix}${name}:${tag}`;
}

export class Fleet {
  readonly deployments = new Map<string, Deployment>();
  private readonly clock: LocalClock;

  constructor(
    private readonly config: LocalConfig,
    private readonly portPool: PortPool,
    private readonly baseUrl: () => string,
  ) {
    this.clock = config.clock;
  }

  private now(): number {
    return this.clock.now();
  }

  get(requestId: string): Deployment | undefined {
    return this.deployments.get(requestId);
  }

  /** Deployments not terminated yet. */
  active(): Deployment[] {
    return [...this.deployments.values()].filter((d) => d.status !== Status.TERMINATED);
  }

  create(request: CreateDeployment): Deployment {
    let markEnded = () => {};
    const ended = new Promise<void>((resolve) => {
      markEnded = resolve;
    });
    const time = edgegapTime(this.now());
    const d: Deployment = {
      requestId: newRequestId(),
      appName: request.appName,
      version: request.version,
      status: Status.INITIALIZING,
      error: false,
      errorDetail: '',
      startMs: this.now(),
      ports: {},
      tags: new Map(
        (request.tags ?? []).map((t) => [t, { create_time: time, last_updated: time }]),
      ),
      requestEnvs: request.envs ?? [],
      contextNumber: newSecurityNumber(),
      contextToken: newToken(),
      deleteKey: newSecurityNumber(),
      deleteToken: newToken(),
      relays: [],
      stopRequested: false,
      logs: '',
      partialLines: { stdout: '', stderr: '' },
      timers: new Set(),
      webhooks: request.webhooks ?? {},
      ended,
      markEnded,
    };
    if (request.fault !== undefined) d.fault = request.fault;
    const location = request.location ?? this.config.locations[0];
    if (location) d.location = location;
    const session = d.version.session_config as { kind?: string; sockets?: number } | undefined;
    if (session?.kind === 'Seat') d.sockets = Number(session.sockets ?? 1);
    this.deployments.set(d.requestId, d);
    this.step(d, 0);
    const maxMinutes = Number(d.version.max_duration ?? 1440);
    if (maxMinutes > 0) {
      this.later(d, maxMinutes * 60_000, () => {
        this.appendNote(d, `max_duration of ${maxMinutes} min reached`);
        void this.terminate(d);
      });
    }
    return d;
  }

  private later(d: Deployment, ms: number, fn: () => void): void {
    const timer = this.clock.setTimeout(() => {
      d.timers.delete(timer);
      fn();
    }, ms);
    d.timers.add(timer);
  }

  private step(d: Deployment, index: number): void {
    this.later(d, this.config.statusStepMs, () => {
      if (d.stopRequested) return;
      const next = STEPS[index];
      if (next === undefined) return;
      d.status = next;
      if (next === Status.DEPLOYING) void this.launch(d);
      else this.step(d, index + 1);
    });
  }

  private fail(d: Deployment, detail: string): void {
    d.status = Status.ERROR;
    d.error = true;
    d.errorDetail = detail;
    this.appendNote(d, detail);
    this.notify(d, d.webhooks.error);
  }

  private async launch(d: Deployment): Promise<void> {
    const command = d.version.command;
    if (d.fault === 'error') return this.fail(d, 'injected fault: deployment failed');
    const image = typeof command === 'string' && command !== '' ? undefined : imageOf(d.version);
    if (image === undefined && (typeof command !== 'string' || command === '')) {
      return this.fail(d, 'version has neither a local command nor a docker_image to run');
    }
    try {
      await this.allocatePorts(d);
      // Host networking shares one port space: the sidecar's local API gets a free port too.
      if (image !== undefined) d.sidecarPort = await this.portPool.allocate();
    } catch (error) {
      this.fail(d, `cannot allocate ports: ${(error as Error).message}`);
      if (d.stopRequested) await this.finish(d);
      return;
    }
    if (d.stopRequested) return this.finish(d);
    const graceMs = Number(d.version.termination_grace_period_seconds ?? 5) * 1000;
    const args = d.version.arguments as string | string[] | undefined;
    const onOutput = (chunk: string, stream: 'stdout' | 'stderr') =>
      this.appendLog(d, chunk, stream);
    try {
      if (image !== undefined) {
        const env = injectedEnvironment(d, this.baseUrl(), this.config.publicIp, false);
        env.PLAYGAP_SIDECAR_PORT ??= String(d.sidecarPort);
        this.appendNote(d, `running image ${image} as container edgegap-local-${d.requestId}`);
        void removeOrphanContainersOnce().then((removed) => {
          if (removed.length > 0) {
            this.appendNote(
              d,
              `removed ${removed.length} container(s) left by an edgegap-local that is gone: ${removed.join(', ')}`,
            );
          }
        });
        const container = runContainer(
          {
            image,
            name: `edgegap-local-${d.requestId}`,
            ...(args !== undefined && args !== '' ? { arguments: args } : {}),
            env,
            graceMs,
          },
          onOutput,
        );
        d.process = container;
        d.containerRemoved = container.removed();
      } else {
        d.process = runGuarded(
          {
            command: command as string,
            ...(args !== undefined ? { arguments: args } : {}),
            ...(typeof d.version.working_dir === 'string' ? { cwd: d.version.working_dir } : {}),
            env: injectedEnvironment(d, this.baseUrl(), this.config.publicIp),
            graceMs,
          },
          onOutput,
        );
      }
    } catch (error) {
      return this.fail(d, `cannot start process: ${(error as Error).message}`);
    }
    void d.process.exited.then((code) => this.onExit(d, code));
    if (d.fault !== 'never-ready') void this.awaitReady(d);
  }

  private async allocatePorts(d: Deployment): Promise<void> {
    const host = this.config.host === '0.0.0.0' ? '127.0.0.1' : this.config.host;
    const fqdn = this.fqdn();
    for (const p of (d.version.ports ?? []) as VersionPort[]) {
      const internal = await this.portPool.allocate();
      const external =
        this.config.portMode === 'mapped' ? await this.portPool.allocate() : internal;
      d.ports[p.name] = {
        name: p.name,
        internal,
        external,
        protocol: p.protocol,
        tls_upgrade: p.tls_upgrade ?? false,
        link: `${fqdn}:${external}`,
      };
      if (external !== internal) {
        if (p.protocol !== 'UDP') d.relays.push(await startTcpRelay(host, external, internal));
        if (p.protocol === 'UDP' || p.protocol === 'TCP/UDP') {
          d.relays.push(await startUdpRelay(host, external, internal));
        }
      }
    }
  }

  private async awaitReady(d: Deployment): Promise<void> {
    const checked = ((d.version.ports ?? []) as VersionPort[]).filter((p) => p.to_check);
    const tcp = checked.filter((p) => p.protocol !== 'UDP').map((p) => d.ports[p.name]!.internal);
    const needsUdpWait = checked.some((p) => p.protocol === 'UDP' || p.protocol === 'TCP/UDP');
    const started = this.now();
    const deadline = started + this.config.readyTimeoutMs;
    for (;;) {
      if (d.status !== Status.DEPLOYING || d.stopRequested) return;
      const udpOk = !needsUdpWait || this.now() - started >= this.config.udpReadyAfterMs;
      if (udpOk && (await allAccept(tcp))) break;
      if (this.now() >= deadline) {
        this.fail(
          d,
          `ports to check did not accept connections within ${this.config.readyTimeoutMs} ms`,
        );
        return;
      }
      await sleepOn(this.clock, this.config.readyPollMs);
    }
    if (d.status === Status.DEPLOYING && !d.stopRequested) {
      d.status = Status.READY;
      this.notify(d, d.webhooks.ready);
    }
  }

  private onExit(d: Deployment, code: number): void {
    d.exitCode = code;
    this.appendNote(d, `process exited with code ${code}`);
    if (!d.stopRequested && code !== 0 && d.status !== Status.ERROR) {
      this.fail(d, `process exited with code ${code}`);
    }
    void this.finish(d);
  }

  private async finish(d: Deployment): Promise<void> {
    for (const timer of d.timers) timer.cancel();
    d.timers.clear();
    const relays = d.relays.splice(0);
    await Promise.all(relays.map((r) => r.close()));
    for (const p of Object.values(d.ports)) {
      this.portPool.release(p.internal);
      this.portPool.release(p.external);
    }
    if (d.sidecarPort !== undefined) this.portPool.release(d.sidecarPort);
    if (d.stopRequested || d.status !== Status.ERROR) d.status = Status.TERMINATED;
    d.endMs ??= this.now();
    if (d.status === Status.TERMINATED) this.notify(d, d.webhooks.terminated);
    if (!d.logs.endsWith('\n') && d.logs !== '') d.logs += '\n';
    this.flushPartialLines(d);
    d.markEnded();
  }

  /**
   * Stop a deployment: SIGTERM its process group, SIGKILL after the version's grace period.
   * Resolves once it is gone.
   */
  async terminate(d: Deployment): Promise<void> {
    if (d.stopRequested) return d.ended;
    d.stopRequested = true;
    for (const timer of d.timers) timer.cancel();
    d.timers.clear();
    if (d.process && d.exitCode === undefined) {
      const graceMs = Number(d.version.termination_grace_period_seconds ?? 5) * 1000;
      await d.process.stop(graceMs);
    } else if (d.status !== Status.DEPLOYING || d.exitCode !== undefined) {
      await this.finish(d);
    }
    return d.ended;
  }

  /** Stop everything, waiting for every process to exit and every container to be removed. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.deployments.values()].map((d) => this.terminate(d)));
    await Promise.all([...this.deployments.values()].map((d) => d.containerRemoved));
  }

  /** POST the status body to `url` once; failures only go to the deployment's log. */
  private notify(d: Deployment, url: string | undefined): void {
    if (!url) return;
    const abort = new AbortController();
    const timeoutMs = this.config.webhookTimeoutMs;
    const timer = this.clock.setTimeout(
      () => abort.abort(new Error(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(this.statusView(d)),
      signal: abort.signal,
    })
      .then(
        (res) => res.body?.cancel(),
        (error: Error) => this.appendNote(d, `webhook ${url} failed: ${error.message}`),
      )
      .finally(() => timer.cancel());
  }

  /** edgegap-local's own line in the deployment's log, on a line of its own. */
  private appendNote(d: Deployment, note: string): void {
    this.flushPartialLines(d);
    const newline = d.logs === '' || d.logs.endsWith('\n') ? '' : '\n';
    this.appendLog(d, `${newline}edgegap-local: ${note}\n`);
  }

  /**
   * Add to the deployment's log (what the logs endpoint serves) and hand each finished line to
   * `onOutput`; lines are joined per stream, and edgegap-local's notes come whole.
   */
  /** Hand each stream's unfinished last line to `onOutput` (before a note, and at the end). */
  private flushPartialLines(d: Deployment): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (d.partialLines[stream] !== '') this.appendLog(d, '\n', stream, false);
    }
  }

  private appendLog(
    d: Deployment,
    chunk: string,
    stream: 'stdout' | 'stderr' | 'note' = 'note',
    toLog = true,
  ): void {
    if (toLog) {
      d.logs += chunk;
      if (d.logs.length > LOG_LIMIT_CHARS) d.logs = d.logs.slice(-LOG_LIMIT_CHARS);
    }
    const onOutput = this.config.onOutput;
    if (!onOutput) return;
    const pending = stream === 'note' ? '' : d.partialLines[stream];
    const lines = (pending + chunk).split('\n');
    const rest = (lines.pop() ?? '').slice(-LOG_LIMIT_CHARS);
    if (stream !== 'note') d.partialLines[stream] = rest;
    for (const line of lines) {
      if (stream === 'note' && line === '') continue; // the newline that starts a note
      try {
        onOutput({
          requestId: d.requestId,
          app: d.appName,
          version: d.version.name,
          line: line.replace(/\r$/, ''),
        });
      } catch {
        // A failing sink must not take the deployment down; the log endpoint still has it.
      }
    }
  }

  fqdn(): string {
    return this.config.publicIp === '127.0.0.1' ? 'localhost' : this.config.publicIp;
  }

  /** `GET /v1/status/{id}` body. */
  statusView(d: Deployment) {
    const elapsed = Math.floor(((d.endMs ?? this.now()) - d.startMs) / 1000);
    const view: Record<string, unknown> = {
      request_id: d.requestId,
      fqdn: this.fqdn(),
      public_ip: this.config.publicIp,
      app_name: d.appName,
      app_version: d.version.name,
      current_status: d.status,
      running: d.status === Status.READY,
      whitelisting_active: false,
      start_time: edgegapTime(d.startMs),
      elapsed_time: elapsed,
      last_status: d.status,
      error: d.error,
      error_detail: d.errorDetail,
      max_duration: Number(d.version.max_duration ?? 1440),
      ports: d.ports,
      location: locationView(d.location),
      tags: [...d.tags.keys()],
      command: String(d.version.command ?? ''),
      arguments: Array.isArray(d.version.arguments)
        ? d.version.arguments.join(' ')
        : String(d.version.arguments ?? ''),
    };
    if (d.endMs !== undefined) view.removal_time = edgegapTime(d.endMs);
    if (d.sockets !== undefined) view.sockets = d.sockets;
    return view;
  }
}
