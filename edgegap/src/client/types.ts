/**
 * Public types of the Edgegap client: what playgap reads from Edgegap, in camelCase, with the
 * live API's quirks (numbers as strings, unknown statuses) already smoothed by normalize.ts.
 * Every normalized object keeps the untouched body in `raw`.
 */

/** Options every client method accepts as its last argument. @example await edgegap.getStatus(id, { timeoutMs: 2000, signal }); */
export interface CallOptions {
  /** Aborts the call (and its retries). */
  signal?: AbortSignal;
  /** Overall deadline of this call in ms, retries included; defaults to the client's. */
  timeoutMs?: number;
}

/** One port of a deployment, keyed by its name in `ports`. */
export interface DeploymentPort {
  name: string;
  internal: number;
  external: number;
  protocol: string;
  tlsUpgrade?: boolean;
  link?: string;
}

/** Where a deployment runs. */
export interface DeploymentLocation {
  city?: string;
  country?: string;
  continent?: string;
  administrativeDivision?: string;
  timezone?: string;
  latitude?: number;
  longitude?: number;
}

/** `GET /v1/status/{id}`, normalized. @example const { ready, publicIp, ports } = await edgegap.getStatus(id); */
export interface DeploymentStatus {
  requestId: string;
  fqdn?: string;
  publicIp?: string;
  /** `Status.READY`, `Status.ERROR`, ... Unknown values are kept as they came. */
  status: string;
  running: boolean;
  ready: boolean;
  error: boolean;
  errorDetail?: string;
  ports: Record<string, DeploymentPort>;
  location?: DeploymentLocation;
  tags: string[];
  startTime?: string;
  appName?: string;
  appVersion?: string;
  maxDurationMinutes?: number;
  raw: unknown;
}

/** One row of `GET /v1/deployments`. @example (await edgegap.listDeployments()).items[0]?.requestId; */
export interface DeploymentSummary {
  requestId: string;
  fqdn?: string;
  publicIp?: string;
  ready: boolean;
  startTime?: string;
  ports: Record<string, DeploymentPort>;
  tags: string[];
  raw: unknown;
}

/** A filter of `listDeployments` (fields seen live: status, application, tags). */
export interface DeploymentFilter {
  field: string;
  operator: 'eq' | 'neq' | 'in';
  value: unknown;
}

/** `GET /v1/session/{id}`, normalized. @example const s = await edgegap.getSession(sid); if (s.ready) connect(s.deployment!.publicIp); */
export interface SessionStatus {
  sessionId: string;
  /** Plain word: Initializing, Seeking, Waiting, Ready, Linked, Error, Unprocessable. */
  status: string;
  ready: boolean;
  linked: boolean;
  kind?: string;
  userCount: number;
  error?: string;
  deployment?: {
    requestId: string;
    publicIp: string;
    fqdn?: string;
    ports: Record<string, DeploymentPort>;
    location?: DeploymentLocation;
    sockets?: number;
    socketsUsage?: number;
  };
  raw: unknown;
}

/** `GET $ARBITRIUM_CONTEXT_URL`, normalized. @example const ctx = await edgegap.getContext({ url, token }); ctx.ports.game?.external; */
export interface DeploymentContext {
  requestId: string;
  publicIp: string;
  fqdn?: string;
  status?: string;
  ready?: boolean;
  ports: Record<string, DeploymentPort>;
  location?: DeploymentLocation;
  tags: string[];
  sockets?: number;
  socketsUsage?: number;
  raw: unknown;
}

/**
 * One of `GET /v1/locations/beacons`, normalized: a ping target in one Edgegap location.
 * @example const { beacons } = await edgegap.listBeacons(); beacons[0]?.location.city;
 */
export interface PingBeacon {
  /** Public IP. */
  host: string;
  fqdn?: string;
  /** TCP ping port (Edgegap: a TCP ping, not HTTP). */
  tcpPort?: number;
  /** UDP ping port. */
  udpPort?: number;
  /** An HTTP `GET` ping URL with CORS; edgegap-local only (real Edgegap has none). */
  pingUrl?: string;
  location: DeploymentLocation;
  raw: unknown;
}

/** A user that places a v2 deployment: by IP, or by coordinates. */
export type DeployUser = { ipAddress: string } | { latitude: number; longitude: number };

/** An environment variable passed to a deployment. */
export interface DeployEnv {
  key: string;
  value: string;
  isHidden?: boolean;
}

/** Body of `deploy` (`POST /v2/deployments`). @example { application: 'g', version: 'v1', users: [{ ipAddress: '1.2.3.4' }] } */
export interface DeployRequest {
  application: string;
  version: string;
  users: DeployUser[];
  environmentVariables?: DeployEnv[];
  tags?: string[];
  /** URLs Edgegap POSTs the deployment status to (once, no retry). */
  webhooks?: { onReady?: string; onError?: string; onTerminated?: string };
}

/** Body of `deployV1` (`POST /v1/deploy`). */
export interface DeployV1Request {
  appName: string;
  versionName?: string;
  ipList?: string[];
  envVars?: DeployEnv[];
  tags?: string[];
  webhookUrl?: string;
}

/** Answer of `deployV1`. */
export interface DeployV1Result {
  requestId: string;
  requestDns?: string;
  requestApp?: string;
  requestVersion?: string;
  raw: unknown;
}

/** Body of `createSession` (`POST /v1/session`). */
export interface CreateSessionRequest {
  appName: string;
  versionName?: string;
  ipList?: string[];
  deploymentRequestId?: string;
}

/** A deployment tag. */
export interface DeploymentTag {
  name: string;
  createTime?: string;
  lastUpdated?: string;
}

/**
 * An app or version body as Edgegap's API takes it (snake_case fields such as
 * `docker_image`, `ports`, `envs`, `session_config`); passed through unchanged.
 */
export type EdgegapBody = Record<string, unknown>;
