/**
 * Builds the arena client (client-template) with vite into a fresh folder beside
 * client-template/dist, then swaps it in with two renames. A page served from dist/ meanwhile
 * (another test's stack, an `npm start` already running) never sees the half-emptied folder
 * vite leaves while it writes, only the old build or the new one.
 *
 *   import { buildClient } from './lib/client-build.mjs';
 *   const result = buildClient(ROOT, { VITE_PLAYGAP_GAME: 'arena' }); // { status, outDir }
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/** What the page is built from (tests excluded), relative to the repository root. */
const SOURCES = [
  'client-template/src',
  'client-template/public',
  'client-template/index.html',
  'client-template/vite.config.ts',
  'client/src',
  'protocol/src',
  // The page imports the game's movement step from the server template.
  'server-template/src',
];
/** Written into dist/ by a build: the hash of the sources and settings it was built from. */
const STAMP = '.sources-hash';

function hashTree(hash, root, path) {
  const full = join(root, path);
  if (!existsSync(full)) return;
  if (statSync(full).isDirectory()) {
    for (const entry of readdirSync(full).sort()) hashTree(hash, root, join(path, entry));
  } else if (!/\.test\.ts$/.test(path)) {
    hash.update(`${path}\0`).update(readFileSync(full)).update('\0');
  }
}

/**
 * Hash of every source the page is built from plus the build's settings (`env`): the same
 * hash means the same page. Content, not mtimes: a checkout or merge can leave a build newer
 * than sources it never saw.
 *
 * @example
 * clientSourcesHash(ROOT, { VITE_PLAYGAP_GAME: 'arena' });
 */
export function clientSourcesHash(root, env = {}) {
  const hash = createHash('sha256');
  for (const path of SOURCES) hashTree(hash, root, path);
  hash.update(JSON.stringify(Object.entries(env).sort()));
  return hash.digest('hex');
}

/**
 * True when client-template/dist holds a build of exactly these sources and settings.
 *
 * @example
 * if (!isClientBuilt(ROOT)) buildClient(ROOT);
 */
export function isClientBuilt(root, env = {}) {
  const stamp = join(root, 'client-template/dist', STAMP);
  return existsSync(stamp) && readFileSync(stamp, 'utf8') === clientSourcesHash(root, env);
}

/**
 * Run `vite build` for `root`/client-template with `env` added to this process's, and put
 * the result at client-template/dist. Returns vite's exit status (the old dist stays on failure).
 *
 * @example
 * if (buildClient(ROOT).status !== 0) throw new Error('vite build failed');
 */
export function buildClient(root, env = {}, { stdio = 'inherit' } = {}) {
  const app = join(root, 'client-template');
  const dist = join(app, 'dist');
  const fresh = join(app, `.dist-${process.pid}-${Date.now()}`);
  // Hashed before vite reads the sources: a change during the build leaves the stamp stale.
  const sourcesHash = clientSourcesHash(root, env);
  const result = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules/vite/bin/vite.js'),
      'build',
      app,
      '--outDir',
      fresh,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    { stdio, env: { ...process.env, ...env } },
  );
  if (result.status !== 0) {
    rmSync(fresh, { recursive: true, force: true });
    return { status: result.status ?? 1, outDir: dist };
  }
  writeFileSync(join(fresh, STAMP), sourcesHash);
  const old = `${fresh}-old`;
  if (existsSync(dist)) renameSync(dist, old);
  renameSync(fresh, dist);
  rmSync(old, { recursive: true, force: true });
  return { status: 0, outDir: dist };
}
