/**
 * The front's NATS client for parties: a member's session is one request on
 * `playgap.<app>.party` whose roster, progress and final answer stream to a private inbox
 * (like a placement); commands are plain requests on `playgap.<app>.party.command`. A replica
 * that falls silent longer than `silenceMs` ends the session with MATCHMAKER_UNAVAILABLE (the
 * member joins again by code; the record in KV still holds the party).
 */
import { createInbox, type NatsConnection } from '@nats-io/transport-node';
import {
  ErrorCode,
  type ErrorMessage,
  type PartyCommandReply,
  type PartyCommandRequest,
  type PartyMessage,
  type PartySessionRequest,
  type ProgressMessage,
  subjects,
} from '@playgap/protocol';
import type { PlacementAnswer } from './play-client.js';

/** What the front needs of the matchmakers to serve party sockets. */
export interface PartyClient {
  session(
    game: string,
    request: PartySessionRequest,
    onMessage: (message: PartyMessage | ProgressMessage) => void,
  ): Promise<PlacementAnswer>;
  command(game: string, request: PartyCommandRequest): Promise<PartyCommandReply>;
}

export interface PartyClientOptions {
  /** Longest silence from the serving replica. Default 15 000 ms (it repeats the roster every 5 s). */
  silenceMs?: number;
  /** Longest wait for a command's answer. Default 10 000 ms. */
  commandTimeoutMs?: number;
}

const encoder = new TextEncoder();

function error(code: ErrorCode, message: string): ErrorMessage {
  return { type: 'error', code, message };
}

const unavailable = () =>
  error(
    ErrorCode.MATCHMAKER_UNAVAILABLE,
    'No matchmaker is serving parties for this game right now; try again shortly.',
  );

/**
 * @example
 * const parties = natsPartyClient(nc);
 * const answer = await parties.session('arena', { action: 'create', ... }, show);
 */
export function natsPartyClient(nc: NatsConnection, options: PartyClientOptions = {}): PartyClient {
  const silenceMs = options.silenceMs ?? 15_000;
  return {
    session(game, request, onMessage) {
      let subject: string;
      try {
        subject = subjects(game).party;
      } catch {
        return Promise.resolve(error(ErrorCode.UNKNOWN_GAME, 'Unknown game.'));
      }
      return new Promise((resolve) => {
        const inbox = createInbox();
        let timer: NodeJS.Timeout | undefined;
        const finish = (answer: PlacementAnswer) => {
          clearTimeout(timer);
          sub.unsubscribe();
          resolve(answer);
        };
        const arm = () => {
          clearTimeout(timer);
          timer = setTimeout(
            () =>
              finish(
                error(
                  ErrorCode.MATCHMAKER_UNAVAILABLE,
                  'The matchmaker serving your party stopped answering; join again with the code.',
                ),
              ),
            silenceMs,
          );
        };
        const sub = nc.subscribe(inbox, {
          callback: (err, msg) => {
            if (err) {
              finish(
                error(ErrorCode.NATS_UNAVAILABLE, 'The matchmaker cannot be reached right now.'),
              );
              return;
            }
            if (msg.headers?.hasError && msg.headers.code === 503) {
              finish(unavailable());
              return;
            }
            let body: PartyMessage | ProgressMessage | PlacementAnswer;
            try {
              body = msg.json();
            } catch {
              return;
            }
            if (body.type === 'party' || body.type === 'progress') {
              arm();
              onMessage(body);
            } else if (body.type === 'ready' || body.type === 'error') {
              finish(body);
            }
          },
        });
        arm();
        try {
          nc.publish(
            subject,
            encoder.encode(JSON.stringify({ ...request, progressSubject: inbox })),
            { reply: inbox },
          );
        } catch {
          finish(error(ErrorCode.NATS_UNAVAILABLE, 'The matchmaker cannot be reached right now.'));
        }
      });
    },
    async command(game, request) {
      try {
        const reply = await nc.request(
          subjects(game).partyCommand,
          encoder.encode(JSON.stringify(request)),
          { timeout: options.commandTimeoutMs ?? 10_000 },
        );
        return reply.json<PartyCommandReply>();
      } catch (failure) {
        const text = String(failure);
        if (/503|no responders/i.test(text)) return unavailable();
        return error(
          ErrorCode.PLACEMENT_TIMEOUT,
          'The matchmaker did not answer the party command.',
        );
      }
    },
  };
}
