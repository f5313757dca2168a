/**
 * EdgegapClient: typed calls for the part of Edgegap's API playgap uses. One instance per
 * process, created from env (`EdgegapClient.fromEnv()`) and handed to whoever needs it.
 */
import { EdgegapConfigError } from '../errors.js';
import * as apps from './apps.js';
import * as beacons from './beacons.js';
import * as deployments from './deployments.js';
import { HttpTransport, type LimitClass } from './http.js';
import * as inContainer from './in-container.js';
import { type Clock, systemClock } from './rate-limit.js';
import * as sessions from './sessions.js';
import type {
  CallOptions,
  CreateSessionRequest,
  DeploymentContext,
  DeploymentFilter,
  DeploymentStatus,
  DeploymentSummary,
  DeploymentTag,
  DeployRequest,
  DeployV1Request,
  DeployV1Result,
  EdgegapBody,
  PingBeacon,
  SessionStatus,
} from './types.js';

/** Edgegap's production API. @example new EdgegapClient({ apiUrl: DEFAULT_EDGEGAP_API_URL }); */
export const DEFAULT_EDGEGAP_API_URL = 'https://api.edgegap.com';
/** Default overall deadline of one call, retries included. */
export const DEFAULT_TIMEOUT_MS = 15_000;
/** Default number of retries of an idempotent call. */
export const DEFAULT_MAX_RETRIES = 3;
/** Edgegap's documented limits, requests per second. @example EDGEGAP_RATE_LIMITS.status; // 20 */
export const EDGEGAP_RATE_LIMITS: Readonly<Record<LimitClass, number>> = Object.freeze({
  deploy: 40,
  status: 20,
  list: 10,
});

/** Options of {@link EdgegapClient}. @example new EdgegapClient({ apiUrl: local.url, apiKey: local.apiKey, timeoutMs: 5000 }); */
export interface EdgegapClientOptions {
  /** Base URL; default https://api.edgegap.com (or an edgegap-local URL). */
  apiUrl?: string;
  /** API key, with or without the `token ` prefix. */
  apiKey?: string;
  /** Overall deadline of one call in ms, retries included (default 15000). */
  timeoutMs?: number;
  /** Retries of idempotent calls on 429/502/503/504/network errors (default 3). */
  maxRetries?: number;
  /** Requests per second per class; defaults are Edgegap's documented limits. */
  rateLimits?: Partial<{ deployPerSecond: number; statusPerSecond: number; listPerSecond: number }>;
  /** fetch implementation (tests). */
  fetch?: typeof fetch;
  /** Time source for the rate limiter and backoff (tests). */
  clock?: Clock;
  /** First backoff ceiling in ms (default 200); doubles per retry. */
  retryBaseDelayMs?: number;
  /** Largest backoff in ms (default 5000), also caps Retry-After. */
  retryMaxDelayMs?: number;
  /** Random source for jitter, [0, 1) (tests). */
  random?: () => number;
}

function positive(name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < min) {
    throw new EdgegapConfigError(`EdgegapClient option ${name} must be a number >= ${min}`);
  }
  return value;
}

/** Turn `abc`, `token abc` or `Token abc` into `token abc`. @example authorizationFromKey('token abc'); // 'token abc' */
export function authorizationFromKey(apiKey: string): string {
  const bare = apiKey.trim().replace(/^token\s+/i, '');
  return `token ${bare}`;
}

/**
 * Typed Edgegap API client: every non-2xx is an {@link EdgegapApiError} with the real status;
 * idempotent calls retry 429/502/503/504 and network errors with jittered backoff; a
 * client-side limiter keeps under Edgegap's rate limits; every call takes a timeout and an
 * AbortSignal as its last argument.
 *
 * @example
 * const edgegap = EdgegapClient.fromEnv();
 * const { requestId } = await edgegap.deploy({
 *   application: 'my-game', version: 'v1', users: [{ ipAddress: '1.2.3.4' }],
 * });
 * const status = await edgegap.getStatus(requestId);
 * if (status.ready) console.log(status.publicIp, status.ports);
 */
export class EdgegapClient {
  /** Base URL this client talks to. */
  readonly apiUrl: string;
  private readonly http: HttpTransport;

