/**
 * One placement from request to reply: validate the game and version, try a warm seat, else go
 * through the deployment pool (attach or start, wait, reserve), within one overall deadline.
 */
import { ErrorCode, type PlacementRequest, type PlayReply } from '@playgap/protocol';
import type { DeploymentPool, ProgressFn } from './deployment-pool.js';
import { PlacementError } from './errors.js';
import type { RegionDirectory, RegionPlace } from './regions/region-directory.js';
import type { SeatReserver } from './seat-reservation.js';
import type { SessionPlacer } from './session-placement.js';

export interface PlacerOptions {
  app: string;
  versions: readonly string[];
  reserver: SeatReserver;
  pool: DeploymentPool;
  placementTimeoutMs: number;
  /** Turns a request's `latencies` into where a new deployment goes; absent: the player's IP. */
  regions?: RegionDirectory;
  /** Set in sessions mode: every player goes through an Edgegap seat session. */
  sessions?: SessionPlacer;
  now?: () => number;
}

/**
 * Places players.
 *
 * @example
 * const reply = await placer.place(request, (stage, message) => console.log(stage, message));
 */
export class Placer {
  readonly #o: PlacerOptions;
  readonly #now: () => number;

  constructor(options: PlacerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  async place(request: PlacementRequest, progress: ProgressFn): Promise<PlayReply> {
    if (request.game !== this.#o.app) {
      throw new PlacementError(ErrorCode.UNKNOWN_GAME, `Unknown game "${request.game}".`);
    }
    if (!this.#o.versions.includes(request.version)) {
      throw new PlacementError(
        ErrorCode.UNKNOWN_VERSION,
        `Version "${request.version}" of ${request.game} is not served here.`,
      );
    }
    if (this.#o.sessions) {
      return this.#o.sessions.place(request, progress, this.#now() + this.#o.placementTimeoutMs);
    }
    const seat = {
      version: request.version,
      ...(request.name ? { name: request.name } : {}),
      ...(request.mode ? { mode: request.mode } : {}),
      ...(request.transports ? { transports: request.transports } : {}),
      ...(request.party ? { party: request.party } : {}),
    };
    const warm = await this.#o.reserver.reserve(seat);
    if (warm) return warm;
    const giveUpAt = this.#now() + this.#o.placementTimeoutMs;
    const near = await this.#near(request);
    while (this.#now() < giveUpAt) {
      const { requestId, started } = await this.#o.pool.acquire(
        request.version,
        request.clientIp,
        progress,
        giveUpAt,
        near,
      );
      try {
        await this.#o.pool.awaitServer(requestId, progress, giveUpAt);
      } catch (error) {
        // A player who joined someone else's deployment that failed starts a new one instead.
        if (started || !isRetryable(error)) throw error;
        continue;
      }
      const reply =
        (await this.#o.reserver.reserve({ ...seat, serverId: requestId })) ??
        (await this.#o.reserver.reserve(seat));
      if (reply) return reply;
    }
    throw new PlacementError(ErrorCode.PLACEMENT_TIMEOUT, 'Placement took too long; try again.');
  }

  /** The player's fastest region, if the request measured any the directory knows. */
  async #near(request: PlacementRequest): Promise<RegionPlace | undefined> {
    if (!this.#o.regions || !request.latencies) return undefined;
    return this.#o.regions.place(request.latencies);
  }
}

/** A deployment that failed or never came up: another one may still work. */
function isRetryable(error: unknown): boolean {
  return (
    error instanceof PlacementError &&
    (error.code === ErrorCode.DEPLOYMENT_FAILED || error.code === ErrorCode.SERVER_NEVER_READY)
  );
}
