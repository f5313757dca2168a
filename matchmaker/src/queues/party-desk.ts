/**
 * Parties by code, the matchmaker's side. A member's session (`session`) creates or joins the
 * party record, follows its key and streams the roster; once the leader queues, it follows the
 * party's one ticket to this member's own answer (own token, same server, same team). Commands
 * (`command`: queue, leave, cancel) may reach any replica: each is a compare-and-set on the
 * record, and the sessions see the change through their watch. The KV record is the truth, so
 * members may be served by different replicas.
 */
import { randomUUID } from 'node:crypto';
import type { KV } from '@nats-io/kv';
import {
  ErrorCode,
  type ErrorMessage,
  formatPartyCode,
  type PartyCommandReply,
  type PartyCommandRequest,
  type PartyMemberRecord,
  type PartyMessage,
  type PartyRecord,
  type PartySessionRequest,
  PartyState,
  PlaygapError,
  type PlayReply,
  type ProgressMessage,
  type TicketRecord,
  TicketState,
} from '@playgap/protocol';
import { toWireError } from '../errors.js';
import type { Logger } from '../log.js';
import type { MatchmakingConfig, QueueMode } from './matchmaking-config.js';
import { PartyStore } from './party-store.js';
import { checkTicket } from './ticket.js';
import type { TicketDesk } from './ticket-desk.js';
import { queuedModeOf } from './ticket-desk.js';
import { TicketStore } from './ticket-store.js';

export interface PartyDeskOptions {
  app: string;
  parties: KV;
  tickets: KV;
  /** Follows a ticket to one player's answer. */
  desk: TicketDesk;
  config: () => MatchmakingConfig;
  now?: () => number;
  /** The roster is sent again this often while nothing changes (the front's silence check). Default 5 000 ms. */
  heartbeatMs?: number;
  /** While the party is open each session rewrites its member's `seenAt` this often. Default 10 000 ms. */
  memberRefreshMs?: number;
  /** A member not seen for this long is dropped (the leader: the party is disbanded). Default 30 000 ms. */
  memberStaleMs?: number;
  /** A new party code (tests pin it); default random. */
  newCode?: () => string;
  log?: Logger;
}

/**
 * A party request refused with a code the player sees.
 *
 * @example
 * throw new PartyError(ErrorCode.PARTY_FULL, 'Party K7QF-2M is full (2 of 2).');
 */
export class PartyError extends PlaygapError {
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.name = 'PartyError';
  }
}

/** Players a mode puts together: one team, or the whole match without teams. */
function roomOf(mode: QueueMode): number {
  return mode.teams ? Math.min(mode.teams.maxSize, mode.maxPlayers) : mode.maxPlayers;
}

/** What every member sees of the party (no IPs, no attributes). */
function view(record: PartyRecord, you: string): PartyMessage {
  return {
    type: 'party',
    code: formatPartyCode(record.code),
    you,
    leaderId: record.leaderId,
    state: record.state,
    members: record.members.map((m) => ({
      memberId: m.memberId,
      ...(m.name ? { name: m.name } : {}),
    })),
    maxSize: record.maxSize,
    ...(record.mode ? { mode: record.mode } : {}),
    ...(record.ticketError
      ? { ticketError: { ...record.ticketError, code: record.ticketError.code as ErrorCode } }
      : {}),
  };
}

const notFound = (code: string) => () =>
  new PartyError(
    ErrorCode.PARTY_NOT_FOUND,
    `No party has code ${formatPartyCode(code)} (mistyped, expired, or gone to its match); create one instead.`,
  );

/**
 * @example
 * const parties = new PartyDesk({ app: 'arena', parties: kv.parties, tickets, desk, config });
 * const answer = await parties.session(request, (m) => send(m));
 * await parties.command({ code: 'K7QF2M', memberId, action: 'queue', mode: '2v2' });
 */
export class PartyDesk {
  readonly #o: PartyDeskOptions;
  readonly #store: PartyStore;
  readonly #tickets: TicketStore;
  readonly #now: () => number;

  constructor(options: PartyDeskOptions) {
    this.#o = options;
    this.#store = new PartyStore(options.parties, options.newCode);
    this.#tickets = new TicketStore(options.tickets);
    this.#now = options.now ?? Date.now;
  }

