/**
 * Turns Edgegap's snake_case bodies into the client's types, tolerating what the live API
 * does: numbers and booleans as strings, missing optional fields, unknown extra fields and
 * unknown status values (kept verbatim). A missing required field is an EdgegapResponseError.
 */
import type {
  DeploymentContext,
  DeploymentLocation,
  DeploymentPort,
  DeploymentStatus,
  DeploymentSummary,
  SessionStatus,
} from './types.js';

/** Raised by normalizers; http.ts turns it into an EdgegapResponseError with method/path. */
export class ShapeError extends Error {}

type Obj = Record<string, unknown>;

export function asObject(value: unknown, what: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ShapeError(`${what} is not an object`);
  }
  return value as Obj;
}

export function optString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export function reqString(obj: Obj, key: string): string {
  const value = optString(obj[key]);
  if (value === undefined || value === '') throw new ShapeError(`field "${key}" is missing`);
  return value;
}

export function optNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    if (Number.isFinite(n)) return n;
  }
  return undefined;
}

export function optBool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'True' || value === 1 || value === '1') return true;
  if (value === 'false' || value === 'False' || value === 0 || value === '0') return false;
  return undefined;
}

function stringList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(optString).filter((s): s is string => !!s);
  if (typeof value === 'string' && value !== '') return value.split(',').map((s) => s.trim());
  return [];
}

export function normalizePorts(value: unknown): Record<string, DeploymentPort> {
  const ports: Record<string, DeploymentPort> = {};
  if (typeof value !== 'object' || value === null) return ports;
  for (const [key, raw] of Object.entries(value as Obj)) {
    if (typeof raw !== 'object' || raw === null) continue;
    const p = raw as Obj;
    const port: DeploymentPort = {
      name: optString(p.name) ?? key,
      internal: optNumber(p.internal) ?? 0,
      external: optNumber(p.external) ?? 0,
      protocol: optString(p.protocol) ?? '',
    };
    const tls = optBool(p.tls_upgrade);
    if (tls !== undefined) port.tlsUpgrade = tls;
    const link = optString(p.link);
    if (link !== undefined) port.link = link;
    ports[key] = port;
  }
  return ports;
}

export function normalizeLocation(value: unknown): DeploymentLocation | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const l = value as Obj;
  const out: DeploymentLocation = {};
  const set = <K extends keyof DeploymentLocation>(k: K, v: DeploymentLocation[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('city', optString(l.city));
  set('country', optString(l.country));
  set('continent', optString(l.continent));
  set('administrativeDivision', optString(l.administrative_division));
  set('timezone', optString(l.timezone));
  set('latitude', optNumber(l.latitude));
  set('longitude', optNumber(l.longitude));
  return out;
}

function assignDefined<T extends object>(target: T, extra: Partial<T>): T {
  for (const [k, v] of Object.entries(extra)) {
    if (v !== undefined) (target as Record<string, unknown>)[k] = v;
  }
  return target;
}

export function normalizeStatus(body: unknown): DeploymentStatus {
  const o = asObject(body, 'status');
  const status = optString(o.current_status) ?? 'Status.UNKNOWN';
  const ready = status === 'Status.READY';
  const error = optBool(o.error) ?? status === 'Status.ERROR';
  return assignDefined<DeploymentStatus>(
    {
      requestId: reqString(o, 'request_id'),
      status,
      running: optBool(o.running) ?? ready,
      ready,
      error,
      ports: normalizePorts(o.ports),
      tags: stringList(o.tags),
      raw: body,
    },
    {
      fqdn: optString(o.fqdn),
      publicIp: optString(o.public_ip),
      errorDetail: optString(o.error_detail) || undefined,
      location: normalizeLocation(o.location),
      startTime: optString(o.start_time),
      appName: optString(o.app_name),
      appVersion: optString(o.app_version),
      maxDurationMinutes: optNumber(o.max_duration),
    },
  );
}

export function normalizeSummary(body: unknown): DeploymentSummary {
  const o = asObject(body, 'deployment');
  return assignDefined<DeploymentSummary>(
    {
      requestId: reqString(o, 'request_id'),
      ready: optBool(o.ready) ?? false,
      ports: normalizePorts(o.ports),
      tags: stringList(o.tags),
      raw: body,
    },
    {
      fqdn: optString(o.fqdn),
      publicIp: optString(o.public_ip),
      startTime: optString(o.start_time),
    },
  );
}

export function normalizeContext(body: unknown): DeploymentContext {
  const o = asObject(body, 'context');
  return assignDefined<DeploymentContext>(
    {
      requestId: reqString(o, 'request_id'),
      publicIp: reqString(o, 'public_ip'),
      ports: normalizePorts(o.ports),
      tags: stringList(o.tags),
      raw: body,
    },
    {
      fqdn: optString(o.fqdn),
      status: optString(o.status),
      ready: optBool(o.ready),
      location: normalizeLocation(o.location),
      sockets: optNumber(o.sockets),
      socketsUsage: optNumber(o.sockets_usage),
    },
  );
}

export function normalizeSession(body: unknown): SessionStatus {
  const o = asObject(body, 'session');
  const session = assignDefined<SessionStatus>(
    {
      sessionId: reqString(o, 'session_id'),
      status: optString(o.status) ?? 'Unknown',
      ready: optBool(o.ready) ?? false,
      linked: optBool(o.linked) ?? false,
      userCount: optNumber(o.user_count) ?? 0,
      raw: body,
    },
    { kind: optString(o.kind), error: optString(o.error) || undefined },
  );
  if (typeof o.deployment === 'object' && o.deployment !== null) {
    const d = o.deployment as Obj;
    const requestId = optString(d.request_id);
    if (requestId) {
      session.deployment = assignDefined<NonNullable<SessionStatus['deployment']>>(
        { requestId, publicIp: optString(d.public_ip) ?? '', ports: normalizePorts(d.ports) },
        {
          fqdn: optString(d.fqdn),
          location: normalizeLocation(d.location),
          sockets: optNumber(d.sockets),
          socketsUsage: optNumber(d.sockets_usage),
        },
      );
    }
  }
  return session;
}
