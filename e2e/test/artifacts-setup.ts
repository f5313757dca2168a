/**
 * Vitest global setup of the e2e project, once per run before any file starts (the files run
 * two at a time): a fresh e2e/artifacts/, so none may wipe what another already wrote, and an
 * up-to-date client build, so none rebuilds it under another's pages.
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
