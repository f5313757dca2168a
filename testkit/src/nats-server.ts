/**
 * A real `nats-server` for tests and for `npm start`: JetStream on, a random free port on
 * 127.0.0.1, a temp store dir, and a stop that leaves nothing behind.
 */
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { spawnTracked } from './cleanup.js';

/** Thrown when no nats-server binary can be found on this machine. */
export class NatsServerNotFoundError extends Error {
  readonly code = 'NATS_SERVER_NOT_FOUND';
  constructor() {
    super(
      'nats-server was not found on PATH, in /usr/sbin or in /usr/local/bin. ' +
        'Install it (Debian: `apt-get install nats-server`) or set NATS_SERVER_BIN to its path.',
    );
    this.name = 'NatsServerNotFoundError';
  }
}

/** Thrown when nats-server exits or stays silent instead of accepting connections. */
export class NatsServerStartError extends Error {
  readonly code = 'NATS_SERVER_START_FAILED';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NatsServerStartError';
  }
}

export interface NatsServerOptions {
  /** Enable JetStream (KV needs it). Default true. */
  jetstream?: boolean;
  /** Fixed port; default a random free one chosen by nats-server itself. */
  port?: number;
  /** Extra command-line arguments, e.g. `['-c', configFile]`. */
  args?: string[];
  /** How long to wait for "Server is ready". Default 15 000 ms. */
  startTimeoutMs?: number;
  /** Existing store dir to reuse (restarts keep JetStream data); default a new temp dir. */
  storeDir?: string;
}

export interface RunningNatsServer {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly storeDir: string;
  /** Stop the process (SIGTERM, SIGKILL after 5 s); with `keepStore`, the store dir survives. */
  stop(options?: { keepStore?: boolean }): Promise<void>;
  /** SIGKILL, as a crash: no clean shutdown, the store dir stays so `restart()` can reuse it. */
  kill(): Promise<void>;
  /** Stop and start again on the same port with the same store (JetStream data kept). */
  restart(): Promise<RunningNatsServer>;
}

/** Find the nats-server binary: `NATS_SERVER_BIN`, then PATH, then the usual sbin dirs. */
export function findNatsServer(): string {
  const fromEnv = process.env.NATS_SERVER_BIN;
  const dirs = [
    ...(process.env.PATH ?? '').split(delimiter),
    '/usr/sbin',
    '/usr/local/bin',
    '/usr/local/sbin',
  ];
  const candidates = fromEnv
    ? [fromEnv]
    : dirs.filter(Boolean).map((dir) => join(dir, 'nats-server'));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  throw new NatsServerNotFoundError();
}

/**
 * Where JetStream stores go: RAM-backed /dev/shm when there is one. JetStream fsyncs when it
 * creates a stream, and on a shared disk under a parallel test run one fsync can stall long
 * enough to time out a KV create; a test store never needs to survive a reboot.
 */
export function storeParent(): string {
  const shm = '/dev/shm';
  try {
    accessSync(shm, constants.W_OK);
    return shm;
  } catch {
    return tmpdir();
  }
}

/**
 * Start a nats-server and resolve once it accepts client connections.
 *
 * @example
 * const nats = await startNatsServer();
 * const nc = await connect({ servers: nats.url });
 * // ...
 * await nats.stop();
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<RunningNatsServer> {
  const bin = findNatsServer();
  const storeDir = options.storeDir ?? (await mkdtemp(join(storeParent(), 'playgap-nats-')));
  const args = ['-a', '127.0.0.1', '-p', String(options.port ?? -1), ...(options.args ?? [])];
  if (options.jetstream !== false) args.push('-js', '-sd', storeDir);
  const child = spawnTracked(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let port: number;
  try {
    port = await waitUntilReady(child, options.startTimeoutMs ?? 15_000);
  } catch (error) {
    child.kill('SIGKILL');
    if (!options.storeDir) await rm(storeDir, { recursive: true, force: true });
    throw error;
  }
  const host = '127.0.0.1';
  const server: RunningNatsServer = {
    url: `nats://${host}:${port}`,
    host,
    port,
    storeDir,
    async stop(stopOptions = {}) {
      await stopChild(child);
      if (!stopOptions.keepStore) await rm(storeDir, { recursive: true, force: true });
    },
    async kill() {
      await stopChild(child, 'SIGKILL');
    },
    async restart() {
      await server.stop({ keepStore: true });
      return startNatsServer({ ...options, port, storeDir });
    },
  };
  return server;
}

function waitUntilReady(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let log = '';
    let port = 0;
    const timer = setTimeout(
      () =>
        fail(
          new NatsServerStartError(
            `nats-server did not become ready within ${timeoutMs} ms:\n${log}`,
          ),
        ),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      const listening = /Listening for client connections on [^\s]+:(\d+)/.exec(log);
      if (listening) port = Number(listening[1]);
      if (port && log.includes('Server is ready')) {
        cleanup();
        resolve(port);
      }
    };
    const onExit = (code: number | null) =>
      fail(
        new NatsServerStartError(
          `nats-server exited with code ${code} before it was ready:\n${log}`,
        ),
      );
    const fail = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      // Keep draining so a chatty server never blocks on a full pipe.
      child.stdout?.resume();
      child.stderr?.resume();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
