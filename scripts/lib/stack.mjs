// The local playgap stack in one call: nats-server (temp store), edgegap-local with the arena
// app registered, and the matchmaker all-in-one serving the built client. Used by `npm start`
// (scripts/start.mjs) and by the browser end-to-end tests (e2e/), so both run the same thing.
// Everything started here is stopped by the returned `close()`.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serverOutput } from './terminal.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Defaults, with units in the names. */
export const STACK_DEFAULTS = Object.freeze({
  app: 'arena',
  version: '1.0.0',
  host: '127.0.0.1',
  port: 8080,
  idleTimeoutMs: 30_000,
  // A dropped player's seat is held this long for a reconnect (the sidecar's default).
  reconnectGraceMs: 20_000,
  capacity: 16,
  portMode: 'same',
  // 'process': game servers are local processes; 'docker': containers of GAMESERVER_IMAGE.
  runtime: 'process',
  tokenExpireSeconds: 30,
  // How long a started deployment may take to come up. Local servers are up in a few seconds;
  // keep this short (the matchmaker also treats a deployment record as joinable until then).
  deploymentDeadlineMs: 30_000,
});

/** The game-server image `npm run images` builds (scripts/images/build.mjs IMAGES.gameserver). */
export const GAMESERVER_IMAGE = { docker_image: 'playgap/gameserver', docker_tag: 'local' };

