/**
 * `playgap-sidecar` entry: config (env + flags), deployment facts (Edgegap env + context API,
 * or --local), certificate, the local API on 127.0.0.1, NATS in the background (the API serves
 * while NATS is down), supervisor mode, signals, and a clean exit that removes the records.
 *
 *   playgap-sidecar [--local ...flags] run -- <game server command...>
 *   playgap-sidecar [--local ...flags] serve
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NatsConnection } from '@nats-io/transport-node';
import type { EdgegapClient } from '@playgap/edgegap';
import { Backoff, type BackoffOptions } from '@playgap/protocol';
import { connectNats } from '@playgap/protocol/nats';
import { buildApp } from './app.js';
import {
  loadConfig,
  SIDECAR_CONNECTION_NAME,
  SIDECAR_USAGE,
  type SidecarConfig,
  wantsHelp,
} from './config.js';
import { type Deployment, deploymentFromEnv, localDeployment, withContext } from './deployment.js';
import { ConfigError } from './errors.js';
import { log } from './log.js';
import { Sidecar } from './sidecar.js';
import { supervise } from './supervisor.js';
import { createTokenVerifier } from './token-check.js';

/** Tries of Edgegap's context API at start (it gives the fqdn and app name)... */
const CONTEXT_ATTEMPTS = 5;
/** ...with waits of 500 ms doubling to 4 s between them, jittered. */
const CONTEXT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({
  initialDelayMs: 500,
  maxDelayMs: 4_000,
});
/** Waits between tries to open the KV buckets and publish the record: 500 ms doubling to 5 s. */
const ATTACH_BACKOFF: Readonly<BackoffOptions> = Object.freeze({
  initialDelayMs: 500,
  maxDelayMs: 5_000,
});

/** A NATS setup step still waiting after this long is logged (once per step). */
const ATTACH_SLOW_MS = 5_000;

async function resolveDeployment(
  config: SidecarConfig,
  edgegap: EdgegapClient | undefined,
): Promise<Deployment> {
  if (config.local) return localDeployment(config.local);
  let deployment = deploymentFromEnv(process.env);
  const context = deployment.context;
  if (context && edgegap) {
    const backoff = new Backoff(CONTEXT_BACKOFF);
    for (let attempt = 1; attempt <= CONTEXT_ATTEMPTS; attempt++) {
      try {
        const ctx = await edgegap.getContext(context, { timeoutMs: 5_000 });
        const raw = (ctx.raw ?? {}) as Record<string, unknown>;
        deployment = withContext(deployment, { fqdn: ctx.fqdn, app_name: raw.app_name });
        break;
      } catch (error) {
        log('Edgegap context API call failed', { attempt, error: (error as Error).message });
        if (attempt < CONTEXT_ATTEMPTS) await sleep(backoff.next());
      }
    }
  }
  return deployment;
}

