/**
 * Wires one matchmaker process: NATS connection, buckets, fleet cache, placement service and/or
 * the front, the periodic reaper. Every resource is created here and closed in `close()`.
 */
import type { Service } from '@nats-io/services';
import type { NatsConnection } from '@nats-io/transport-node';
import { KV_DEFAULTS } from '@playgap/protocol';
import type { Clock } from '@playgap/protocol/clock';
import { KvWriter, openAppBuckets as openBuckets } from '@playgap/protocol/kv';
import { connectNats } from '@playgap/protocol/nats';
import type { FastifyInstance } from 'fastify';
import { openAppBuckets } from './buckets.js';
import type { MatchmakerConfig } from './config.js';
import { createTokenMinter, type TokenMinter } from './connect-token.js';
import { DashboardState } from './dashboard/dashboard-state.js';
import { DeploymentPool } from './deployment-pool.js';
import type { EdgegapApi } from './edgegap-api.js';
import { connectEdgegap } from './edgegap-connect.js';
import { ConfigError } from './errors.js';
import { FleetCache } from './fleet-cache.js';
import { buildFrontApp } from './front/app.js';
import { MatchmakerMetrics } from './front/metrics.js';
import { natsPartyClient } from './front/party-client.js';
import {
  cancelTicket,
  localPlacementClient,
  natsPlacementClient,
  type RequestPlacement,
} from './front/play-client.js';
import { listenWhileStarting } from './front/starting-front.js';
import { edgegapErrorFields, type Logger, silentLogger } from './log.js';
import { logFleetEvents } from './log-fleet.js';
import { Placer } from './placement.js';
import { type QueueRouting, type ServePlacement, startPlayService } from './play-service.js';
import { BackfillFiller, isBackfillMatch } from './queues/backfill-filler.js';
import { BackfillPlacer } from './queues/backfill-placement.js';
import { MatchPlacer } from './queues/match-placement.js';
import { type MatchmakingSource, openMatchmakingSource } from './queues/matchmaking-file.js';
import { PartyDesk } from './queues/party-desk.js';
import { startPartyService } from './queues/party-service.js';
import { TicketDesk } from './queues/ticket-desk.js';
import { TicketMatcher } from './queues/ticket-matcher.js';
import { RegionDirectory } from './regions/region-directory.js';
import { SeatReserver } from './seat-reservation.js';
import { SessionPlacer } from './session-placement.js';

export interface MatchmakerDeps {
  /**
   * Edgegap client; default an `EdgegapClient` from `@playgap/edgegap` when a key is set,
   * whose key, app and versions are checked at start (an injected one is not checked).
   */
  edgegap?: EdgegapApi;
  /** Token minter; default the protocol's codec bound to the config's key. */
  mint?: TokenMinter;
  /** Existing NATS connection (not closed by `close()`); default connect from config. */
  nc?: NatsConnection;
  now?: () => number;
  /**
   * Time and timers of the deployment pool (starting slot, 429 backoff); default `now` with
   * real timers. Its `now` is used when `now` is not given.
   */
  clock?: Clock;
  /** Where every event goes (see log.ts `createLogger`); default a silent logger. */
  logger?: Logger;
}

export interface RunningMatchmaker {
  readonly config: Readonly<MatchmakerConfig>;
  readonly nc: NatsConnection;
  readonly metrics: MatchmakerMetrics;
  readonly fleet?: FleetCache;
  readonly pool?: DeploymentPool;
  readonly sessions?: SessionPlacer;
  /** The regions browsers ping (Edgegap's beacons), when there is an Edgegap client. */
  readonly regions?: RegionDirectory;
  readonly service?: Service;
  /** The front app (not listening); `url` is set once it listens. */
  readonly front?: FastifyInstance;
  readonly url?: string;
  /** Matchmaking queues of this replica (when it runs the service). */
  readonly matcher?: TicketMatcher;
  /** Read the matchmaking config file again (SIGHUP); false when the new one is refused. */
  reloadMatchmaking(): boolean;
  close(): Promise<void>;
}

