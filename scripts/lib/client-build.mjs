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
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

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
  const old = `${fresh}-old`;
  if (existsSync(dist)) renameSync(dist, old);
  renameSync(fresh, dist);
  rmSync(old, { recursive: true, force: true });
  return { status: 0, outDir: dist };
}
