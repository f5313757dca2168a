/**
 * Starts nats-server exactly as compose.yaml's `nats` service does (docker/nats/start.sh and the
 * same template), with the container paths mapped to a temp dir, TLS certificates made for the
 * test (a CA and a server cert for 127.0.0.1), and random ports on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findNatsServer, storeParent, trackChild } from '@playgap/testkit';
import { generate } from 'selfsigned';

export const dockerDir = join(import.meta.dirname, '..');

export interface ComposeNats {
  url: string;
  monitorUrl: string;
  caPem: string;
  passwords: { matchmaker: string; front: string; gameserver: string };
  /** What nats-server printed so far (the last 256 KB). */
  output(): string;
  stop(): Promise<void>;
}

/** A CA and a server certificate signed by it, both EC P-256 / SHA-256. */
export async function makeTlsFiles(dir: string): Promise<{ caPem: string }> {
  const notAfterDate = new Date(Date.now() + 86_400_000);
  const ca = await generate([{ name: 'commonName', value: 'playgap test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'nats' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 2, value: 'nats' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  await writeFile(join(dir, 'ca.crt'), ca.cert);
  await writeFile(join(dir, 'server.crt'), server.cert);
  await writeFile(join(dir, 'server.key'), server.private, { mode: 0o600 });
  return { caPem: ca.cert };
}

/**
 * Run docker/nats/start.sh (the compose entrypoint) for app `app`, with certificates made here
 * or the `ca.crt`, `server.crt` and `server.key` found in `certDir`.
 *
 * @example
 * const nats = await startComposeNats('arena');
 * // connect({ servers: nats.url, user: 'gameserver', pass: nats.passwords.gameserver, tls: { ca: nats.caPem } })
 * await nats.stop();
 */
export async function startComposeNats(
  app: string,
  options: { certDir?: string } = {},
): Promise<ComposeNats> {
  const dir = await mkdtemp(join(storeParent(), 'playgap-compose-nats-'));
  const certDir = options.certDir ?? dir;
  const caPem = options.certDir
    ? await readFile(join(certDir, 'ca.crt'), 'utf8')
    : (await makeTlsFiles(dir)).caPem;
  const passwords = {
    matchmaker: 'mm-secret-1',
    front: 'front-secret-2',
    gameserver: 'gs-secret-3',
  };
  const child = spawn(
    'sh',
    [join(dockerDir, 'nats', 'start.sh'), '-a', '127.0.0.1', '-p', '-1', '-m', '-1'],
    {
      env: {
        PATH: process.env.PATH ?? '',
        PLAYGAP_APP: app,
        NATS_MATCHMAKER_PASSWORD: passwords.matchmaker,
        NATS_FRONT_PASSWORD: passwords.front,
        NATS_GAMESERVER_PASSWORD: passwords.gameserver,
        // compose.yaml's mounts, mapped: /etc/nats → docker/nats, /data and certs → temp dir.
        NATS_CONF_DIR: join(dockerDir, 'nats'),
        NATS_RUN_DIR: dir,
        NATS_STORE_DIR: join(dir, 'data'),
        NATS_TLS_CERT: join(certDir, 'server.crt'),
        NATS_TLS_KEY: join(certDir, 'server.key'),
        NATS_SERVER_BIN: findNatsServer(),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const untrack = trackChild(child);
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-256 * 1024);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    untrack();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const { port, monitorPort } = await waitForReady(child);
    return {
      url: `tls://127.0.0.1:${port}`,
      monitorUrl: `http://127.0.0.1:${monitorPort}`,
      caPem,
      passwords,
      output: () => output,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function waitForReady(
  child: ReturnType<typeof spawn>,
): Promise<{ port: number; monitorPort: number }> {
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`nats not ready in 15 s:\n${log}`)), 15_000);
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      const port = /Listening for client connections on [^\s]+:(\d+)/.exec(log)?.[1];
      const monitorPort = /Starting http monitor on [^\s]+:(\d+)/.exec(log)?.[1];
      if (port && monitorPort && log.includes('Server is ready')) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        resolve({ port: Number(port), monitorPort: Number(monitorPort) });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`start.sh exited with ${code}:\n${log}`));
    });
  });
}
