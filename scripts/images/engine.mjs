#!/usr/bin/env node
// Finds a Docker engine for the image builds and the container tests: the one DOCKER_HOST (or
// the default socket) points at when it answers, else — as root — a private dockerd started by
// scripts/images/dockerd.sh (its data under /var/cache/playgap/docker outlives the run, so base
// images and layers stay cached). Never guesses: when there is none it says exactly what is
// missing.
//
//   node scripts/images/engine.mjs          # prints `export DOCKER_HOST=...`, or why not (exit 1)
//   node scripts/images/engine.mjs --json   # {"ok":true,"dockerHost":...} or {"ok":false,"reason":...}
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

/** No usable engine; `message` says what is missing. */
export class EngineUnavailableError extends Error {
  code = 'ENGINE_UNAVAILABLE';
}

function answers(env) {
  const r = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], {
    env,
    encoding: 'utf8',
    timeout: 15_000,
  });
  if (r.error) return { ok: false, why: `the docker client cannot run (${r.error.message})` };
  return r.status === 0
    ? { ok: true, version: r.stdout.trim() }
    : { ok: false, why: r.stderr.trim().split('\n').at(-1) ?? 'no answer' };
}

/**
 * The engine to use: `{ dockerHost, serverVersion, started }`. With `start: false` only an
 * engine already answering counts.
 * @example const { dockerHost } = findEngine(); process.env.DOCKER_HOST = dockerHost;
 */
export function findEngine({ start = true, env = process.env } = {}) {
  const hasClient = spawnSync('docker', ['--version'], { encoding: 'utf8' }).status === 0;
  if (hasClient) {
    const here = answers(env);
    if (here.ok) {
      return { dockerHost: env.DOCKER_HOST ?? '', serverVersion: here.version, started: false };
    }
    if (env.DOCKER_HOST) {
      throw new EngineUnavailableError(
        `DOCKER_HOST=${env.DOCKER_HOST} does not answer (${here.why}); start that engine or unset DOCKER_HOST`,
      );
    }
  }
  if (!start) throw new EngineUnavailableError('no Docker engine answers');
  if (process.getuid?.() !== 0) {
    throw new EngineUnavailableError(
      `no Docker engine answers${hasClient ? '' : ' (and no docker client is installed)'}, and ` +
        'starting a private one needs root: start Docker and set DOCKER_HOST, or run as root ' +
        '(scripts/images/dockerd.sh installs Debian docker.io with apt-get)',
    );
  }
  const r = spawnSync('bash', [join(HERE, 'dockerd.sh'), 'start'], { encoding: 'utf8' });
  const m = /^export DOCKER_HOST=(\S+)$/m.exec(r.stdout ?? '');
  if (r.status !== 0 || !m) {
    throw new EngineUnavailableError(
      `could not start a private dockerd: ${(r.stderr ?? '').trim() || `exit ${r.status}`}`,
    );
  }
  const dockerHost = m[1];
  const started = answers({ ...env, DOCKER_HOST: dockerHost });
  if (!started.ok)
    throw new EngineUnavailableError(`the private dockerd does not answer: ${started.why}`);
  return { dockerHost, serverVersion: started.version, started: true };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const json = process.argv.includes('--json');
  try {
    const engine = findEngine({ start: !process.argv.includes('--no-start') });
    if (json) console.log(JSON.stringify({ ok: true, ...engine }));
    else console.log(`export DOCKER_HOST=${engine.dockerHost}`);
  } catch (error) {
    if (!(error instanceof EngineUnavailableError)) throw error;
    if (json) console.log(JSON.stringify({ ok: false, reason: error.message }));
    else console.error(`engine: ${error.message}`);
    process.exit(json ? 0 : 1);
  }
}