  constructor(options: EdgegapClientOptions = {}) {
    this.apiUrl = options.apiUrl ?? DEFAULT_EDGEGAP_API_URL;
    try {
      new URL(this.apiUrl);
    } catch {
      throw new EdgegapConfigError('EdgegapClient option apiUrl must be an absolute URL');
    }
    const limits = options.rateLimits ?? {};
    this.http = new HttpTransport({
      apiUrl: this.apiUrl,
      ...(options.apiKey ? { authorization: authorizationFromKey(options.apiKey) } : {}),
      timeoutMs: positive('timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS),
      maxRetries: positive('maxRetries', options.maxRetries, DEFAULT_MAX_RETRIES, 0),
      rateLimits: {
        deploy: positive(
          'rateLimits.deployPerSecond',
          limits.deployPerSecond,
          EDGEGAP_RATE_LIMITS.deploy,
        ),
        status: positive(
          'rateLimits.statusPerSecond',
          limits.statusPerSecond,
          EDGEGAP_RATE_LIMITS.status,
        ),
        list: positive('rateLimits.listPerSecond', limits.listPerSecond, EDGEGAP_RATE_LIMITS.list),
      },
      fetch: options.fetch ?? globalThis.fetch,
      clock: options.clock ?? systemClock,
      random: options.random ?? Math.random,
      baseDelayMs: positive('retryBaseDelayMs', options.retryBaseDelayMs, 200, 0),
      maxDelayMs: positive('retryMaxDelayMs', options.retryMaxDelayMs, 5000, 0),
    });
  }

  /**
   * Build a client from `EDGEGAP_API_URL` (default https://api.edgegap.com) and
   * `EDGEGAP_API_KEY` (with or without the `token ` prefix).
   *
   * @example
   * const edgegap = EdgegapClient.fromEnv({ EDGEGAP_API_URL: local.url, EDGEGAP_API_KEY: local.apiKey });
   */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): EdgegapClient {
    const options: EdgegapClientOptions = {};
    if (env.EDGEGAP_API_URL) {
      if (!URL.canParse(env.EDGEGAP_API_URL)) {
        throw new EdgegapConfigError('EDGEGAP_API_URL must be an absolute URL');
      }
      options.apiUrl = env.EDGEGAP_API_URL;
    }
    if (env.EDGEGAP_API_KEY) options.apiKey = env.EDGEGAP_API_KEY;
    return new EdgegapClient(options);
  }

  /** `GET /v1/app/{name}`. @example await edgegap.getApp('my-game'); */
  getApp(name: string, call?: CallOptions): Promise<EdgegapBody> {
    return apps.getApp(this.http, name, call);
  }
  /** `POST /v1/app`. @example await edgegap.createApp({ name: 'my-game', is_active: true, image: '' }); */
  createApp(body: EdgegapBody, call?: CallOptions): Promise<EdgegapBody> {
    return apps.createApp(this.http, body, call);
  }
  /** `PATCH /v1/app/{name}`. @example await edgegap.patchApp('my-game', { is_active: false }); */
  patchApp(name: string, body: EdgegapBody, call?: CallOptions): Promise<EdgegapBody> {
    return apps.patchApp(this.http, name, body, call);
  }
  /** `GET /v1/app/{app}/version/{version}`. @example await edgegap.getVersion('my-game', 'v1'); */
  getVersion(app: string, version: string, call?: CallOptions): Promise<EdgegapBody> {
    return apps.getVersion(this.http, app, version, call);
  }
  /**
   * `POST /v1/app/{app}/version` with Edgegap's snake_case version body.
   * @example await edgegap.createVersion('my-game', { name: 'v2', docker_image: 'my/game', docker_tag: 'v2', ports: [] });
   */
  createVersion(app: string, body: EdgegapBody, call?: CallOptions): Promise<EdgegapBody> {
    return apps.createVersion(this.http, app, body, call);
  }
  /** `PATCH /v1/app/{app}/version/{version}`. @example await edgegap.patchVersion('my-game', 'v2', { docker_tag: 'v2.1' }); */
  patchVersion(
    app: string,
    version: string,
    body: EdgegapBody,
    call?: CallOptions,
  ): Promise<EdgegapBody> {
    return apps.patchVersion(this.http, app, version, body, call);
  }
  /** `DELETE /v1/app/{app}/version/{version}`. @example await edgegap.deleteVersion('my-game', 'v1'); */
  deleteVersion(app: string, version: string, call?: CallOptions): Promise<EdgegapBody> {
    return apps.deleteVersion(this.http, app, version, call);
  }

