/**
 * Last-resort cleanup: every child a helper starts is killed when this process exits,
 * also on SIGINT/SIGTERM, so an aborted test run leaves no orphans. A process that is
 * SIGKILLed (a vitest worker killed on timeout) runs no exit handler: `spawnTracked` also asks
 * the kernel to SIGKILL the child when its parent dies (`setpriv --pdeathsig`, Linux).
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

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

const SETPRIV = '/usr/bin/setpriv';
let setprivWorks: boolean | undefined;

/** True when children can be tied to this process's life (`setpriv --pdeathsig`). */
export function canTieChildren(): boolean {
  setprivWorks ??= process.platform === 'linux' && existsSync(SETPRIV);
  return setprivWorks;
}

/**
 * `spawn`, with the child killed when this process exits (trackChild) and, where the kernel
 * can, when it dies any other way: the command runs under `setpriv --pdeathsig KILL`, which
 * execs it (same pid, same stdio). Elsewhere it is a plain spawn.
 *
 * @example
 * const child = spawnTracked('nats-server', ['-p', '-1'], { stdio: ['ignore', 'pipe', 'pipe'] });
 */
export function spawnTracked(
  command: string,
  args: readonly string[],
  options: SpawnOptions = {},
): ChildProcess {
  const child = canTieChildren()
    ? spawn(SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args], options)
    : spawn(command, args, options);
  trackChild(child);
  return child;
}
