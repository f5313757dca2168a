/**
 * What the player reads: each connect stage and each error code in words.
 */
import type { PlaygapClientError, PlayProgress } from '@playgap/client';

/**
 * The status line for a progress event.
 *
 * @example
 * stageWords({ stage: 'deploying', elapsedMs: 4200, message: '' }); // 'Starting a server… 4 s'
 */
export function stageWords(progress: PlayProgress): string {
  const seconds = Math.floor(progress.elapsedMs / 1000);
  switch (progress.stage) {
    case 'measuring_latency':
      return 'Measuring latency to the regions…';
    case 'matchmaking':
      return 'Finding a server…';
    case 'queued':
      return 'Finding a server… (queued)';
    case 'deploying':
      return `Starting a server… ${seconds} s`;
    case 'waiting_for_server':
      return `Starting a server… ${seconds} s (waiting for it to come up)`;
    case 'searching': {
      const ticket = progress.ticket;
      if (!ticket) return `Looking for players… ${seconds} s`;
      const widened = ticket.expansion > 0 ? ` (search widened, stage ${ticket.expansion})` : '';
      return `Looking for players for ${ticket.mode}… ${ticket.waitedSeconds} s${widened}`;
    }
    case 'match_found':
      return progress.ticket?.mode
        ? `Match found (${progress.ticket.mode}) — finding its server…`
        : 'Match found — finding its server…';
    case 'ready':
      return 'Server found.';
    case 'connecting':
      return `Connecting (${progress.transport})…`;
    case 'connected':
      return `Playing (${progress.transport})`;
    case 'retrying':
      return 'The server was stopping — finding another…';
    case 'reconnecting':
      return progress.message;
  }
}

const REASONS: Record<string, string> = {
  TOKEN_EXPIRED: 'the ticket expired before we got there',
  TOKEN_REPLAYED: 'the ticket was already used',
  NO_RESERVATION: 'our seat was given away',
  ALREADY_CONNECTED: 'you are already connected in another tab',
  SERVER_DRAINING: 'the server is shutting down',
  RECONNECT_REFUSED: 'our seat could not be taken back',
  RECONNECT_EXPIRED: 'we were away too long and lost our seat',
  TOKEN_BAD_MAC: 'the ticket did not check out',
};

/**
 * The error line for a failure.
 *
 * @example
 * errorWords({ code: 'NO_CAPACITY', message: '' } as PlaygapClientError);
 */
export function errorWords(error: Pick<PlaygapClientError, 'code' | 'message' | 'reason'>): string {
  switch (error.code) {
    case 'MATCHMAKER_UNREACHABLE':
      return `Cannot reach the matchmaker. Is it running? (${error.message})`;
    case 'NO_CAPACITY':
      return 'All servers are full right now. Try again in a minute.';
    case 'CONNECT_TIMEOUT':
      return `It took too long: ${error.message} Try again.`;
    case 'TRANSPORT_FAILED':
      return `Could not connect to the game server. ${error.message}`;
    case 'TOKEN_REFUSED': {
      const reason = (error.reason && REASONS[error.reason]) ?? 'it did not accept our ticket';
      return `The game server refused to let us in: ${reason} (${error.reason ?? 'TOKEN_REFUSED'}). Click Connect to try again.`;
    }
    case 'CANCELLED':
      return 'Cancelled.';
    case 'DISCONNECTED':
      return 'Disconnected from the game server. Click Connect to play again.';
    case 'SERVER_DRAINING':
      return 'The server is shutting down. Click Connect to find another.';
    case 'PARTY_NOT_FOUND':
      return `No party has that code (mistyped, expired, or already playing). ${error.message}`;
    case 'PARTY_FULL':
      return 'That party is full.';
    case 'PARTY_DISBANDED':
      return 'The party leader left, so the party is over.';
    case 'PARTY_IN_QUEUE':
      return 'That party is in the queue right now; join once the leader cancels.';
    case 'PARTY_TOO_BIG':
      return `The party is too big for this mode. ${error.message}`;
    case 'PARTY_LEFT':
      return 'You left the party.';
    case 'SERVER_GONE':
      return 'The game server is gone and no other was found. Click Connect to try again.';
    default:
      return `${error.message} (${error.code})`;
  }
}
