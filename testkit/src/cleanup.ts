/**
 * Last-resort cleanup: every child a helper starts is killed when this process exits,
 * also on SIGINT/SIGTERM, so an aborted test run leaves no orphans.
 */
import type { ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();
let installed = false;

function killAll(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal);
    });
  }
}

/** Kill `child` when this process exits; returns a function that stops tracking it. */
export function trackChild(child: ChildProcess): () => void {
  install();
  children.add(child);
  child.once('exit', () => children.delete(child));
  return () => children.delete(child);
}
