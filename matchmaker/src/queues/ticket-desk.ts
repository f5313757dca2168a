/**
 * The front's side of a queued mode: turn a play request into a ticket (KV create, keyed by
 * the request id so a request the front re-sends to another replica finds its ticket), then
 * follow that one key and tell the player where it stands — searching (elapsed seconds and
 * expansion stage), match found, the server starting, and one final answer. Whichever
 * replica forms and places the match, the answer comes back through the ticket record.
 */
import type { KV } from '@nats-io/kv';
import {
  ErrorCode,
  type ErrorMessage,
  type PlacementRequest,
  type PlayReply,
  type ProgressMessage,
  ProgressStage,
  type TicketRecord,
  TicketState,
} from '@playgap/protocol';
import type { MatchmakingConfig, QueueMode } from './matchmaking-config.js';
import { compileMode, stageOf } from './rules.js';
import { checkTicket, TicketError } from './ticket.js';
import { TicketStore } from './ticket-store.js';

export interface TicketDeskOptions {
  app: string;
  tickets: KV;
  config: () => MatchmakingConfig;
  now?: () => number;
  /** Searching progress is sent this often. Default 1 000 ms. */
  searchProgressMs?: number;
  /**
   * A ticket still searching this long past its expiry (no matcher ran) is failed here.
   * Default 5 000 ms.
   */
  expiryGraceMs?: number;
}

/** The mode a request queues for, or undefined when it takes the free-seat path. */
export function queuedModeOf(
  config: MatchmakingConfig,
  request: { mode?: string },
): { name: string; mode: QueueMode } | undefined {
  const name = request.mode ?? config.defaultMode;
  const mode = config.modes[name];
  if (!mode) {
    throw new TicketError(
      ErrorCode.UNKNOWN_MODE,
      `Unknown mode "${name}": this game has ${Object.keys(config.modes).join(', ')}.`,
    );
  }
  return mode.kind === 'queue' ? { name, mode } : undefined;
}

/**
 * @example
 * const desk = new TicketDesk({ app: 'arena', tickets: kv.tickets, config: () => source.current() });
 * const answer = await desk.serve(request, { name: '2v2', mode }, (p) => send(p));
 */
export class TicketDesk {
  readonly #o: TicketDeskOptions;
  readonly #store: TicketStore;
  readonly #now: () => number;

  constructor(options: TicketDeskOptions) {
    this.#o = options;
    this.#store = new TicketStore(options.tickets);
    this.#now = options.now ?? Date.now;
  }

  async serve(
    request: PlacementRequest,
    queued: { name: string; mode: QueueMode },
    onProgress: (message: ProgressMessage) => void,
  ): Promise<PlayReply | ErrorMessage> {
    const now = this.#now();
    const record: TicketRecord = {
      id: request.requestId,
      app: this.#o.app,
      version: request.version,
      mode: queued.name,
      players: [
        {
          playerId: request.requestId,
          ...(request.name ? { name: request.name } : {}),
          ...(request.attributes ? { attributes: request.attributes } : {}),
          ...(request.latencies ? { latencies: request.latencies } : {}),
        },
      ],
      ...(request.party ? { party: request.party } : {}),
      clientIp: request.clientIp,
      ...(request.transports ? { transports: request.transports } : {}),
      state: TicketState.SEARCHING,
      createdAt: now,
      expiresAt: now + queued.mode.ticketTimeoutSeconds * 1000,
      updatedAt: now,
    };
    checkTicket(
      { id: record.id, mode: record.mode, createdAt: now, players: record.players },
      queued.mode,
      queued.name,
    );
    await this.#store.create(record); // undefined: the front re-sent it; follow the one there
    return this.follow(record.id, record.players[0]?.playerId as string, onProgress);
  }