/** How startMatchmaker runs: whether the front listens, and a way to give up the start. */
export interface StartOptions {
  /** Listen on `config.listenHost:listenPort` (0 = any free port). */
  listen?: boolean;
  /** Abort the start, e.g. on SIGTERM while it still waits for NATS; it then rejects. */
  signal?: AbortSignal;
}

/**
 * Start the service and/or front of `config`; with `listen: true` the front listens on
 * `config.listenHost:listenPort` (0 = any free port). Until NATS first answers it waits,
 * logging each failed attempt; aborting `signal` then rejects with the signal's reason.
 *
 * @example
 * const mm = await startMatchmaker(loadConfig(argv, env), {}, { listen: true });
 * console.log(mm.url);
 * await mm.close();
 */
export async function startMatchmaker(
  config: Readonly<MatchmakerConfig>,
  deps: MatchmakerDeps = {},
  options: StartOptions = {},
): Promise<RunningMatchmaker> {
  const clock = deps.clock;
  const now = deps.now ?? (clock ? () => clock.now() : Date.now);
  const log = deps.logger ?? silentLogger();
  const ownsNc = !deps.nc;
  const matchmaking = openMatchmaking(config, log);
  // Until the front is up, its address answers 503 (health probes and players get a reason).
  const starting =
    options.listen && config.runFront
      ? await listenWhileStarting(config.listenHost, config.listenPort)
      : undefined;
  // A refused key or a missing app fails the start here, before it waits for NATS.
  let edgegap: EdgegapApi | undefined;
  try {
    edgegap = deps.edgegap ?? (await connectEdgegap(config, log, options.signal));
  } catch (error) {
    await starting?.close();
    matchmaking.close();
    throw error;
  }
  // Started before NATS (or with a wrong URL or password), it waits here and logs each failed
  // attempt: the service and the front both need NATS, so there is nothing to serve before.
  let nc: NatsConnection | undefined;
  try {
    nc =
      deps.nc ??
      (await connectNats(config.nats, {
        name: `playgap-matchmaker-${config.instanceId}`,
        log: (message, fields) => log.warn({ event: 'nats_unreachable', ...fields }, message),
        signal: options.signal,
      }));
    if (!nc) {
      options.signal?.throwIfAborted();
      throw new Error('startMatchmaker stopped before NATS answered'); // unreachable without a signal
    }
  } catch (error) {
    await starting?.close();
    matchmaking.close();
    throw error;
  }
  const closers: Array<() => Promise<unknown> | unknown> = [() => matchmaking.close()];
  let matcher: TicketMatcher | undefined;
  const metrics = new MatchmakerMetrics();
  const natsLink = watchNatsLink(nc);
  let fleet: FleetCache | undefined;
  let pool: DeploymentPool | undefined;
  let sessions: SessionPlacer | undefined;
  let service: Service | undefined;
  let serve: ServePlacement | undefined;
  let dashboard: DashboardState | undefined;
  let queues: QueueRouting | undefined;
  const placementClient = (): RequestPlacement => {
    const overNats = natsPlacementClient(nc, {
      // A queued ticket may wait its mode's timeout before its placement starts.
      timeoutMs: config.placementTimeoutMs + longestTicketWaitMs(matchmaking) + 5_000,
      silenceMs: config.serviceSilenceMs,
    });
    // All-in-one: this process serves its own game, so its front skips the NATS hop.
    return serve
      ? localPlacementClient(config.appName, serve, overNats, (requestId) =>
          cancelTicket(nc, config.appName, requestId),
        )
      : overNats;
  };
  let front: FastifyInstance | undefined;
  let url: string | undefined;
  const onEdgegapError = (error: unknown, call: string) => {
    metrics.edgegapErrors.inc();
    log.warn({ event: 'edgegap_error', call, ...edgegapErrorFields(error) }, 'Edgegap call failed');
  };
  // One cached region list for the front (served, checked) and placement (deploy near it).
  const beacons = edgegap?.listBeacons?.bind(edgegap);
  const regions = beacons
    ? new RegionDirectory({
        source: { listBeacons: beacons },
        ttlMs: config.regionsTtlMs,
        now,
        onError: (error) => onEdgegapError(error, 'beacons'),
      })
    : undefined;
  try {
    if (config.runService) {
      const kv = await openAppBuckets(nc, config.appName, {
        replicas: config.kvReplicas,
        onReplicaMismatch: (bucket, replicas, configured) =>
          log.warn(
            { event: 'kv_replicas_differ', bucket, replicas, configured },
            'an existing KV bucket keeps its replica count; raise it with nats stream edit',
          ),
      });
      fleet = new FleetCache({
        servers: kv.servers,
        seats: kv.seats,
        serverStaleMs: KV_DEFAULTS.serversMaxAgeMs,
        seatStaleMs: KV_DEFAULTS.seatsMaxAgeMs,
        instanceId: config.instanceId,
        now,
      });
      await fleet.start();
      closers.push(() => fleet?.stop());
      rewatchOnReconnect(nc, fleet);
      closers.push(logFleetEvents(fleet, log));
      if (config.dashboard && config.runFront) {
        dashboard = new DashboardState({
          app: config.appName,
          versions: config.versions,
          instanceId: config.instanceId,
          fleet,
          deployments: kv.deployments,
          seatStaleMs: KV_DEFAULTS.seatsMaxAgeMs,
          now,
          queues: () => matcher?.waiting().filter((q) => q.tickets > 0) ?? [],
        });
        await dashboard.start();
        closers.push(() => dashboard?.stop());
      }
      const mint = deps.mint ?? (await createTokenMinter(config));
      const seatWriter = new KvWriter(nc, kv.seats);
      closers.push(() => seatWriter.close());
      const reserver = new SeatReserver({
        seats: kv.seats,
        writer: seatWriter,
        fleet,
        mint,
        instanceId: config.instanceId,
        now,
      });
      pool = new DeploymentPool({
        app: config.appName,
        deployments: kv.deployments,
        fleet,
        edgegap,
        instanceId: config.instanceId,
        capacity: config.seatsPerServer,
        deploymentDeadlineMs: config.deploymentDeadlineMs,
        statusPollMs: config.statusPollMs,
        now,
        ...(clock ? { clock } : {}),
        onDeploymentStarted: () => metrics.deploymentsStarted.inc(),
        onEdgegapError,
        log,
      });
      if (config.mode === 'sessions') {
        if (!edgegap) throw new Error('sessions mode needs an Edgegap client (EDGEGAP_API_KEY)');
        sessions = new SessionPlacer({
          app: config.appName,
          edgegap,
          fleet,
          reserver,
          seats: kv.seats,
          instanceId: config.instanceId,
          statusPollMs: config.statusPollMs,
          now,
          onEdgegapError,
        });
        closers.push(sessions.startJanitor(config.reapIntervalMs));
        await sessions.sweep(); // sessions a crashed instance reserved and nobody claimed
      }
      const placer = new Placer({
        ...(sessions ? { sessions } : {}),
        ...(regions ? { regions } : {}),
        app: config.appName,
        versions: config.versions,
        reserver,
        pool,
        placementTimeoutMs: config.placementTimeoutMs,
        now,
      });
      const { tickets, backfills } = await openBuckets(
        nc,
        config.appName,
        ['tickets', 'backfills'],
        {
          replicas: config.kvReplicas,
        },
      );
      const backfill = new BackfillFiller({
        backfills,
        instanceId: config.instanceId,
        config: () => matchmaking.current(),
        claimStaleMs: config.claimStaleMs,
        now,
        log,
      });
      await backfill.start();
      closers.push(() => backfill.stop());
      const backfillPlacer = new BackfillPlacer({ reserver, filler: backfill });
      const matchPlacer = new MatchPlacer({
        fleet,
        reserver,
        ...(edgegap ? { pool } : {}),
        placementTimeoutMs: config.placementTimeoutMs,
        now,
      });
      matcher = new TicketMatcher({
        app: config.appName,
        tickets,
        nc,
        instanceId: config.instanceId,
        config: matchmaking.current(),
        backfill,
        placeMatch: (match, records, progress) => {
          if (isBackfillMatch(match)) return backfillPlacer.place(match, records);
          const mode = matchmaking.current().modes[match.mode];
          const variables = mode?.kind === 'queue' ? mode.variables : {};
          return matchPlacer.place(match, records, variables, progress);
        },
        now,
        matchIntervalMs: config.matchIntervalMs,
        claimStaleMs: config.claimStaleMs,
        claimHeartbeatMs: config.claimHeartbeatMs,
        log,
      });
      await matcher.start();
      closers.push(() => matcher?.stop());
      matchmaking.onChange((next) => matcher?.setConfig(next));
      const desk = new TicketDesk({
        app: config.appName,
        tickets,
        config: () => matchmaking.current(),
        now,
      });
      queues = { desk, config: () => matchmaking.current() };
      const parties = (
        await openBuckets(nc, config.appName, ['parties'], { replicas: config.kvReplicas })
      ).parties;
      const stopParties = startPartyService({
        nc,
        app: config.appName,
        desk: new PartyDesk({
          app: config.appName,
          parties,
          tickets,
          desk,
          config: () => matchmaking.current(),
          now,
          heartbeatMs: config.progressHeartbeatMs,
          log,
        }),
      });
      closers.push(stopParties);
      const reap = () => pool?.reap().catch(() => {});
      if (edgegap) {
        await reap(); // finish or undo what a crashed instance left behind before serving
        const timer = setInterval(reap, config.reapIntervalMs);
        timer.unref();
        closers.push(() => clearInterval(timer));
      }
      ({ service, serve } = await startPlayService({
        nc,
        app: config.appName,
        instanceId: config.instanceId,
        placer,
        now,
        heartbeatMs: config.progressHeartbeatMs,
        log,
        ...(queues ? { queues } : {}),
      }));
      closers.push(() => service?.stop());
    }
    if (config.runFront) {
      front = await buildFrontApp({
        requestPlacement: placementClient(),
        parties: natsPartyClient(nc, { silenceMs: config.serviceSilenceMs }),
        metrics,
        allowedOrigins: config.allowedOrigins,
        trustedProxies: config.trustedProxies,
        ...(config.staticDir ? { staticDir: config.staticDir } : {}),
        firstMessageTimeoutMs: config.firstMessageTimeoutMs,
        rateLimitPerWindow: config.rateLimitPerWindow,
        rateLimitWindowMs: config.rateLimitWindowMs,
        maxConcurrentPerIp: config.maxConcurrentPerIp,
        ...(regions ? { regions } : {}),
        health: {
          nats: () => natsLink.connected(),
          ...(edgegap
            ? { edgegap: cached(() => edgegapReachable(config.edgegapApiUrl), 10_000) }
            : {}),
        },
        now,
        logger: log.child({ component: 'front' }),
        ...(dashboard
          ? {
              dashboard: {
                state: dashboard,
                ...(config.dashboardToken ? { token: config.dashboardToken } : {}),
              },
            }
          : {}),
      });
      closers.push(() => front?.close());
      if (options.listen) {
        await starting?.close();
        await listenFront(front, config.listenHost, config.listenPort, starting?.port);
        const address = front.server.address();
        const port = typeof address === 'object' && address ? address.port : config.listenPort;
        const host = config.listenHost.includes(':') ? `[${config.listenHost}]` : config.listenHost;
        url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
      }
    }
  } catch (error) {
    await starting?.close();
    for (const close of closers.reverse()) await Promise.resolve(close()).catch(() => {});
    if (ownsNc) await nc.close().catch(() => {});
    throw error;
  }
  let closed = false;
  return {
    config,
    nc,
    metrics,
    ...(fleet ? { fleet } : {}),
    ...(pool ? { pool } : {}),
    ...(sessions ? { sessions } : {}),
    ...(regions ? { regions } : {}),
    ...(service ? { service } : {}),
    ...(front ? { front } : {}),
    ...(url ? { url } : {}),
    ...(matcher ? { matcher } : {}),
    reloadMatchmaking: () => matchmaking.reload(),
    async close() {
      if (closed) return;
      closed = true;
      for (const close of closers.reverse()) await Promise.resolve(close()).catch(() => {});
      if (ownsNc) await nc.drain().catch(() => {});
    },
  };
}

