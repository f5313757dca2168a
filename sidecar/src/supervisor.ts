/**
 * Supervisor mode (`playgap-sidecar run -- <command...>`): start the game server with the
 * sidecar's URL, certificate and port variables; stop it (SIGTERM, then SIGKILL after a grace
 * period) when the sidecar shuts down; when it exits, remove the records and resolve with its
 * exit code (128 + signal number when killed by someone else's signal, 0 when it died of the
 * SIGTERM/SIGKILL we sent; 1 instead of 0 when the sidecar stopped it for never calling ready
 * or for missing heartbeats).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Sidecar } from './sidecar.js';

export interface SuperviseOptions {
  command: string[];
  /** `http://127.0.0.1:<port>` of the local API. */
  sidecarUrl: string;
  /** Base env (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** SIGTERM → SIGKILL grace, default 10 000 ms. */
  killGraceMs?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/**
 * The env a game server gets: PLAYGAP_SIDECAR_URL, PLAYGAP_CERT_FILE/KEY_FILE/CERT_DIGEST and
 * PLAYGAP_PORT_<NAME> (internal port, name upper-cased, `-` → `_`).
 *
 * @example
 * const env = childEnv(sidecar, 'http://127.0.0.1:7999', process.env);
 */
export function childEnv(
  sidecar: Sidecar,
  sidecarUrl: string,
  base: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  const info = sidecar.info();
  const env: NodeJS.ProcessEnv = {
    ...base,
    PLAYGAP_SIDECAR_URL: sidecarUrl,
    PLAYGAP_SERVER_ID: info.serverId,
    PLAYGAP_CERT_FILE: info.certFile,
    PLAYGAP_KEY_FILE: info.keyFile,
    PLAYGAP_CERT_DIGEST: info.certDigest,
  };
  // The game server never needs the token key: the sidecar verifies tokens.
  delete env.PLAYGAP_PRIVATE_KEY;
  for (const port of Object.values(info.ports)) {
    env[`PLAYGAP_PORT_${port.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`] = String(
      port.internal,
    );
  }
  return env;
}

/**
 * Run the game server beside `sidecar`; resolves with the exit code to exit with.
 *
 * @example
 * const code = await supervise(sidecar, { command: ['node', 'server.js'], sidecarUrl });
 * process.exit(code);
 */
export function supervise(sidecar: Sidecar, options: SuperviseOptions): Promise<number> {
  const log = options.log ?? (() => {});
  const [file, ...args] = options.command;
  if (!file) return Promise.resolve(2);
  let child: ChildProcess;
  try {
    child = spawn(file, args, {
      env: childEnv(sidecar, options.sidecarUrl, options.env ?? process.env),
      stdio: 'inherit',
    });
  } catch (error) {
    log('could not start the game server', { error: String(error) });
    return Promise.resolve(127);
  }
  let killTimer: NodeJS.Timeout | undefined;
  let signalSent = false;
  const stopChild = () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    signalSent = true;
    child.kill('SIGTERM');
    killTimer = setTimeout(() => child.kill('SIGKILL'), options.killGraceMs ?? 10_000);
    killTimer.unref();
  };
  sidecar.on('shutdown', stopChild);
  // The sidecar may have decided to stop before the child was even started.
  if (sidecar.stopReason) stopChild();
  return new Promise((resolve) => {
    let settled = false;
    const finish = async (code: number) => {
      if (settled) return;
      settled = true;
      if (killTimer) clearTimeout(killTimer);
      sidecar.off('shutdown', stopChild);
      sidecar.shutdown('child-exited');
      await sidecar.close();
      resolve(code);
    };
    child.once('error', (error) => {
      log('game server failed to start', { error: String(error) });
      void finish(127);
    });
    child.once('exit', (code, signal) => {
      // Killed by the signal we sent to stop it: a clean stop, not a crash.
      const stoppedByUs = signalSent && (signal === 'SIGTERM' || signal === 'SIGKILL');
      let exitCode =
        code ?? (stoppedByUs ? 0 : 128 + (signal ? (constants.signals[signal] ?? 1) : 1));
      // A game server we stopped for failing (never ready, no heartbeats) is a failure too.
      const failed = sidecar.stopReason === 'ready-timeout' || sidecar.stopReason === 'unhealthy';
      if (failed && exitCode === 0) exitCode = 1;
      log('game server exited', { code, signal, reason: sidecar.stopReason });
      void finish(exitCode);
    });
  });
}
