/**
 * The seat half of verify-and-consume: a connect token that authenticates and names this
 * server is claimed once (replay guard, until it expires) and turns the player's reservation
 * into a connected seat. Whether the server takes players at all is the Sidecar's call.
 */
import { ErrorCode } from '@playgap/protocol';
import type { Deployment } from './deployment.js';
import { SeatRefusedError } from './errors.js';
import { ReplayGuard } from './replay-guard.js';
import type { ConnectedSeat, SeatBook } from './seat-book.js';
import {
  acceptedAddresses,
  assertAddressListed,
  type TokenVerifier,
  type VerifiedToken,
} from './token-check.js';

/** A player let in: the verified token and the seat it now holds. */
export interface Admitted {
  token: VerifiedToken;
  clientId: string;
  /** Unix ms. */
  expiresAt: number;
  seat: ConnectedSeat;
}

/**
 * Token checks and replay memory of one server.
 *
 * @example
 * const admission = new PlayerAdmission(verifier, deployment);
 * const { clientId, seat } = await admission.admit(tokenBase64, Date.now(), seatBook);
 */
export class PlayerAdmission {
  private readonly replay = new ReplayGuard();
  private readonly accepted: Set<string>;

  constructor(
    private readonly verifier: TokenVerifier,
    deployment: Deployment,
  ) {
    this.accepted = acceptedAddresses(
      deployment.publicIp,
      Object.values(deployment.ports),
      deployment.local,
    );
  }

  /** Verify `tokenBase64` at `nowMs` and consume its reservation in `seatBook`. */
  async admit(tokenBase64: string, nowMs: number, seatBook: SeatBook): Promise<Admitted> {
    const token = this.verifier(tokenBase64, nowMs);
    assertAddressListed(token.serverAddresses, this.accepted);
    const clientId = token.clientId.toString();
    const expiresAt = token.expireTimestamp * 1000;
    if (!this.replay.claim(token.nonceHex, expiresAt, nowMs)) {
      throw new SeatRefusedError(
        ErrorCode.TOKEN_REPLAYED,
        'This connect token was already used; ask the matchmaker for a new one.',
      );
    }
    let seat: ConnectedSeat;
    try {
      seat = await seatBook.consume(clientId, nowMs, token.player.playerId);
    } catch (error) {
      // The token stays usable: the refusal was about the seat, not the token.
      this.replay.release(token.nonceHex);
      throw error;
    }
    return { token, clientId, expiresAt, seat };
  }
}
