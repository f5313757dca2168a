/**
 * What every transport needs from the game server: check a token (or a reconnect credential)
 * before anything else, turn an admitted connection into a Player (or give a returning player
 * its new connection), and give back a seat that was never used.
 */
import type { WelcomeMessage } from '@playgap/protocol';
import type { LinkHandle, PlayerLink } from '../player.js';
import type { VerifiedToken } from '../sidecar-client.js';

export interface TransportContext {
  /**
   * Verify and consume a token with the sidecar, or redeem a reconnect credential (`pgr1.`);
   * throws a PlaygapError with the refusal code.
   */
  admit(token: string): Promise<VerifiedToken>;
  /**
   * Register an admitted connection as a player (or, for a reconnect, attach it to the
   * returning player) and tell the game; the transport feeds the handle.
   */
  join(admitted: VerifiedToken, link: PlayerLink): LinkHandle;
  /** Free the seat of an admitted connection that never became a player (half-open). */
  release(clientId: string): void;
  /** serverId for the welcome message. */
  readonly serverId: string;
  readonly log: (message: string) => void;
}

/** Largest game message accepted from a player, in bytes. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/**
 * The welcome every transport sends an admitted connection.
 *
 * @example
 * ws.send(JSON.stringify(welcomeFor(admitted, context.serverId)));
 */
export function welcomeFor(admitted: VerifiedToken, serverId: string): WelcomeMessage {
  return {
    type: 'welcome',
    clientId: admitted.clientId,
    serverId,
    player: admitted.player ?? {},
    ...(admitted.reconnect ? { reconnect: admitted.reconnect } : {}),
    ...(admitted.resumed ? { resumed: true } : {}),
  };
}
