/**
 * Parties on NATS, in the matchmakers' queue group: `playgap.<app>.party` serves one member's
 * session (roster, progress and the final answer stream to the request's progress subject, the
 * answer is also the reply), `playgap.<app>.party.command` a queue / leave / cancel.
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import {
  ErrorCode,
  MATCHMAKER_QUEUE,
  normalizePartyCode,
  type PartyCommandRequest,
  type PartySessionRequest,
  parsePartyOpening,
  subjects,
} from '@playgap/protocol';
import { PlacementError, toWireError } from '../errors.js';
import type { PartyDesk } from './party-desk.js';

const encoder = new TextEncoder();
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const IP = /^[0-9A-Fa-f:.]{2,45}$/;
const SUBJECT_TOKEN = /^[A-Za-z0-9_.$-]{1,200}$/;

/**
 * Validate a session request from a front.
 *
 * @example
 * parsePartySession({ action: 'create', game: 'arena', version: '1.0.0', clientIp, memberId });
 */
export function parsePartySession(data: unknown): PartySessionRequest {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new PlacementError(ErrorCode.BAD_REQUEST, 'The party request must be an object.');
  }
  const { action, clientIp, memberId, progressSubject, ...opening } = data as Record<
    string,
    unknown
  >;
  if (action !== 'create' && action !== 'join') {
    throw new PlacementError(ErrorCode.BAD_REQUEST, '"action" must be "create" or "join".');
  }
  if (typeof clientIp !== 'string' || !IP.test(clientIp)) {
    throw new PlacementError(ErrorCode.BAD_REQUEST, '"clientIp" must be an IP address.');
  }
  if (typeof memberId !== 'string' || !ID.test(memberId)) {
    throw new PlacementError(ErrorCode.BAD_REQUEST, '"memberId" must be a short id.');
  }
  if (
    progressSubject !== undefined &&
    (typeof progressSubject !== 'string' || !SUBJECT_TOKEN.test(progressSubject))
  ) {
    throw new PlacementError(ErrorCode.BAD_REQUEST, '"progressSubject" must be a subject.');
  }
  const { type: _type, ...parsed } = parsePartyOpening({
    ...opening,
    type: action === 'create' ? 'party_create' : 'party_join',
  });
  return {
    ...(parsed as Omit<PartySessionRequest, 'action' | 'clientIp' | 'memberId'>),
    action,
    clientIp,
    memberId,
    ...(progressSubject ? { progressSubject } : {}),
  } as PartySessionRequest;
}

function parseCommand(data: unknown): PartyCommandRequest {
  const { code, memberId, action, mode } = (data ?? {}) as Record<string, unknown>;
  if (action !== 'queue' && action !== 'leave' && action !== 'cancel') {
    throw new PlacementError(ErrorCode.BAD_REQUEST, '"action" must be queue, leave or cancel.');
  }
  if (typeof memberId !== 'string' || !ID.test(memberId)) {
    throw new PlacementError(ErrorCode.BAD_REQUEST, '"memberId" must be a short id.');
  }
  if (mode !== undefined && (typeof mode !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(mode))) {
    throw new PlacementError(ErrorCode.BAD_REQUEST, '"mode" must be a mode name.');
  }
  return {
    code: normalizePartyCode(code),
    memberId,
    action,
    ...(typeof mode === 'string' ? { mode } : {}),
  };
}

/**
 * Serve parties of `app` on NATS; the returned function stops it.
 *
 * @example
 * const stop = startPartyService({ nc, app: 'arena', desk: parties });
 */
export function startPartyService(options: {
  nc: NatsConnection;
  app: string;
  desk: PartyDesk;
}): () => Promise<void> {
  const { nc, desk } = options;
  const names = subjects(options.app);
  const running = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    running.add(work);
    void work.finally(() => running.delete(work));
  };
  const respond = (msg: { respond(data: Uint8Array): boolean }, body: unknown) => {
    try {
      msg.respond(encoder.encode(JSON.stringify(body)));
    } catch {
      // Connection closed: the front tells its player.
    }
  };
  const sessions: Subscription = nc.subscribe(names.party, {
    queue: MATCHMAKER_QUEUE,
    callback: (_err, msg) => {
      track(
        (async () => {
          let request: PartySessionRequest;
          try {
            request = parsePartySession(msg.json());
          } catch (error) {
            respond(msg, { type: 'error', ...toWireError(error) });
            return;
          }
          const to = request.progressSubject;
          const answer = await desk.session(request, (message) => {
            if (!to) return;
            try {
              nc.publish(to, encoder.encode(JSON.stringify(message)));
            } catch {
              // Closed: nothing to tell.
            }
          });
          respond(msg, answer);
        })(),
      );
    },
  });
  const commands: Subscription = nc.subscribe(names.partyCommand, {
    queue: MATCHMAKER_QUEUE,
    callback: (_err, msg) => {
      track(
        (async () => {
          let request: PartyCommandRequest;
          try {
            request = parseCommand(msg.json());
          } catch (error) {
            respond(msg, { type: 'error', ...toWireError(error) });
            return;
          }
          respond(msg, await desk.command(request));
        })(),
      );
    },
  });
  return async () => {
    sessions.unsubscribe();
    commands.unsubscribe();
    // Sessions end when their party changes; a stopping replica does not wait for them.
  };
}
