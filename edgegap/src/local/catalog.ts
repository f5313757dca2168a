/**
 * Apps and versions known to edgegap-local, in Edgegap's own snake_case shapes, created from
 * the config file or through `/v1/app...`. A version without a local `command` runs its
 * `docker_image` as a container on the local Docker engine; when that image is not there its
 * deployments end in ERROR, with the engine's reason in their logs.
 */
import { edgegapTime } from './ids.js';

export type VersionRecord = Record<string, unknown> & {
  name: string;
  create_time: string;
  last_updated: string;
  /** Insertion order, to find the latest version. */
  seq: number;
};

export interface AppRecord {
  name: string;
  is_active: boolean;
  image: string;
  create_time: string;
  last_updated: string;
  versions: Map<string, VersionRecord>;
}

const VERSION_DEFAULTS = {
  is_active: true,
  docker_repository: 'local',
  docker_tag: 'local',
  req_cpu: 256,
  req_memory: 512,
  req_video: 0,
  max_duration: 1440,
  time_to_deploy: 15,
  termination_grace_period_seconds: 5,
  restart_policy: 'never',
  ports: [],
  envs: [],
};

export class Catalog {
  readonly apps = new Map<string, AppRecord>();
  private seq = 0;

  constructor(private readonly now: () => number) {}

  createApp(body: { name: string; is_active?: boolean; image?: string }): AppRecord {
    const time = edgegapTime(this.now());
    const app: AppRecord = {
      name: body.name,
      is_active: body.is_active ?? true,
      image: body.image ?? '',
      create_time: time,
      last_updated: time,
      versions: new Map(),
    };
    this.apps.set(app.name, app);
    return app;
  }

  createVersion(app: AppRecord, body: Record<string, unknown> & { name: string }): VersionRecord {
    const time = edgegapTime(this.now());
    const version: VersionRecord = {
      ...VERSION_DEFAULTS,
      docker_image: app.name,
      ...body,
      create_time: time,
      last_updated: time,
      seq: this.seq++,
    };
    app.versions.set(version.name, version);
    return version;
  }

  latestVersion(app: AppRecord): VersionRecord | undefined {
    let latest: VersionRecord | undefined;
    for (const v of app.versions.values()) if (!latest || v.seq > latest.seq) latest = v;
    return latest;
  }
}

/** An app as the API shows it. */
export function appView(app: AppRecord) {
  const { versions: _v, ...view } = app;
  return view;
}

/** A version as the API shows it (hidden env values masked, like Edgegap). */
export function versionView(version: VersionRecord) {
  const { seq: _s, ...view } = version;
  const envs = Array.isArray(view.envs) ? (view.envs as { is_hidden?: boolean }[]) : [];
  return { ...view, envs: envs.map((e) => (e.is_hidden ? { ...e, value: '********' } : e)) };
}