  /**
   * One member from joining to their final answer: roster messages and ticket progress go to
   * `send`; the answer is their PlayReply, or the error that ended their part in the party
   * (PARTY_LEFT after their own leave, PARTY_DISBANDED when the leader left...).
   */
  async session(
    request: PartySessionRequest,
    send: (message: PartyMessage | ProgressMessage) => void,
  ): Promise<PlayReply | ErrorMessage> {
    let code: string;
    try {
      code = await this.#enter(request);
    } catch (error) {
      return { type: 'error', ...toWireError(error) };
    }
    const me = request.memberId;
    let last: PartyMessage | ProgressMessage | undefined;
    const say = (message: PartyMessage | ProgressMessage) => {
      last = message;
      send(message);
    };
    let watch: Awaited<ReturnType<KV['watch']>>;
    try {
      watch = await this.#o.parties.watch({ key: code });
    } catch (failure) {
      return { type: 'error', ...toWireError(failure) };
    }
    const heartbeat = setInterval(() => {
      if (last) send(last);
    }, this.#o.heartbeatMs ?? 5_000);
    const refresh = setInterval(() => {
      void this.#seen(code, me).catch(() => {});
    }, this.#o.memberRefreshMs ?? 10_000);
    let shown = '';
    const followed = new Set<string>();
    let revision = 0;
    try {
      for await (const entry of watch) {
        if (entry.operation !== 'PUT') {
          return error(ErrorCode.PARTY_NOT_FOUND, 'The party expired; create a new one.');
        }
        if (entry.revision < revision) continue;
        revision = entry.revision;
        const party = entry.json<PartyRecord>();
        const member = party.members.some((m) => m.memberId === me);
        if (party.state === PartyState.DISBANDED) {
          return party.leaderId === me
            ? error(ErrorCode.PARTY_LEFT, 'You left the party; it is over for everyone.')
            : error(
                ErrorCode.PARTY_DISBANDED,
                'The leader left, so the party is over; create or join another.',
              );
        }
        if (!member) return error(ErrorCode.PARTY_LEFT, 'You left the party.');
        // A refresh of someone's seenAt changes nothing a member sees: no new roster for it.
        const roster = view(party, me);
        const text = JSON.stringify(roster);
        if (text !== shown || last?.type !== 'party') say(roster);
        shown = text;
        if (party.state === PartyState.PLACED && !followed.has(party.ticketId ?? '')) {
          return error(ErrorCode.PARTY_NOT_FOUND, 'This party went to its match already.');
        }
        if (party.state !== PartyState.QUEUED || !party.ticketId || followed.has(party.ticketId)) {
          continue;
        }
        const ticketId = party.ticketId;
        followed.add(ticketId);
        const answer = await this.#o.desk.follow(ticketId, me, say);
        if (answer.type === 'ready') {
          await this.#settle(code, ticketId, PartyState.PLACED).catch(() => {});
          return answer;
        }
        // No match (expired, cancelled, placement failed): the party is open again.
        await this.#reopen(code, ticketId, answer).catch(() => {});
      }
      return error(ErrorCode.NATS_UNAVAILABLE, 'The party store went away; join again.');
    } finally {
      clearInterval(heartbeat);
      clearInterval(refresh);
      watch.stop();
    }
  }

  /** This member is still here (and whoever is not is dropped). */
  #seen(code: string, memberId: string) {
    const now = this.#now();
    return this.#store.change(
      code,
      (found) => {
        if (found.state !== PartyState.OPEN) return undefined;
        const party = this.#prune(found, now);
        if (party.state !== PartyState.OPEN) return party;
        if (!party.members.some((m) => m.memberId === memberId)) return undefined;
        return {
          ...party,
          members: party.members.map((m) => (m.memberId === memberId ? { ...m, seenAt: now } : m)),
          updatedAt: now,
        };
      },
      notFound(code),
    );
  }

  /**
   * An open party without the members nobody has seen for `memberStaleMs` (their front or
   * replica died without a leave); disbanded when that is the leader.
   */
  #prune(party: PartyRecord, now: number): PartyRecord {
    if (party.state !== PartyState.OPEN) return party;
    const staleBefore = now - (this.#o.memberStaleMs ?? 30_000);
    const alive = party.members.filter((m) => (m.seenAt ?? m.joinedAt) >= staleBefore);
    if (alive.length === party.members.length) return party;
    if (!alive.some((m) => m.memberId === party.leaderId)) {
      return { ...party, state: PartyState.DISBANDED, updatedAt: now };
    }
    return { ...party, members: alive, updatedAt: now };
  }

