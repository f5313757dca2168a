/**
 * Vitest global setup of the e2e project: a fresh e2e/artifacts/ once per run, before any file
 * starts (the files run two at a time, so none may wipe what another already wrote), and the
 * client built once: two files that each found it stale would build it at the same time, and a
 * page of one could load while the other rewrites dist/.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ensureClientBuilt } from './harness.js';

export default function setup(): void {
  const artifacts = fileURLToPath(new URL('../artifacts/', import.meta.url));
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  ensureClientBuilt();
}
