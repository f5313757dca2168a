/**
 * Runs a deployment as a container on a local Docker engine, the way Edgegap runs a version:
 * the image's ENTRYPOINT with the version's `arguments` as its CMD, the injected environment,
 * and the ports the game listens on. Containers use the host's network (`--network host`: the
 * local engines this targets have no bridge), so each deployment's internal ports are free
 * host ports chosen per deployment and, in `mapped` mode, the external ports are relays in
 * front of them (relay.ts) — the game sees exactly Edgegap's "internal ≠ external".
 *
 * The `docker run` client stays attached: its output is the container's log, its exit code the
 * container's. It runs under the same guard as a process deployment (process-runner.ts), so if
 * edgegap-local dies the client gets SIGTERM, which it forwards to the container (`--sig-proxy`
 * is on for an attached run). The container is removed after it exited, in the background: with
 * the vfs storage driver removing its copy of the image takes seconds, and Edgegap reports
 * TERMINATED when the container stops, not when the host has cleaned up. `removed()` waits.
 *
 * An edgegap-local that was SIGKILLed never removes its containers (and if its guards died
 * with it, they keep running). Each container is labelled with its owner (host and pid); the
 * first container deployment of an edgegap-local removes those whose owner is gone
 * (`removeOrphanContainers`).
 */
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { splitArguments } from '../arguments.js';
import { type RunningProcess, runGuarded } from './process-runner.js';

/** How to run an image. */
export interface ContainerSpec {
  /** Image reference, e.g. `playgap/gameserver:local`. */
  image: string;
  /** Container name (unique per deployment). */
  name: string;
  /** Replaces the image's CMD; a string is split into words like a POSIX shell does. */
  arguments?: string | string[];
  /** The container's whole environment (nothing of edgegap-local's own is added). */
  env: Record<string, string>;
  graceMs: number;
  /** Environment of the `docker` client itself (PATH, DOCKER_HOST...). */
  clientEnv?: NodeJS.ProcessEnv;
}

/** Client variables the `docker` command needs from edgegap-local's environment. */
const CLIENT_ENV = /^(PATH|HOME|DOCKER_.*|TMPDIR)$/;

function dockerClientEnv(from: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(from)) {
    if (value !== undefined && CLIENT_ENV.test(key)) env[key] = value;
  }
  return env;
}

/** Every container edgegap-local starts carries this label... */
const LABEL = 'playgap.edgegap-local';
/** ...and this one, `<hostname>/<pid>` of the edgegap-local that started it. */
const OWNER_LABEL = 'playgap.edgegap-local.owner';

function docker(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('docker', args, { env, stdio: 'ignore' });
    child.once('error', () => resolve(127));
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

/** The `docker run` command line for `spec` (values travel in the client's environment, not argv). */
export function dockerRunArguments(spec: ContainerSpec): string[] {
  const args = ['run', '--pull', 'never', '--name', spec.name, '--network', 'host'];
  args.push('--label', `${LABEL}=1`, '--label', `${OWNER_LABEL}=${hostname()}/${process.pid}`);
  args.push('--stop-timeout', String(Math.ceil(spec.graceMs / 1000)));
  for (const key of Object.keys(spec.env)) args.push('-e', key);
  args.push(spec.image);
  if (spec.arguments !== undefined) {
    args.push(
      ...(typeof spec.arguments === 'string' ? splitArguments(spec.arguments) : spec.arguments),
    );
  }
  return args;
}

/**
 * Start `spec` as an attached container; the result behaves like a process deployment's
 * (exit code, stop with grace, kill). Output goes to `onOutput` per stream.
 *
 * @example
 * const run = runContainer({ image: 'playgap/gameserver:local', name: 'edgegap-local-ab12', env, graceMs: 5000 }, log);
 */
export function runContainer(
  spec: ContainerSpec,
  onOutput: (chunk: string, stream: 'stdout' | 'stderr') => void,
): RunningProcess & { removed(): Promise<void> } {
  const clientEnv = dockerClientEnv(spec.clientEnv ?? process.env);
  // `-e KEY` makes the client read each value from its own environment.
  const env = { ...spec.env, ...clientEnv };
  const client = runGuarded(
    { command: 'docker', arguments: dockerRunArguments(spec), env, graceMs: spec.graceMs },
    onOutput,
  );
  let stopping: Promise<number> | undefined;
  const removed = client.exited.then(async () => {
    await docker(['rm', '--force', spec.name], clientEnv);
  });
  return {
    groupPid: client.groupPid,
    pid: client.pid,
    exited: client.exited,
    removed: () => removed,
    kill: () => {
      void docker(['kill', spec.name], clientEnv);
      client.kill();
    },
    stop(graceMs) {
      stopping ??= (async () => {
        // The engine sends SIGTERM, then SIGKILL after the grace period; the attached client
        // exits with the container. The client is killed only if it outlives that by far.
        const seconds = String(Math.ceil(graceMs / 1000));
        const stopped = docker(['stop', '--time', seconds, spec.name], clientEnv).then((code) => {
          // No such container yet (stopped while starting): SIGTERM the client, which forwards it.
          if (code !== 0) void client.stop(graceMs);
        });
        const late = setTimeout(() => client.kill(), graceMs + 10_000);
        const code = await client.exited;
        clearTimeout(late);
        await stopped;
        return code;
      })();
      return stopping;
    },
  };
}

/** A docker command's stdout (undefined when it failed or there is no `docker`). */
function dockerOutput(args: string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn('docker', args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    child.once('error', () => resolve(undefined));
    child.once('close', (code) => resolve(code === 0 ? out : undefined));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}

/**
 * Force-remove the containers, running or exited, that an edgegap-local of this host started
 * and that outlived it (its pid is gone); their names. Containers of a live edgegap-local, of
 * another host (a shared engine) or without an owner label are left alone. Never throws: with
 * no engine there is nothing to remove.
 *
 * @example
 * const removed = await removeOrphanContainers(); // ['edgegap-local-ab12']
 */
export async function removeOrphanContainers(
  clientEnv: NodeJS.ProcessEnv = process.env,
  alive: (pid: number) => boolean = isAlive,
): Promise<string[]> {
  const env = dockerClientEnv(clientEnv);
  const listed = await dockerOutput(
    [
      'ps',
      '--all',
      '--filter',
      `label=${LABEL}=1`,
      '--format',
      `{{.Names}}\t{{.Label "${OWNER_LABEL}"}}`,
    ],
    env,
  );
  const host = hostname();
  const orphans: string[] = [];
  for (const line of (listed ?? '').split('\n')) {
    const [name, owner] = line.trim().split('\t');
    const match = /^(.+)\/(\d+)$/.exec(owner ?? '');
    if (!name || !match || match[1] !== host) continue;
    const pid = Number(match[2]);
    if (pid === process.pid || alive(pid)) continue;
    orphans.push(name);
  }
  const removed: string[] = [];
  for (const name of orphans) {
    if ((await docker(['rm', '--force', name], env)) === 0) removed.push(name);
  }
  return removed;
}

let swept = false;

/**
 * removeOrphanContainers on the first call of this process (every container deployment
 * calls it); later calls remove nothing and resolve with [], so only the first deployment's
 * log names what was removed.
 */
export function removeOrphanContainersOnce(
  clientEnv: NodeJS.ProcessEnv = process.env,
): Promise<string[]> {
  if (swept) return Promise.resolve([]);
  swept = true;
  return removeOrphanContainers(clientEnv);
}