/** A free TCP port on 127.0.0.1 (the OS picks; released before use). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function waitForTcp(port, timeoutMs, isDead) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (isDead()) return reject(new Error('nats-server exited during start'));
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline)
          reject(new Error(`nothing listens on ${port} after ${timeoutMs} ms`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

function natsServerBinary() {
  return process.env.NATS_SERVER_BIN ?? 'nats-server';
}

/** Start a nats-server with JetStream on a free port and a temp store. */
async function startNats(log) {
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'playgap-stack-nats-'));
  const child = spawn(
    natsServerBinary(),
    ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  child.once('error', (error) => {
    exited = true;
    log(`nats-server failed to start: ${error.message}`);
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  try {
    await waitForTcp(port, 15_000, () => exited);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(storeDir, { recursive: true, force: true });
    throw new Error(`${error.message}\n${stderr}`);
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    async close() {
      if (!exited) {
        const gone = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await gone;
        clearTimeout(timer);
      }
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

/**
 * The arena app as edgegap-local runs it: the sidecar in supervisor mode around the server
 * template, with ports game (TCP, checked), rtc (UDP) and wt (TCP/UDP). With runtime 'docker'
 * the version names the game-server image instead of a command, as a real version does (its
 * ENTRYPOINT and CMD run the same sidecar and server; edgegap-local picks the sidecar's port).
 */
export function arenaApp({
  runtime = 'process',
  app,
  version,
  natsUrl,
  privateKey,
  protocolId,
  capacity,
  idleTimeoutMs,
  reconnectGraceMs = STACK_DEFAULTS.reconnectGraceMs,
}) {
  const node = process.execPath;
  const runs =
    runtime === 'docker'
      ? GAMESERVER_IMAGE
      : {
          command: node,
          arguments: [
            join(ROOT, 'sidecar/dist/main.js'),
            'run',
            '--',
            node,
            join(ROOT, 'server-template/dist/main.js'),
          ],
          working_dir: ROOT,
        };
  return {
    name: app,
    versions: [
      {
        name: version,
        ...runs,
        ports: [
          { name: 'game', port: 4000, protocol: 'TCP', to_check: true },
          { name: 'rtc', port: 4001, protocol: 'UDP' },
          { name: 'wt', port: 4002, protocol: 'TCP/UDP' },
        ],
        envs: [
          { key: 'PLAYGAP_APP', value: app },
          { key: 'PLAYGAP_VERSION', value: version },
          { key: 'PLAYGAP_PROTOCOL_ID', value: protocolId },
          { key: 'PLAYGAP_PRIVATE_KEY', value: privateKey, is_hidden: true },
          { key: 'PLAYGAP_CAPACITY', value: String(capacity) },
          { key: 'PLAYGAP_IDLE_TIMEOUT_MS', value: String(idleTimeoutMs) },
          { key: 'PLAYGAP_RECONNECT_GRACE_MS', value: String(reconnectGraceMs) },
          ...(runtime === 'docker' ? [] : [{ key: 'PLAYGAP_SIDECAR_PORT', value: '0' }]),
          { key: 'NATS_URL', value: natsUrl },
        ],
      },
    ],
  };
}

async function importDist(path) {
  return import(join(ROOT, path));
}

/**
 * Start the stack. Options (all optional): port (0 = free), host, matchmakingConfig (a matchmaking
 * file; default client-template/matchmaking.json, or PLAYGAP_MATCHMAKING_CONFIG from env), idleTimeoutMs, reconnectGraceMs, capacity,
 * portMode ('same' | 'mapped'), runtime ('process' | 'docker'), tokenExpireSeconds, staticDir,
 * locations (edgegap-local's regions with ping endpoints: 'demo' or a list; default none), log(line), env (default
 * process.env), logger (the matchmaker's logger, e.g. terminal.mjs `terminalLogger()`; default
 * silent), serverLogs (default true: with a logger, every line local game servers and their
 * sidecars write goes to it prefixed with the deployment id). With EDGEGAP_API_KEY and
 * NATS_URL/NATS_HOST in env it targets real Edgegap and your NATS instead of starting local
 * ones; the matchmaker then checks the key, app and version first and refuses to start if
 * Edgegap says no.
 *
 * Returns { url, natsUrl, edgegapUrl, app, version, close() }.
 */
export async function startStack(options = {}) {
  const o = { ...STACK_DEFAULTS, ...options };
  const env = options.env ?? process.env;
  const log = options.log ?? ((line) => console.log(`playgap: ${line}`));
  const closers = [];
  const close = async () => {
    for (const closer of closers.reverse()) {
      try {
        await closer();
      } catch (error) {
        log(`while stopping: ${error.message}`);
      }
    }
    closers.length = 0;
  };
  try {
    const remote = Boolean(env.EDGEGAP_API_KEY);
    if (remote && (!env.PLAYGAP_PRIVATE_KEY || !env.PLAYGAP_PROTOCOL_ID)) {
      throw new Error(
        'EDGEGAP_API_KEY is set: also set PLAYGAP_PRIVATE_KEY and PLAYGAP_PROTOCOL_ID to the values your game server version on Edgegap has.',
      );
    }
    const token = await importDist('protocol/dist/token/index.js');
    const privateKey =
      env.PLAYGAP_PRIVATE_KEY ?? token.formatPrivateKey(token.generatePrivateKey());
    const protocolId =
      env.PLAYGAP_PROTOCOL_ID ??
      String(
        BigInt.asUintN(
          64,
          BigInt(`0x${Buffer.from(crypto.getRandomValues(new Uint8Array(8))).toString('hex')}`),
        ),
      );

    let natsUrl = env.NATS_URL ?? env.NATS_HOST;
    if (!remote || !natsUrl) {
      if (remote)
        throw new Error(
          'EDGEGAP_API_KEY is set: set NATS_URL to a NATS your game servers can reach too.',
        );
      const nats = await startNats(log);
      closers.push(() => nats.close());
      natsUrl = nats.url;
      log(`nats-server on ${natsUrl} (JetStream, temp store)`);
    }

    let edgegapUrl = env.EDGEGAP_API_URL;
    let edgegapKey = env.EDGEGAP_API_KEY;
    if (!remote) {
      const { startEdgegapLocal } = await importDist('edgegap/dist/index.js');
      const local = await startEdgegapLocal({
        apps: [
          arenaApp({
            app: o.app,
            version: o.version,
            natsUrl,
            privateKey,
            protocolId,
            capacity: o.capacity,
            idleTimeoutMs: o.idleTimeoutMs,
            reconnectGraceMs: o.reconnectGraceMs,
            runtime: o.runtime,
          }),
        ],
        portMode: o.portMode,
        ...(o.locations ? { locations: o.locations } : {}),
        ...(options.logger && o.serverLogs !== false
          ? { onOutput: serverOutput(options.logger) }
          : {}),
      });
      closers.push(() => local.close());
      edgegapUrl = local.url;
      edgegapKey = local.apiKey;
      log(
        `edgegap-local on ${edgegapUrl} (${o.portMode} ports, ${o.runtime === 'docker' ? 'containers' : 'processes'}), app ${o.app} ${o.version}`,
      );
    }

    const { loadConfig, startMatchmaker } = await importDist('matchmaker/dist/index.js');
    const argv = [
      '--all-in-one',
      '--app-name',
      o.app,
      '--app-version',
      o.version,
      '--protocol-id',
      protocolId,
      '--nats-url',
      natsUrl,
      '--listen',
      `${o.host}:${o.port}`,
      '--static-dir',
      o.staticDir ?? join(ROOT, 'client-template/dist'),
      '--seats-per-server',
      String(o.capacity),
      '--token-expire-seconds',
      String(o.tokenExpireSeconds),
      '--deployment-deadline-ms',
      String(o.deploymentDeadlineMs),
    ];
    // The template's modes (any free seat, free-for-all, 2v2) unless the env names another file.
    if (!env.PLAYGAP_MATCHMAKING_CONFIG) {
      argv.push(
        '--matchmaking-config',
        o.matchmakingConfig ?? join(ROOT, 'client-template/matchmaking.json'),
      );
    }
    // Unset in remote mode without EDGEGAP_API_URL: the matchmaker's default (Edgegap's API).
    if (edgegapUrl) argv.push('--edgegap-api-url', edgegapUrl);
    // The dashboard is open on loopback; elsewhere only with PLAYGAP_DASHBOARD_TOKEN set.
    if (['127.0.0.1', 'localhost', '::1'].includes(o.host)) argv.push('--dashboard');
    // The key and the API key go through the environment, never argv (visible in `ps`).
    const config = loadConfig(argv, {
      ...env,
      PLAYGAP_PRIVATE_KEY: privateKey,
      EDGEGAP_API_KEY: edgegapKey,
    });
    const mm = await startMatchmaker(config, options.logger ? { logger: options.logger } : {}, {
      listen: true,
    });
    closers.push(() => mm.close());
    const url = mm.url.replace('0.0.0.0', '127.0.0.1').replace(/\/?$/, '/');
    const dashboard = config.dashboard
      ? { dashboardUrl: `${url}dashboard`, dashboardToken: Boolean(config.dashboardToken) }
      : {};
    return { url, natsUrl, edgegapUrl, ...dashboard, app: o.app, version: o.version, close };
  } catch (error) {
    await close();
    throw error;
  }
}