/**
 * Listen where the starting front was. With port 0 configured, any free port will do if
 * another process took that one in between.
 */
async function listenFront(
  front: FastifyInstance,
  host: string,
  configuredPort: number,
  startingPort: number | undefined,
): Promise<void> {
  try {
    await front.listen({ host, port: startingPort ?? configuredPort });
  } catch (error) {
    const taken = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
    if (!taken || configuredPort !== 0 || startingPort === undefined) throw error;
    await front.listen({ host, port: 0 });
  }
}

/** After every reconnect, restart the fleet's KV watches (see FleetCache.rewatch). */
function rewatchOnReconnect(nc: NatsConnection, fleet: FleetCache): void {
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'reconnect') void fleet.rewatch();
    }
  })().catch(() => {});
}

/** Tracks whether the NATS connection is up right now (it reconnects forever). */
function watchNatsLink(nc: NatsConnection): { connected(): boolean } {
  let up = !nc.isClosed();
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'close') up = false;
      else if (status.type === 'reconnect') up = true;
    }
  })().catch(() => {});
  return { connected: () => up && !nc.isClosed() };
}

/** Remember an async check's answer for `ttlMs`, so frequent health probes stay cheap. */
function cached(check: () => Promise<boolean>, ttlMs: number): () => Promise<boolean> {
  let last: { at: number; value: Promise<boolean> } | undefined;
  return () => {
    if (!last || Date.now() - last.at > ttlMs) last = { at: Date.now(), value: check() };
    return last.value;
  };
}

