/**
 * Runs a deployment's command as a child that can never outlive edgegap-local. The command
 * runs under a tiny guard (`node -e`) that leads its own process group and holds an IPC
 * channel to edgegap-local: when that channel closes — edgegap-local exited, crashed or was
 * SIGKILLed — the guard SIGTERMs the whole group and SIGKILLs it after the grace period.
 * Stopping signals the whole group: SIGTERM, then SIGKILL after the grace period.
 *
 * The kill and grace timers here stay on real time, not edgegap-local's injected clock: they
 * guard real child processes, which only ever run on real time (a manual clock that is never
 * advanced must not leave a game process unkillable).
 */
import { type ChildProcess, spawn } from 'node:child_process';

// Runs as CommonJS under `node -e`; argv: command, JSON args, use-shell flag, grace ms.
const GUARD_SOURCE = `
const { spawn } = require('node:child_process');
const { constants } = require('node:os');
const [command, argsJson, useShell, graceMs] = process.argv.slice(1);
const group = process.pid;
const killGroup = (signal) => { try { process.kill(-group, signal); } catch {} };
let orphaned = false;
const child = spawn(command, JSON.parse(argsJson), { stdio: ['ignore', 'inherit', 'inherit'], shell: useShell === '1' });
if (process.send) process.send({ pid: child.pid });
process.on('SIGTERM', () => {});
process.on('SIGINT', () => {});
process.on('disconnect', () => {
  orphaned = true;
  killGroup('SIGTERM');
  setTimeout(() => killGroup('SIGKILL'), Number(graceMs));
});
child.on('error', (error) => { console.error('edgegap-local: cannot start ' + command + ': ' + error.message); process.exit(127); });
child.on('exit', (code, signal) => {
  if (orphaned) killGroup('SIGKILL');
  process.exit(code ?? 128 + (constants.signals[signal] ?? 0));
});
`;

/** Time the guard gets to reap a SIGKILLed game before its whole group is killed, ms. */
const GUARD_REAP_MS = 200;

/** How to run a command. */
export interface RunSpec {
  command: string;
  arguments?: string | string[];
  cwd?: string;
  env: Record<string, string>;
  graceMs: number;
}

/** A running (or finished) deployment process. */
export interface RunningProcess {
  /** Pid of the guard, which is also the process group id. */
  readonly groupPid: number;
  /** Pid of the game command itself, once known. */
  pid(): number | undefined;
  /** Resolves with the exit code (128 + signal number when killed) once the process ended. */
  readonly exited: Promise<number>;
  /** SIGTERM the group, SIGKILL it after `graceMs`; resolves when it exited. */
  stop(graceMs: number): Promise<number>;
  /** SIGKILL the group now. */
  kill(): void;
}

/**
 * Start `spec` under the guard. Output goes to `onOutput`, named by the stream it came on (each
 * stream keeps its own order; their interleaving is the OS's).
 *
 * @example
 * const proc = runGuarded({ command: 'node', arguments: ['server.js'], env, graceMs: 5000 }, log);
 */
export function runGuarded(
  spec: RunSpec,
  onOutput: (chunk: string, stream: 'stdout' | 'stderr') => void,
): RunningProcess {
  const useShell = typeof spec.arguments === 'string';
  const command = useShell ? `${spec.command} ${spec.arguments}` : spec.command;
  const args = Array.isArray(spec.arguments) ? spec.arguments : [];
  const guard: ChildProcess = spawn(
    process.execPath,
    ['-e', GUARD_SOURCE, command, JSON.stringify(args), useShell ? '1' : '0', String(spec.graceMs)],
    { cwd: spec.cwd, env: spec.env, detached: true, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
  );
  if (guard.pid === undefined) throw new Error(`cannot spawn ${process.execPath}`);
  const groupPid = guard.pid;
  let gamePid: number | undefined;
  guard.on('message', (m: unknown) => {
    if (typeof m === 'object' && m !== null && typeof (m as { pid?: unknown }).pid === 'number') {
      gamePid = (m as { pid: number }).pid;
    }
  });
  guard.stdout?.setEncoding('utf8').on('data', (chunk: string) => onOutput(chunk, 'stdout'));
  guard.stderr?.setEncoding('utf8').on('data', (chunk: string) => onOutput(chunk, 'stderr'));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-groupPid, signal);
    } catch {
      // Already gone.
    }
  };
  const exited = new Promise<number>((resolve) => {
    guard.once('exit', (code, signal) => {
      // The guard may have been SIGKILLed alone: take its group with it.
      signalGroup('SIGKILL');
      if (guard.connected) guard.disconnect();
      resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGTERM' ? 15 : 0));
    });
  });
  let stopping: Promise<number> | undefined;
  return {
    groupPid,
    pid: () => gamePid,
    exited,
    kill: () => signalGroup('SIGKILL'),
    stop(graceMs) {
      stopping ??= (async () => {
        signalGroup('SIGTERM');
        // Kill the game first so the guard reaps it (no zombie), then whatever is left.
        let straggler: NodeJS.Timeout | undefined;
        const timer = setTimeout(() => {
          if (gamePid !== undefined) {
            try {
              process.kill(gamePid, 'SIGKILL');
            } catch {
              // Already gone.
            }
          }
          straggler = setTimeout(() => signalGroup('SIGKILL'), GUARD_REAP_MS);
        }, graceMs);
        const code = await exited;
        clearTimeout(timer);
        clearTimeout(straggler);
        return code;
      })();
      return stopping;
    },
  };
}