  /** Create or join; the normalized code. */
  async #enter(request: PartySessionRequest): Promise<string> {
    const now = this.#now();
    const member: PartyMemberRecord = {
      memberId: request.memberId,
      ...(request.name ? { name: request.name } : {}),
      ...(request.attributes ? { attributes: request.attributes } : {}),
      ...(request.latencies ? { latencies: request.latencies } : {}),
      ...(request.transports ? { transports: request.transports } : {}),
      clientIp: request.clientIp,
      joinedAt: now,
      seenAt: now,
    };
    if (request.action === 'create') {
      const config = this.#o.config();
      let maxSize: number;
      if (request.mode !== undefined) {
        const queued = queuedModeOf(config, { mode: request.mode });
        if (!queued) throw freeSeat(request.mode);
        maxSize = roomOf(queued.mode);
      } else {
        const rooms = Object.values(config.modes).flatMap((m) =>
          m.kind === 'queue' ? [roomOf(m)] : [],
        );
        if (rooms.length === 0) {
          throw new PartyError(
            ErrorCode.UNKNOWN_MODE,
            'This game has no queued mode, so parties cannot queue; play without a party.',
          );
        }
        maxSize = Math.max(...rooms);
      }
      const stored = await this.#store.create((code) => ({
        code,
        app: this.#o.app,
        version: request.version,
        leaderId: member.memberId,
        members: [member],
        maxSize,
        ...(request.mode ? { mode: request.mode } : {}),
        state: PartyState.OPEN,
        createdAt: now,
        updatedAt: now,
      }));
      this.#o.log?.info(
        { event: 'party_created', party: stored.record.code, maxSize },
        'party created',
      );
      return stored.record.code;
    }
    const code = request.code;
    await this.#store.change(
      code,
      (found) => {
        const party = this.#prune(found, now);
        if (party.state === PartyState.DISBANDED) throw notFound(code)();
        if (party.members.some((m) => m.memberId === member.memberId)) return undefined; // a re-sent join
        if (party.state === PartyState.QUEUED) {
          throw new PartyError(
            ErrorCode.PARTY_IN_QUEUE,
            `Party ${formatPartyCode(code)} is in the queue; join once the leader cancels or the ticket ends.`,
          );
        }
        if (party.state !== PartyState.OPEN) throw notFound(code)();
        if (party.version !== request.version) {
          throw new PartyError(
            ErrorCode.PARTY_NOT_FOUND,
            `Party ${formatPartyCode(code)} plays version ${party.version}, not ${request.version}; update the game.`,
          );
        }
        if (party.members.length >= party.maxSize) {
          throw new PartyError(
            ErrorCode.PARTY_FULL,
            `Party ${formatPartyCode(code)} is full (${party.members.length} of ${party.maxSize}); join another.`,
          );
        }
        return { ...party, members: [...party.members, member], updatedAt: now };
      },
      notFound(code),
    );
    return code;
  }

  /** A member's command; refusals come back as coded errors (the session goes on). */
  async command(request: PartyCommandRequest): Promise<PartyCommandReply> {
    try {
      if (request.action === 'queue') await this.#queue(request);
      else if (request.action === 'leave') await this.#leave(request);
      else await this.#cancel(request);
      return { type: 'ok' };
    } catch (failure) {
      return { type: 'error', ...toWireError(failure) };
    }
  }

  async #queue(request: PartyCommandRequest): Promise<void> {
    const now = this.#now();
    const ticketId = randomUUID().replaceAll('-', '');
    let ticket: TicketRecord | undefined;
    await this.#store.change(
      request.code,
      (found) => {
        const party = this.#prune(found, now);
        leaderOnly(party, request.memberId, 'queue');
        if (party.state === PartyState.QUEUED) {
          throw new PartyError(
            ErrorCode.PARTY_MEMBER_BUSY,
            `The party is still in ticket ${party.ticketId ?? '?'}; wait for its answer or send "cancel" first.`,
          );
        }
        if (party.state !== PartyState.OPEN) throw notFound(request.code)();
        const config = this.#o.config();
        const name = request.mode ?? party.mode ?? config.defaultMode;
        const queued = queuedModeOf(config, { mode: name });
        if (!queued) throw freeSeat(name);
        const leader = party.members.find((m) => m.memberId === party.leaderId);
        const record: TicketRecord = {
          id: ticketId,
          app: this.#o.app,
          version: party.version,
          mode: queued.name,
          players: party.members.map((m) => ({
            playerId: m.memberId,
            ...(m.name ? { name: m.name } : {}),
            ...(m.attributes ? { attributes: m.attributes } : {}),
            ...(m.latencies ? { latencies: m.latencies } : {}),
          })),
          party: party.code,
          clientIp: leader?.clientIp ?? party.members[0]?.clientIp ?? '127.0.0.1',
          ...(leader?.transports ? { transports: leader.transports } : {}),
          state: TicketState.SEARCHING,
          createdAt: now,
          expiresAt: now + queued.mode.ticketTimeoutSeconds * 1000,
          updatedAt: now,
        };
        // PARTY_TOO_BIG when the party outgrew this mode's team; TICKET_INVALID for attributes.
        checkTicket(
          { id: ticketId, mode: queued.name, createdAt: now, players: record.players },
          queued.mode,
          queued.name,
        );
        ticket = record;
        const { ticketError: _e, ...rest } = party;
        return { ...rest, state: PartyState.QUEUED, mode: queued.name, ticketId, updatedAt: now };
      },
      notFound(request.code),
    );
    if (!ticket) return;
    try {
      await this.#tickets.create(ticket);
    } catch (failure) {
      const wire = toWireError(failure);
      // The sessions may already follow this ticket id: give them its end (best effort).
      await this.#o.tickets
        .put(
          ticketId,
          JSON.stringify({ ...ticket, state: TicketState.FAILED, error: wire, updatedAt: now }),
        )
        .catch(() => {});
      await this.#reopen(request.code, ticketId, { type: 'error', ...wire }).catch(() => {});
      throw failure;
    }
    this.#o.log?.info(
      {
        event: 'party_queued',
        party: request.code,
        ticketId,
        mode: ticket.mode,
        players: ticket.players.length,
      },
      'party queued',
    );
  }

  async #leave(request: PartyCommandRequest): Promise<void> {
    const now = this.#now();
    let cancel: string | undefined;
    await this.#store.change(
      request.code,
      (party) => {
        const leaving = party.members.find((m) => m.memberId === request.memberId);
        if (!leaving || party.state === PartyState.DISBANDED) return undefined;
        cancel = party.state === PartyState.QUEUED ? party.ticketId : undefined;
        if (party.leaderId === request.memberId) {
          return { ...party, state: PartyState.DISBANDED, updatedAt: now };
        }
        return {
          ...party,
          members: party.members.filter((m) => m.memberId !== request.memberId),
          updatedAt: now,
        };
      },
      notFound(request.code),
    );
    // A member who leaves a queued party takes the ticket with them (it no longer fits the
    // party); a ticket already in a match plays on and that seat expires unused.
    if (cancel) {
      await this.#tickets.fail(
        cancel,
        ErrorCode.TICKET_CANCELLED,
        'A member left the party before a match formed; queue again.',
        now,
      );
    }
  }

  async #cancel(request: PartyCommandRequest): Promise<void> {
    const stored = await this.#store.get(request.code);
    if (!stored) throw notFound(request.code)();
    leaderOnly(stored.record, request.memberId, 'cancel');
    if (stored.record.state !== PartyState.QUEUED || !stored.record.ticketId) return;
    await this.#tickets.fail(
      stored.record.ticketId,
      ErrorCode.TICKET_CANCELLED,
      'The leader cancelled the queue.',
      this.#now(),
    );
  }

  /** The party's ticket was placed: its code is spent. */
  #settle(code: string, ticketId: string, state: PartyState) {
    return this.#store.change(
      code,
      (party) =>
        party.ticketId === ticketId && party.state === PartyState.QUEUED
          ? { ...party, state, updatedAt: this.#now() }
          : undefined,
      notFound(code),
    );
  }

  /** The party's ticket ended without a match: open again, with the reason for every member. */
  #reopen(code: string, ticketId: string, answer: ErrorMessage) {
    return this.#store.change(
      code,
      (party) => {
        if (party.ticketId !== ticketId || party.state !== PartyState.QUEUED) return undefined;
        const { ticketId: _t, ...rest } = party;
        const now = this.#now();
        return {
          ...rest,
          // Nobody refreshed while queued: everyone counts as seen now.
          members: party.members.map((m) => ({ ...m, seenAt: now })),
          state: PartyState.OPEN,
          ticketError: { code: answer.code, message: answer.message },
          updatedAt: this.#now(),
        };
      },
      notFound(code),
    );
  }
}

function error(code: ErrorCode, message: string): ErrorMessage {
  return { type: 'error', code, message };
}

function leaderOnly(party: PartyRecord, memberId: string, what: string): void {
  if (!party.members.some((m) => m.memberId === memberId)) {
    throw new PartyError(ErrorCode.PARTY_NOT_FOUND, 'You are not in this party; join it first.');
  }
  if (party.leaderId !== memberId) {
    throw new PartyError(
      ErrorCode.PARTY_NOT_LEADER,
      `Only the party's leader may ${what}; ask them.`,
    );
  }
}

function freeSeat(mode: string): PartyError {
  return new PartyError(
    ErrorCode.UNKNOWN_MODE,
    `Mode "${mode}" takes no queue (free seats): parties queue for a queued mode; pick one.`,
  );
}
