/**
 * What the container tests need: a Docker engine (found, or started as root, by
 * scripts/images/engine.mjs) and the images `npm run images` builds. When either is missing the
 * suites are skipped and the reason is printed; with PLAYGAP_CONTAINER_TESTS=require (what
 * `npm run test:containers` and .ci/run set once the images are built) a missing part fails.
 */
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const ROOT = join(import.meta.dirname, '..', '..');

/** Tags `npm run images` gives (scripts/images/build.mjs IMAGES). */
export const IMAGES = {
  gameserver: 'playgap/gameserver:local',
  matchmaker: 'playgap/matchmaker:local',
  sidecar: 'playgap/sidecar:local',
} as const;

export type ContainerSupport = { ok: true; dockerHost: string } | { ok: false; reason: string };

/** Find the engine and `images`; sets DOCKER_HOST for this process (and edgegap-local in it). */
export function containerSupport(images: readonly string[]): ContainerSupport {
  const out = execFileSync(process.execPath, [join(ROOT, 'scripts/images/engine.mjs'), '--json'], {
    encoding: 'utf8',
  });
  const engine = JSON.parse(out) as { ok: boolean; dockerHost?: string; reason?: string };
  let support: ContainerSupport;
  if (!engine.ok) support = { ok: false, reason: engine.reason ?? 'no engine' };
  else {
    if (engine.dockerHost) process.env.DOCKER_HOST = engine.dockerHost;
    const missing = images.filter((image) => {
      try {
        execFileSync('docker', ['image', 'inspect', image], { stdio: 'ignore' });
        return false;
      } catch {
        return true;
      }
    });
    support =
      missing.length === 0
        ? { ok: true, dockerHost: engine.dockerHost ?? '' }
        : { ok: false, reason: `image ${missing.join(', ')} not built: run \`npm run images\`` };
  }
  if (!support.ok) {
    if (process.env.PLAYGAP_CONTAINER_TESTS === 'require') {
      throw new Error(`container tests required, but ${support.reason}`);
    }
    process.stderr.write(`container tests skipped: ${support.reason}\n`);
  }
  return support;
}

const run = promisify(execFile);

/** Run the docker client; resolves with its stdout (trimmed). */
export async function docker(...args: string[]): Promise<string> {
  // The legacy builder: Debian's docker.io has no buildx.
  const env = { ...process.env, DOCKER_BUILDKIT: '0' };
  const { stdout } = await run('docker', args, { env, maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

/** Poll `probe` every 100 ms until it returns a value, or fail naming `what`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Wait until edgegap-local removed the container of deployment `requestId` (after it stopped). */
export function containerRemoved(requestId: string): Promise<true> {
  return until(`container edgegap-local-${requestId} removed`, async () =>
    (await docker('ps', '-a', '--filter', `name=edgegap-local-${requestId}`, '-q')) === ''
      ? true
      : undefined,
  );
}
