/**
 * What keeps a game server in step with its sidecar after start: heartbeats, the `/v1/events`
 * stream (drain, shutdown, certificate, left, backfill) followed with reconnects, and signal handling.
 */
import { Backoff, type BackoffOptions } from '@playgap/protocol';
import type { SidecarEventData } from '@playgap/protocol/sidecar-api';
import { DEFAULTS, type GameServerOptions } from './config.js';
import type { GameServer } from './game-server.js';
import type { SidecarEvent } from './sidecar-client.js';
import type { CertificateReloader } from './start-transports.js';

/** Waits between reconnects of the sidecar's event stream: 100 ms doubling to 5 s, jittered. */
const EVENTS_BACKOFF: Readonly<BackoffOptions> = Object.freeze({
  initialDelayMs: 100,
  maxDelayMs: 5_000,
});

/**
 * Heartbeats and the sidecar's event stream, both stopped by close().
 *
 * @example
 * startBackground(server, { heartbeatIntervalMs: 2000 }, console.log, reloadCertificate);
 */
export function startBackground(
  server: GameServer,
  options: GameServerOptions,
  log: (m: string) => void,
  reloadCertificate?: CertificateReloader,
): void {
  const heartbeat = setInterval(() => {
    server.sidecar.heartbeat().catch((err: unknown) => log(`heartbeat failed: ${String(err)}`));
  }, options.heartbeatIntervalMs ?? DEFAULTS.heartbeatIntervalMs);
  heartbeat.unref();
  const abort = new AbortController();
  server.addCleanup(() => {
    clearInterval(heartbeat);
    abort.abort();
  });
  const onEvent = (e: SidecarEvent) => {
    if (e.event === 'drain') server.drain();
    else if (e.event === 'shutdown') void server.close();
    else if (e.event === 'left') {
      const clientId = (e.data as { clientId?: unknown } | undefined)?.clientId;
      if (typeof clientId === 'string') server.graceOver(clientId);
    } else if (e.event === 'backfill') {
      const data = e.data as SidecarEventData['backfill'] | undefined;
      if (typeof data?.backfillId === 'string' && Array.isArray(data.playerIds))
        server.backfillEvent(data);
    } else if (e.event === 'certificate') {
      reloadCertificate?.((e.data ?? {}) as { certFile?: unknown; keyFile?: unknown }).catch(
        (err: unknown) => log(`certificate reload failed: ${String(err)}`),
      );
    }
  };
  void (async () => {
    const backoff = new Backoff(EVENTS_BACKOFF);
    while (!abort.signal.aborted) {
      try {
        await server.sidecar.followEvents(onEvent, abort.signal);
        backoff.reset();
      } catch {
        // sidecar restarting or stream unsupported: retry below
      }
      if (abort.signal.aborted) return;
      await new Promise((r) => setTimeout(r, backoff.next()).unref());
    }
  })();
}

/**
 * Close on SIGTERM/SIGINT, then exit 0 (hard exit after `hardDeadlineMs` whatever happens).
 *
 * @example
 * installSignalHandlers(server, console.log, 5_000);
 */
export function installSignalHandlers(
  server: GameServer,
  log: (m: string) => void,
  hardDeadlineMs: number,
): void {
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: closing`);
    // A transport that hangs while closing must not keep the process past the supervisor's grace.
    setTimeout(() => process.exit(0), hardDeadlineMs).unref();
    void server.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  server.addCleanup(() => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  });
}
