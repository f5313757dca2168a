/**
 * sessions mode (Bevygap's): every player gets an Edgegap seat session. Create it with the
 * player's IP, poll it with backoff until Edgegap links a ready deployment, wait for that
 * deployment's sidecar record, reserve a seat carrying the session id. The session janitor
 * deletes a session when its seat is deleted (player left) or its reservation expired unused.
 */
import type { KV } from '@nats-io/kv';
import {
  Backoff,
  ErrorCode,
  isLiveReservation,
  type PlacementRequest,
  type PlayReply,
  SeatState,
  ServerState,
} from '@playgap/protocol';
import type { EdgegapApi } from './edgegap-api.js';
import { PlacementError } from './errors.js';
import type { FleetCache } from './fleet-cache.js';
import { edgegapFailure, isEdgegapAuthFailure } from './pool/edgegap-failure.js';
import type { ProgressFn } from './pool/progress.js';
import type { SeatReserver } from './seat-reservation.js';

/** Default longest wait between session polls, in ms. */
const SESSION_MAX_POLL_MS = 5_000;
/** Session polls are jittered a little (a quarter of each wait), so a burst spreads out. */
const SESSION_POLL_JITTER = 0.25;

export interface SessionPlacerOptions {
  app: string;
  edgegap: EdgegapApi;
  fleet: FleetCache;
  reserver: SeatReserver;
  seats: KV;
  instanceId: string;
  /** First poll delay; doubles (jittered) up to `maxPollMs`, default SESSION_MAX_POLL_MS. */
  statusPollMs: number;
  maxPollMs?: number;
  now?: () => number;
  /** Called with every failed Edgegap call and what it was (`session`, `delete_session`). */
  onEdgegapError?: (error: unknown, call: string) => void;
}

/**
 * Places players through Edgegap seat sessions and cleans up after them.
 *
 * @example
 * const sessions = new SessionPlacer({ app, edgegap, fleet, reserver, seats, instanceId, statusPollMs: 500 });
 * const stopJanitor = sessions.startJanitor(30_000);
 */
export class SessionPlacer {
  readonly #o: SessionPlacerOptions;
  readonly #now: () => number;

  constructor(options: SessionPlacerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  async place(
    request: PlacementRequest,
    progress: ProgressFn,
    giveUpAt: number,
  ): Promise<PlayReply> {
    const { edgegap } = this.#o;
    if (!edgegap.createSession || !edgegap.getSession) {
      throw new PlacementError(ErrorCode.INTERNAL, 'This Edgegap client has no sessions API.');
    }
    progress('deploying', 'Asking Edgegap for a seat near you');
    let sessionId: string;
    try {
      ({ sessionId } = await edgegap.createSession({
        appName: this.#o.app,
        versionName: request.version,
        ipList: [request.clientIp],
      }));
    } catch (error) {
      this.#o.onEdgegapError?.(error, 'create_session');
      throw edgegapFailure(error, 'create a session');
    }
    try {
      const started = this.#now();
      const backoff = new Backoff({
        initialDelayMs: this.#o.statusPollMs,
        maxDelayMs: Math.max(this.#o.statusPollMs, this.#o.maxPollMs ?? SESSION_MAX_POLL_MS),
        jitter: SESSION_POLL_JITTER,
      });
      let requestId: string | undefined;
      while (!requestId) {
        if (this.#now() >= giveUpAt) {
          throw new PlacementError(
            ErrorCode.SERVER_NEVER_READY,
            'Edgegap did not find a server in time; try again.',
          );
        }
        let session: Awaited<ReturnType<NonNullable<EdgegapApi['getSession']>>> | undefined;
        try {
          session = await edgegap.getSession(sessionId);
        } catch (error) {
          this.#o.onEdgegapError?.(error, 'session');
          // A refused key stays refused; anything else is transient until the deadline.
          if (isEdgegapAuthFailure(error)) throw edgegapFailure(error, 'report the session');
        }
        if (session?.error) {
          throw new PlacementError(
            ErrorCode.DEPLOYMENT_FAILED,
            'Edgegap could not place the session; try again.',
          );
        }
        if (session?.ready && session.deployment?.requestId) {
          requestId = session.deployment.requestId;
          break;
        }
        const elapsedS = Math.round((this.#now() - started) / 1000);
        progress('deploying', `Starting a server near you (${elapsedS} s)`);
        await sleep(backoff.next());
      }
      progress('waiting_for_server', 'Waiting for the server to get ready');
      while (this.#o.fleet.server(requestId)?.state !== ServerState.READY) {
        if (this.#now() >= giveUpAt) {
          throw new PlacementError(
            ErrorCode.SERVER_NEVER_READY,
            'The server did not register in time; try again.',
          );
        }
        await this.#o.fleet.nextChange(this.#o.statusPollMs);
      }
      const seat = {
        version: request.version,
        serverId: requestId,
        sessionId,
        ...(request.name ? { name: request.name } : {}),
        ...(request.mode ? { mode: request.mode } : {}),
        ...(request.transports ? { transports: request.transports } : {}),
        ...(request.party ? { party: request.party } : {}),
      };
      const reply = await this.#o.reserver.reserve(seat);
      if (!reply) {
        throw new PlacementError(ErrorCode.NO_CAPACITY, 'The session’s server is full; try again.');
      }
      return reply;
    } catch (error) {
      await this.#deleteSession(sessionId);
      throw error;
    }
  }

  async #deleteSession(sessionId: string): Promise<boolean> {
    try {
      await this.#o.edgegap.deleteSession?.(sessionId);
      return true;
    } catch (error) {
      if ([404, 410].includes((error as { status?: number }).status ?? 0)) return true;
      this.#o.onEdgegapError?.(error, 'delete_session');
      return false;
    }
  }

  /**
   * Delete sessions whose seat went away (player left; the reserving instance does it) and
   * sessions whose reservation expired unused (any instance; the seat's CAS delete picks one).
   * Returns the stop function.
   */
  startJanitor(intervalMs: number): () => void {
    const off = this.#o.fleet.onSeatRemoved((seat) => {
      if (seat.sessionId && seat.reservedBy === this.#o.instanceId) {
        void this.#deleteSession(seat.sessionId);
      }
    });
    const timer = setInterval(() => void this.sweep(), intervalMs);
    timer.unref();
    return () => {
      off();
      clearInterval(timer);
    };
  }

  /** One pass over expired, never-claimed session reservations. Returns deleted session ids. */
  async sweep(): Promise<string[]> {
    const deleted: string[] = [];
    const now = this.#now();
    for (const { key, record, revision } of this.#o.fleet.seats()) {
      if (!record.sessionId || record.state !== SeatState.RESERVED) continue;
      if (isLiveReservation(record, now)) continue;
      try {
        await this.#o.seats.delete(key, { previousSeq: revision });
      } catch {
        continue; // taken over or cleaned by someone else
      }
      if (await this.#deleteSession(record.sessionId)) deleted.push(record.sessionId);
    }
    return deleted;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
