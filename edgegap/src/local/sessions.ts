/**
 * v1 seat sessions. A session of a Seat version takes one socket per user on a deployment of
 * that version with room, or starts one when none has room and `autodeploy` is on; Default
 * and Match sessions get a deployment each. A deployment left with no session for
 * `empty_ttl` minutes is stopped. Statuses are the live API's plain words.
 */
import type { AppRecord, VersionRecord } from './catalog.js';
import { type LocalClock, type LocalTimer, systemLocalClock } from './clock.js';
import { type Deployment, type Fleet, Status } from './deployments.js';
import { edgegapTime, newSessionId } from './ids.js';
import { locationView } from './locations.js';

export interface Session {
  sessionId: string;
  app: AppRecord;
  version: VersionRecord;
  kind: string;
  ips: string[];
  deploymentId?: string;
  error?: string;
  createMs: number;
  deleted: boolean;
}

interface SessionConfig {
  kind?: string;
  sockets?: number;
  autodeploy?: boolean;
  empty_ttl?: number;
}

/** A session request the API refuses; answered with `status` and `{message}`. */
export class SessionRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class SessionBook {
  readonly sessions = new Map<string, Session>();
  private readonly emptyTimers = new Map<string, LocalTimer>();

  constructor(
    private readonly fleet: Fleet,
    private readonly clock: LocalClock = systemLocalClock,
  ) {}

  private now(): number {
    return this.clock.now();
  }

  private config(version: VersionRecord): SessionConfig {
    return (version.session_config ?? {}) as SessionConfig;
  }

  private live(sessionId: string): Session {
    const s = this.sessions.get(sessionId);
    if (!s) throw new SessionRequestError(404, `Session ${sessionId} not found`);
    if (s.deleted) throw new SessionRequestError(410, `Session ${sessionId} is already deleted`);
    return s;
  }

  /** Sockets in use on a deployment: users of its live sessions. */
  usage(d: Deployment): number {
    let used = 0;
    for (const s of this.sessions.values()) {
      if (!s.deleted && s.deploymentId === d.requestId) used += Math.max(1, s.ips.length);
    }
    return used;
  }

  private alive(d: Deployment): boolean {
    return !d.stopRequested && d.status !== Status.ERROR && d.status !== Status.TERMINATED;
  }

  create(
    app: AppRecord,
    version: VersionRecord,
    ips: string[],
    deploymentId: string | undefined,
  ): Session {
    const cfg = this.config(version);
    const kind = cfg.kind ?? 'Default';
    const session: Session = {
      sessionId: newSessionId(),
      app,
      version,
      kind,
      ips,
      createMs: this.now(),
      deleted: false,
    };
    const need = Math.max(1, ips.length);
    const sockets = cfg.sockets ?? 1;
    if (deploymentId !== undefined) {
      const d = this.fleet.get(deploymentId);
      if (!d || !this.alive(d)) {
        throw new SessionRequestError(400, `Deployment ${deploymentId} is not running`);
      }
      if (kind === 'Seat' && this.usage(d) + need > (d.sockets ?? sockets)) {
        throw new SessionRequestError(400, `Deployment ${deploymentId} has no free socket`);
      }
      session.deploymentId = d.requestId;
    } else if (kind === 'Seat') {
      const room = this.fleet
        .active()
        .find(
          (d) =>
            this.alive(d) &&
            d.appName === app.name &&
            d.version.name === version.name &&
            d.sockets !== undefined &&
            this.usage(d) + need <= d.sockets,
        );
      if (room) session.deploymentId = room.requestId;
      else if (cfg.autodeploy ?? true) session.deploymentId = this.deployFor(app, version, sockets);
      else session.error = 'No deployment has a free socket and autodeploy is off';
    } else {
      session.deploymentId = this.deployFor(app, version, sockets);
    }
    this.sessions.set(session.sessionId, session);
    if (session.deploymentId) this.cancelEmptyTimer(session.deploymentId);
    return session;
  }

