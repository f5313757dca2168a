/**
 * What every transport needs from the game server: check a token before anything else, turn
 * an admitted connection into a Player, and give back a seat that was never used.
 */

import type { Player, PlayerLink } from '../player.js';
import type { VerifiedToken } from '../sidecar-client.js';

export interface TransportContext {
  /** Verify and consume a token with the sidecar; throws a PlaygapError with the refusal code. */
  admit(token: string): Promise<VerifiedToken>;
  /** Register an admitted connection as a player and tell the game. */
  join(admitted: VerifiedToken, link: PlayerLink): Player;
  /** Free the seat of an admitted connection that never became a player (half-open). */
  release(clientId: string): void;
  /** serverId for the welcome message. */
  readonly serverId: string;
  readonly log: (message: string) => void;
}

/** Largest game message accepted from a player, in bytes. */
export const MAX_MESSAGE_BYTES = 64 * 1024;