/** Any HTTP answer from the Edgegap API host means it is reachable. */
async function edgegapReachable(apiUrl: string): Promise<boolean> {
  try {
    await fetch(apiUrl, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

/**
 * The matchmaking config of `config`: given directly, or read from its file (a bad file stops
 * the start naming PLAYGAP_MATCHMAKING_CONFIG, the file and the path in it), then followed.
 */
function openMatchmaking(config: Readonly<MatchmakerConfig>, log: Logger): MatchmakingSource {
  if (config.matchmaking) {
    const fixed = config.matchmaking;
    return {
      current: () => fixed,
      onChange: () => {},
      reload: () => true,
      close: () => {},
    };
  }
  const path = config.matchmakingConfig;
  try {
    return openMatchmakingSource({
      ...(path ? { path } : {}),
      onWatchError: (error) =>
        log.warn(
          { event: 'matchmaking_watch_failed', file: path, error: error.message },
          'cannot watch the matchmaking config file; reload it with SIGHUP',
        ),
      onReload: (outcome) => {
        if (outcome.ok)
          log.info({ event: 'matchmaking_reloaded', file: path }, 'matchmaking config reloaded');
        else
          log.error(
            { event: 'matchmaking_reload_refused', file: path, error: outcome.error.message },
            'new matchmaking config refused; the old one stays',
          );
      },
    });
  } catch (error) {
    throw new ConfigError('PLAYGAP_MATCHMAKING_CONFIG', `(${path}): ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** The longest a ticket may wait for a match, over every queued mode. */
function longestTicketWaitMs(source: MatchmakingSource): number {
  const modes = Object.values(source.current().modes);
  return Math.max(0, ...modes.map((m) => (m.kind === 'queue' ? m.ticketTimeoutSeconds * 1000 : 0)));
}