  /**
   * `POST /v2/deployments` → 202 `{request_id}`. Never retried: a retry could start a second
   * server. Counts against the deploy rate limit.
   * @example const { requestId } = await edgegap.deploy({ application: 'g', version: 'v1', users: [{ ipAddress: '1.2.3.4' }] });
   */
  deploy(body: DeployRequest, call?: CallOptions): Promise<{ requestId: string }> {
    return deployments.deploy(this.http, body, call);
  }
  /** `POST /v1/deploy` (deprecated but live). Never retried. @example await edgegap.deployV1({ appName: 'g', versionName: 'v1', ipList: ['1.2.3.4'] }); */
  deployV1(body: DeployV1Request, call?: CallOptions): Promise<DeployV1Result> {
    return deployments.deployV1(this.http, body, call);
  }
  /** `GET /v1/status/{id}`, normalized. @example const s = await edgegap.getStatus(id); s.ready; */
  getStatus(requestId: string, call?: CallOptions): Promise<DeploymentStatus> {
    return deployments.getStatus(this.http, requestId, call);
  }
  /**
   * `GET /v1/deployments` with optional filters and paging.
   * @example await edgegap.listDeployments({ filters: [{ field: 'application', operator: 'eq', value: 'g' }] });
   */
  listDeployments(
    query?: { filters?: DeploymentFilter[]; page?: number; limit?: number },
    call?: CallOptions,
  ): Promise<{ items: DeploymentSummary[]; totalCount: number }> {
    return deployments.listDeployments(this.http, query, call);
  }
  /**
   * `DELETE /v1/stop/{id}`: 200 → `now`, 202 (still starting) → `when-ready`,
   * 410 (already terminated) → `already-gone`, which is not an error.
   * @example const { stopped } = await edgegap.stopDeployment(id);
   */
  stopDeployment(
    requestId: string,
    call?: CallOptions,
  ): Promise<{ stopped: 'now' | 'when-ready' | 'already-gone' }> {
    return deployments.stopDeployment(this.http, requestId, call);
  }
  /** `GET /v1/deployments/{id}/tags`. @example (await edgegap.getTags(id)).map((t) => t.name); */
  getTags(requestId: string, call?: CallOptions): Promise<DeploymentTag[]> {
    return deployments.getTags(this.http, requestId, call);
  }
  /** `POST /v1/deployments/{id}/tags`, once per tag. @example await edgegap.addTags(id, ['lobby']); */
  addTags(requestId: string, tags: string[], call?: CallOptions): Promise<DeploymentTag[]> {
    return deployments.addTags(this.http, requestId, tags, call);
  }
  /** `DELETE /v1/deployments/{id}/tags/{tag}`. @example await edgegap.deleteTag(id, 'lobby'); */
  deleteTag(requestId: string, tag: string, call?: CallOptions): Promise<void> {
    return deployments.deleteTag(this.http, requestId, tag, call);
  }
  /** `GET /v1/deployment/{id}/container-logs`. @example console.log((await edgegap.getLogs(id)).logs); */
  getLogs(requestId: string, call?: CallOptions): Promise<{ logs: string; crashLogs?: string }> {
    return deployments.getLogs(this.http, requestId, call);
  }

  /**
   * `GET /v1/locations/beacons`: the active ping beacons, one per location.
   * @example const { beacons } = await edgegap.listBeacons(); beacons.map((b) => b.location.city);
   */
  listBeacons(call?: CallOptions): Promise<{ beacons: PingBeacon[]; count: number }> {
    return beacons.listBeacons(this.http, call);
  }

  /** `POST /v1/session`. Never retried. @example const { sessionId } = await edgegap.createSession({ appName: 'g', ipList: ['1.2.3.4'] }); */
  createSession(body: CreateSessionRequest, call?: CallOptions): Promise<{ sessionId: string }> {
    return sessions.createSession(this.http, body, call);
  }
  /** `GET /v1/session/{id}`, normalized. @example (await edgegap.getSession(sid)).ready; */
  getSession(sessionId: string, call?: CallOptions): Promise<SessionStatus> {
    return sessions.getSession(this.http, sessionId, call);
  }
  /** `DELETE /v1/session/{id}`; 410 → `{deleted: false}`, not an error. @example await edgegap.deleteSession(sid); */
  deleteSession(sessionId: string, call?: CallOptions): Promise<{ deleted: boolean }> {
    return sessions.deleteSession(this.http, sessionId, call);
  }
  /** `PUT /v1/session/{id}/users`. @example await edgegap.addSessionUsers(sid, ['5.6.7.8']); */
  addSessionUsers(
    sessionId: string,
    ips: string[],
    call?: CallOptions,
  ): Promise<{ ips: string[] }> {
    return sessions.addSessionUsers(this.http, sessionId, ips, call);
  }
  /** `DELETE /v1/session/{id}/users`. @example await edgegap.removeSessionUsers(sid, ['5.6.7.8']); */
  removeSessionUsers(
    sessionId: string,
    ips: string[],
    call?: CallOptions,
  ): Promise<{ ips: string[] }> {
    return sessions.removeSessionUsers(this.http, sessionId, ips, call);
  }

  /**
   * In-container: `GET $ARBITRIUM_CONTEXT_URL` with the raw `$ARBITRIUM_CONTEXT_TOKEN`.
   * @example await edgegap.getContext({ url: process.env.ARBITRIUM_CONTEXT_URL!, token: process.env.ARBITRIUM_CONTEXT_TOKEN! });
   */
  getContext(opts: { url: string; token: string }, call?: CallOptions): Promise<DeploymentContext> {
    return inContainer.getContext(this.http, opts, call);
  }
  /**
   * In-container: `DELETE $ARBITRIUM_DELETE_URL` with the raw `$ARBITRIUM_DELETE_TOKEN`
   * (410, already gone, is success).
   * @example await edgegap.selfStop({ url: process.env.ARBITRIUM_DELETE_URL!, token: process.env.ARBITRIUM_DELETE_TOKEN! });
   */
  selfStop(opts: { url: string; token: string }, call?: CallOptions): Promise<void> {
    return inContainer.selfStop(this.http, opts, call);
  }
}
