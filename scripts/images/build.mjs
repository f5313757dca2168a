#!/usr/bin/env node
// `npm run images`: builds the playgap images — game server (arena), matchmaker, sidecar — on a
// Docker engine found or started by engine.mjs, from the working tree as it is (tracked and
// untracked files git does not ignore). Where no registry is reachable the Node base is built
// locally (local-base.sh, cached); on GitHub the Dockerfiles' default public base is used.
//
//   npm run images                      # all three, tags playgap/<name>:local
//   npm run images -- gameserver        # one (names: gameserver matchmaker sidecar)
//   PLAYGAP_NODE_IMAGE=node:20.19.5-bookworm-slim npm run images   # a base you already have
//
// The three Dockerfiles share their first stages, so after the first image the others reuse
// its `npm ci` and `tsc -b` layers; the legacy builder (DOCKER_BUILDKIT=0) is used because
// Debian's docker.io has no buildx. Prints each step as it goes and a summary with times and sizes.
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineUnavailableError, findEngine } from './engine.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');

/** Image names `npm run images` builds; tests and edgegap-local's docker runtime use them. */
export const IMAGES = {
  gameserver: 'playgap/gameserver:local',
  matchmaker: 'playgap/matchmaker:local',
  sidecar: 'playgap/sidecar:local',
};

const say = (line) => console.log(`images: ${line}`);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

function fail(message) {
  console.error(`images: ${message}`);
  process.exit(1);
}

/** The build context: the working tree's files git would commit, as a tar file. */
function contextTar(dir) {
  const files = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (files.status !== 0) throw new Error(`git ls-files failed: ${files.stderr}`);
  const present = files.stdout
    .split('\0')
    .filter((f) => f !== '' && existsSync(join(ROOT, f)))
    .join('\0');
  const tar = join(dir, 'context.tar');
  // Fixed owner and time, so the same files always give the same layers.
  const r = spawnSync(
    'tar',
    [
      '-c',
      '-f',
      tar,
      '--sort=name',
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '--mtime=@0',
      '--no-recursion',
      '--null',
      '-T',
      '-',
    ],
    { cwd: ROOT, input: present, encoding: 'utf8' },
  );
  // Thrown, not exited: the caller's finally removes the temp dir.
  if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
  return tar;
}

function build(name, tag, tar, buildArgs, env) {
  return new Promise((resolve, reject) => {
    // Host network: a private engine without a bridge gives build steps no other (npm ci).
    const args = ['build', '--network', 'host', '-f', `docker/${name}.Dockerfile`, '-t', tag];
    for (const [k, v] of Object.entries(buildArgs)) args.push('--build-arg', `${k}=${v}`);
    args.push('-');
    const started = Date.now();
    const child = spawn('docker', args, {
      env: { ...env, DOCKER_BUILDKIT: '0' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const tail = [];
    let cached = 0;
    let steps = 0;
    const onLine = (line) => {
      tail.push(line);
      if (tail.length > 40) tail.shift();
      if (/^Step \d+\/\d+ : /.test(line)) {
        steps++;
        say(`${name} ${seconds(Date.now() - started).padStart(7)}  ${line.slice(0, 110)}`);
      } else if (line.includes('Using cache')) cached++;
    };
    let buffer = '';
    const onData = (chunk) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      lines.forEach(onLine);
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) => {
      if (buffer) onLine(buffer);
      if (code === 0) resolve({ ms: Date.now() - started, steps, cached });
      else reject(new Error(`docker build of ${name} failed (exit ${code}):\n${tail.join('\n')}`));
    });
    createReadStream(tar).pipe(child.stdin);
  });
}

function imageSize(tag, env) {
  const r = spawnSync('docker', ['image', 'inspect', '--format', '{{.Size}}', tag], {
    env,
    encoding: 'utf8',
  });
  return r.status === 0 ? `${Math.round(Number(r.stdout.trim()) / 1e6)} MB` : '?';
}

async function main() {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  for (const name of wanted) {
    if (!(name in IMAGES))
      fail(`unknown image "${name}"; choose from ${Object.keys(IMAGES).join(', ')}`);
  }
  const names = wanted.length > 0 ? wanted : Object.keys(IMAGES);
  let engine;
  try {
    engine = findEngine();
  } catch (error) {
    if (error instanceof EngineUnavailableError) fail(error.message);
    throw error;
  }
  const env = { ...process.env, DOCKER_HOST: engine.dockerHost };
  if (!engine.dockerHost) delete env.DOCKER_HOST;
  say(
    `engine ${engine.serverVersion}${engine.started ? ` (private dockerd, ${engine.dockerHost})` : ''}`,
  );
  const total = Date.now();
  let base = process.env.PLAYGAP_NODE_IMAGE;
  if (!base) {
    const t = Date.now();
    const r = spawnSync('bash', [join(HERE, 'local-base.sh')], {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (r.status !== 0) fail('the local Node base image could not be built (see above)');
    base = r.stdout.trim().split('\n').at(-1);
    say(`base ${base} ready in ${seconds(Date.now() - t)}`);
  }
  // The HTTP/3 addon's prebuilt binary comes from GitHub, which a local build cannot reach.
  const http3 = process.env.PLAYGAP_WEBTRANSPORT_HTTP3 ?? '0';
  const dir = mkdtempSync(join(tmpdir(), 'playgap-images-'));
  try {
    const tar = contextTar(dir);
    const results = [];
    for (const name of names) {
      const args = { NODE_IMAGE: base };
      if (name === 'gameserver') args.WEBTRANSPORT_HTTP3 = http3;
      // npm in a build sometimes dies on a flaky registry connection ("Exit handler never
      // called"); the retry reuses every layer that was done.
      const r = await build(name, IMAGES[name], tar, args, env).catch((error) => {
        say(`${name}: ${error.message.split('\n').at(-1)}; retrying once`);
        return build(name, IMAGES[name], tar, args, env);
      });
      results.push({ name, ...r });
      say(`${name}: ${IMAGES[name]} in ${seconds(r.ms)} (${r.cached}/${r.steps} steps cached)`);
    }
    for (const r of results) {
      say(
        `  ${IMAGES[r.name].padEnd(28)} ${imageSize(IMAGES[r.name], env).padStart(7)}  ${seconds(r.ms)}`,
      );
    }
    say(`done in ${seconds(Date.now() - total)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => fail(error.message));
}