  private deployFor(app: AppRecord, version: VersionRecord, sockets: number): string {
    const d = this.fleet.create({ appName: app.name, version });
    d.sockets ??= sockets;
    return d.requestId;
  }

  get(sessionId: string): Session {
    return this.live(sessionId);
  }

  delete(sessionId: string): Session {
    const s = this.live(sessionId);
    s.deleted = true;
    this.checkEmpty(s);
    return s;
  }

  addUsers(sessionId: string, ips: string[]): Session {
    const s = this.live(sessionId);
    const fresh = ips.filter((ip) => !s.ips.includes(ip));
    const d = s.deploymentId ? this.fleet.get(s.deploymentId) : undefined;
    if (d && s.kind === 'Seat' && d.sockets !== undefined) {
      if (
        this.usage(d) - Math.max(1, s.ips.length) + Math.max(1, s.ips.length + fresh.length) >
        d.sockets
      ) {
        throw new SessionRequestError(422, 'Not enough free sockets on the deployment');
      }
    }
    s.ips.push(...fresh);
    return s;
  }

  removeUsers(sessionId: string, ips: string[]): Session {
    const s = this.live(sessionId);
    s.ips = s.ips.filter((ip) => !ips.includes(ip));
    return s;
  }

  private checkEmpty(s: Session): void {
    const id = s.deploymentId;
    if (!id) return;
    const d = this.fleet.get(id);
    if (!d || this.usage(d) > 0) return;
    const ttlMinutes = this.config(s.version).empty_ttl;
    if (ttlMinutes === undefined) return;
    this.cancelEmptyTimer(id);
    const timer = this.clock.setTimeout(() => {
      this.emptyTimers.delete(id);
      if (this.usage(d) === 0) void this.fleet.terminate(d);
    }, ttlMinutes * 60_000);
    this.emptyTimers.set(id, timer);
  }

  private cancelEmptyTimer(deploymentId: string): void {
    const timer = this.emptyTimers.get(deploymentId);
    timer?.cancel();
    this.emptyTimers.delete(deploymentId);
  }

  close(): void {
    for (const timer of this.emptyTimers.values()) timer.cancel();
    this.emptyTimers.clear();
  }

  /** `GET /v1/session/{id}` body, status computed from its deployment. */
  view(s: Session) {
    const d = s.deploymentId ? this.fleet.get(s.deploymentId) : undefined;
    let status = 'Seeking';
    let ready = false;
    let error = s.error;
    if (error) status = 'Unprocessable';
    else if (d) {
      if (d.status === Status.READY && !d.stopRequested) {
        status = 'Ready';
        ready = true;
      } else if (d.status === Status.ERROR) {
        status = 'Error';
        error = d.errorDetail || 'deployment failed';
      } else if (d.status === Status.TERMINATED || d.stopRequested) {
        status = 'Error';
        error = 'deployment terminated';
      } else status = 'Waiting';
    }
    const view: Record<string, unknown> = {
      session_id: s.sessionId,
      custom_id: '',
      status,
      ready,
      linked: d !== undefined,
      kind: s.kind,
      user_count: s.ips.length,
      app_version: s.version.seq,
      create_time: edgegapTime(s.createMs),
      elapsed: Math.floor((this.now() - s.createMs) / 1000),
      session_ips: s.ips.map((ip) => ({ ip })),
      session_users: s.ips.map((ip) => ({ ip })),
    };
    if (error) view.error = error;
    if (d) {
      view.deployment = {
        request_id: d.requestId,
        public_ip: this.fleet.statusView(d).public_ip,
        status: d.status,
        ready: d.status === Status.READY,
        whitelisting_active: false,
        fqdn: this.fleet.fqdn(),
        ports: d.ports,
        location: locationView(d.location),
        tags: [...d.tags.keys()],
        sockets: d.sockets ?? 1,
        sockets_usage: this.usage(d),
        is_joinable_by_session: this.alive(d),
      };
    }
    return view;
  }
}