/** Run the sidecar; resolves with the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const started = performance.now();
  const config = loadConfig(process.env, argv);
  if (config.local && config.natsDefaulted)
    log('NATS_URL and NATS_HOST are unset: --local uses the default', {
      nats: config.nats.servers[0],
    });
  const verifier = createTokenVerifier(config);
  // The Edgegap client is only needed inside a deployment (context, self-stop): load it lazily.
  const edgegap = config.local
    ? undefined
    : new (await import('@playgap/edgegap')).EdgegapClient({});
  const deployment = await resolveDeployment(config, edgegap);
  const app = config.app ?? deployment.appName;
  if (!app)
    throw new ConfigError('PLAYGAP_APP', 'is required (the Edgegap context has no app_name)');
  const ownCertDir = config.certDir
    ? undefined
    : await mkdtemp(join(tmpdir(), 'playgap-sidecar-cert-'));
  const certDir = config.certDir ?? (ownCertDir as string);

  const selfStopTarget = deployment.selfStop;
  const sidecar = new Sidecar({
    app,
    version: config.version,
    deployment,
    verifier,
    capacity: config.capacity,
    certDir,
    certValidityMs: config.certValidityDays * 86_400_000,
    certRenewBeforeMs: config.certRenewBeforeMs,
    idleTimeoutMs: config.idleTimeoutMs,
    readyTimeoutMs: config.readyTimeoutMs,
    heartbeatTimeoutMs: config.heartbeatTimeoutMs,
    reconnectGraceMs: config.reconnectGraceMs,
    serverHeartbeatMs: config.serverHeartbeatMs,
    seatHeartbeatMs: config.seatHeartbeatMs,
    kvReplicas: config.kvReplicas,
    ...(selfStopTarget && edgegap ? { selfStop: () => edgegap.selfStop(selfStopTarget) } : {}),
    log,
  });
  await sidecar.init();

  const http = buildApp(sidecar, { bodyLimitBytes: config.bodyLimitBytes });
  await http.listen({ host: '127.0.0.1', port: config.sidecarPort });
  const address = http.server.address();
  const port = typeof address === 'object' && address ? address.port : config.sidecarPort;
  const sidecarUrl = `http://127.0.0.1:${port}`;
  log('listening', {
    url: sidecarUrl,
    serverId: deployment.serverId,
    app,
    local: deployment.local,
    certDigest: sidecar.info().certDigest,
  });
  process.stdout.write(`playgap-sidecar listening on ${sidecarUrl}\n`);

  let nc: NatsConnection | undefined;
  const stopping = new AbortController();
  void connectNats(config.nats, { name: SIDECAR_CONNECTION_NAME, log, signal: stopping.signal })
    .then(async (connection) => {
      if (!connection) return;
      if (stopping.signal.aborted) {
        await connection.close();
        return;
      }
      nc = connection;
      const natsUpAt = performance.now();
      log('NATS connected', {
        server: connection.getServer(),
        sinceStartMs: Math.round(natsUpAt - started),
      });
      // A setup that waits long says on which step, once per step (JetStream slow to answer).
      let step = '';
      let slowTimer: NodeJS.Timeout | undefined;
      const onStep = (next: string) => {
        step = next;
        clearTimeout(slowTimer);
        slowTimer = setTimeout(() => {
          log('NATS setup slow; still waiting', {
            step,
            waitedMs: Math.round(performance.now() - natsUpAt),
          });
        }, ATTACH_SLOW_MS);
        slowTimer.unref();
      };
      // Retried: a JetStream hiccup at boot must not leave the server unregistered.
      const backoff = new Backoff(ATTACH_BACKOFF);
      try {
        for (let attempt = 1; ; attempt++) {
          try {
            await sidecar.attachNats(connection, onStep);
            break;
          } catch (error) {
            if (stopping.signal.aborted) return;
            log('NATS buckets not ready; retrying', {
              attempt,
              step,
              error: (error as Error).message,
            });
            await sleep(backoff.next());
          }
        }
      } finally {
        clearTimeout(slowTimer);
      }
      log('server record published', {
        server: connection.getServer(),
        recordMs: Math.round((performance.now() - natsUpAt) * 10) / 10,
        sinceStartMs: Math.round(performance.now() - started),
      });
    })
    .catch((error) => log('NATS setup failed', { error: (error as Error).message }));

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      log('signal received', { signal });
      sidecar.shutdown('signal');
    });
  }

  let code: number;
  if (config.command.length > 0) {
    code = await supervise(sidecar, { command: config.command, sidecarUrl, log });
  } else {
    await new Promise<void>((resolve) => sidecar.once('shutdown', () => resolve()));
    await sidecar.close();
    const failed = sidecar.stopReason === 'ready-timeout' || sidecar.stopReason === 'unhealthy';
    code = failed ? 1 : 0;
  }
  stopping.abort();
  await http.close();
  await nc?.close().catch(() => {});
  if (ownCertDir) await rm(ownCertDir, { recursive: true, force: true });
  log('exit', { code, reason: sidecar.stopReason });
  return code;
}

const argv = process.argv.slice(2);
if (wantsHelp(argv)) {
  process.stdout.write(`${SIDECAR_USAGE}\n`);
} else {
  main(argv).then(
    (code) => process.exit(code),
    (error) => {
      if (error instanceof ConfigError) {
        process.stderr.write(
          `playgap-sidecar: ${error.message}\nRun \`playgap-sidecar --help\` for its flags and variables.\n`,
        );
        process.exit(2);
      }
      log('fatal', { error: (error as Error).message });
      process.exit(1);
    },
  );
}