  /**
   * Watch one ticket to its final answer for `playerId` (a party's members each follow their
   * party's ticket this way).
   */
  async follow(
    id: string,
    playerId: string,
    onProgress: (message: ProgressMessage) => void,
  ): Promise<PlayReply | ErrorMessage> {
    const watch = await this.#o.tickets.watch({ key: id });
    let latest: TicketRecord | undefined;
    let revision = 0;
    let placingShown: string | undefined;
    const started = this.#now();
    const searching = (r: TicketRecord) => {
      const mode = this.#o.config().modes[r.mode];
      const waitedMs = this.#now() - r.createdAt;
      const expansion = mode?.kind === 'queue' ? stageOf(compileMode(r.mode, mode), waitedMs) : 0;
      onProgress({
        type: 'progress',
        stage: 'searching',
        elapsedMs: this.#now() - started,
        message: `Looking for players (${Math.floor(waitedMs / 1000)} s)`,
        ticket: { id: r.id, mode: r.mode, expansion, waitedSeconds: Math.floor(waitedMs / 1000) },
      });
    };
    const timer = setInterval(() => {
      if (latest?.state !== TicketState.SEARCHING) return;
      searching(latest);
      if (this.#now() > latest.expiresAt + (this.#o.expiryGraceMs ?? 5_000)) {
        void this.#store
          .fail(id, ErrorCode.TICKET_EXPIRED, 'No match formed in time; queue again.', this.#now())
          .catch(() => {});
      }
    }, this.#o.searchProgressMs ?? 1_000);
    try {
      for await (const entry of watch) {
        if (entry.operation !== 'PUT' || entry.revision < revision) {
          if (entry.operation !== 'PUT') {
            return {
              type: 'error',
              code: ErrorCode.TICKET_CANCELLED,
              message: 'The ticket is gone; queue again.',
            };
          }
          continue;
        }
        revision = entry.revision;
        const record = entry.json<TicketRecord>();
        const previous = latest?.state;
        latest = record;
        if (record.state === TicketState.SEARCHING && previous !== TicketState.SEARCHING) {
          searching(record);
        } else if (record.state === TicketState.MATCHED) {
          const ticket = {
            id: record.id,
            mode: record.mode,
            expansion: 0,
            waitedSeconds: Math.floor((this.#now() - record.createdAt) / 1000),
            ...(record.matchId ? { matchId: record.matchId } : {}),
          };
          if (previous !== TicketState.MATCHED) {
            placingShown = undefined;
            onProgress({
              type: 'progress',
              stage: 'match_found',
              elapsedMs: this.#now() - started,
              message: 'Match found; getting its server ready',
              ticket,
            });
          }
          // The claimer writes how the match's server is coming (a new one is starting).
          const placing = record.placing;
          if (placing && placing.stage !== placingShown && isPlacingStage(placing.stage)) {
            placingShown = placing.stage;
            onProgress({
              type: 'progress',
              stage: placing.stage,
              elapsedMs: this.#now() - started,
              message: placing.message,
              ticket,
            });
          }
        } else if (record.state === TicketState.PLACED) {
          const reply = record.replies?.[playerId] as PlayReply | undefined;
          if (reply) return reply;
          return {
            type: 'error',
            code: ErrorCode.INTERNAL,
            message: 'The match was placed without your seat; queue again.',
          };
        } else if (record.state === TicketState.FAILED) {
          const error = record.error ?? { code: ErrorCode.INTERNAL, message: 'The ticket failed.' };
          return { type: 'error', code: error.code as ErrorCode, message: error.message };
        }
      }
      return {
        type: 'error',
        code: ErrorCode.NATS_UNAVAILABLE,
        message: 'The ticket store went away; queue again.',
      };
    } finally {
      clearInterval(timer);
      watch.stop();
    }
  }
}

/** The stages a claimer may write in `placing` (what the pool reports while a server starts). */
function isPlacingStage(stage: string): stage is 'deploying' | 'waiting_for_server' {
  return stage === ProgressStage.DEPLOYING || stage === ProgressStage.WAITING_FOR_SERVER;
}
