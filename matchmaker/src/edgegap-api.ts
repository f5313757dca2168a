/**
 * The part of the Edgegap API the matchmaker uses, as a structural type: `EdgegapClient` from
 * `@playgap/edgegap` satisfies it (real Edgegap or edgegap-local behind it).
 */
import type { BeaconLike } from './regions/region-directory.js';

export interface EdgegapDeploymentStatus {
  requestId: string;
  /** e.g. `Status.READY`, `Status.ERROR`. */
  status: string;
  ready: boolean;
  error: boolean;
  errorDetail?: string | null;
  publicIp?: string | null;
}

export interface EdgegapSessionStatus {
  status: string;
  ready: boolean;
  /** Error text (or flag) when the session failed. */
  error?: string | boolean;
  deployment?: { requestId: string; publicIp?: string | null } | null;
}

export interface EdgegapDeploymentSummary {
  requestId: string;
  tags: string[];
}

/** What the matchmaker calls on Edgegap. */
export interface EdgegapApi {
  deploy(input: {
    application: string;
    version: string;
    users: Array<{ ipAddress: string } | { latitude: number; longitude: number }>;
    tags?: string[];
  }): Promise<{ requestId: string }>;
  getStatus(requestId: string): Promise<EdgegapDeploymentStatus>;
  /** Ping beacons, one per location: the regions browsers measure (regions/). */
  listBeacons?(): Promise<{ beacons: BeaconLike[] }>;
  stopDeployment(requestId: string): Promise<unknown>;
  listDeployments?(query?: {
    filters?: Array<{ field: string; operator: 'eq' | 'neq' | 'in'; value: unknown }>;
  }): Promise<{ items: EdgegapDeploymentSummary[] }>;
  createSession?(input: {
    appName: string;
    versionName?: string;
    ipList?: string[];
  }): Promise<{ sessionId: string }>;
  getSession?(sessionId: string): Promise<EdgegapSessionStatus>;
  deleteSession?(sessionId: string): Promise<unknown>;
}

/**
 * Tags playgap puts on every deployment it starts, so it can find its own.
 *
 * @example
 * deploymentTags('arena', 'a1b2'); // ['playgap', 'playgap-app:arena', 'playgap-mm:a1b2']
 */
export function deploymentTags(app: string, instanceId: string): string[] {
  return ['playgap', `playgap-app:${app}`, `playgap-mm:${instanceId}`];
}
