/**
 * Reconnects of one server's players: the per-seat secret behind each player's reconnect
 * credential (protocol's reconnect-credential.ts), and the grace period a dropped player's seat
 * is held for. Only a hash of the latest secret is kept; redeeming it spends it, so a credential
 * works once, and every accepted reconnect gets the next one. A credential names its server
 * and client, so one from another server or with another client id is refused before any
 * lookup. Time comes from the injected Clock.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  ErrorCode,
  formatReconnectCredential,
  parseReconnectCredential,
  type ReconnectGrant,
} from '@playgap/protocol';
import type { Clock, TimerHandle } from './clock.js';
import { SeatRefusedError } from './errors.js';

/** What a reconnect gives back besides the seat: what the token said about the player. */
export interface HeldPlayer {
  player: Record<string, unknown>;
  /** Base64 of the token's 256 user-data bytes. */
  userData: string;
}

interface Held extends HeldPlayer {
  /** SHA-256 of the latest secret; undefined once spent and not yet replaced. */
  secretHash: Buffer | undefined;
  grace: TimerHandle | undefined;
  graceUntil: number | undefined;
}

export interface ReconnectDeskOptions {
  serverId: string;
  clock: Clock;
  /** How long a dropped player's seat is held; 0 turns reconnects off. */
  graceMs: number;
}

/**
 * Credentials and grace timers, by client id.
 *
 * @example
 * const desk = new ReconnectDesk({ serverId: 'abc', clock, graceMs: 20_000 });
 * const grant = desk.issue('42', { player: {}, userData: '' }); // in the welcome
 * desk.startGrace('42', () => freeSeat('42')); // the connection dropped
 * const clientId = desk.redeem(grant.credential); desk.endGrace(clientId); desk.issue(clientId);
 */
export class ReconnectDesk {
  private readonly held = new Map<string, Held>();

  constructor(private readonly options: ReconnectDeskOptions) {}

  get graceMs(): number {
    return this.options.graceMs;
  }

  /** False with a grace of 0: seats are freed at once and no credential is handed out. */
  get enabled(): boolean {
    return this.options.graceMs > 0;
  }

  /** Seats held for a player whose connection dropped. */
  get inGraceCount(): number {
    let n = 0;
    for (const h of this.held.values()) if (h.graceUntil !== undefined) n++;
    return n;
  }

  /**
   * A fresh credential for `clientId`; the previous one stops working. `player` is kept for
   * the answer to a reconnect (the first call's, when later calls leave it out).
   */
  issue(clientId: string, player?: HeldPlayer): ReconnectGrant {
    const secret = randomBytes(32).toString('base64url');
    const known = this.held.get(clientId);
    this.held.set(clientId, {
      player: player?.player ?? known?.player ?? {},
      userData: player?.userData ?? known?.userData ?? '',
      secretHash: hash(secret),
      grace: known?.grace,
      graceUntil: known?.graceUntil,
    });
    const credential = formatReconnectCredential({
      serverId: this.options.serverId,
      clientId,
      secret,
    });
    return { credential, graceMs: this.options.graceMs };
  }

  /**
   * Check `credential` and spend it: the client id it belongs to, or SeatRefusedError
   * RECONNECT_REFUSED (malformed, another server's, another client's, used before) or
   * RECONNECT_EXPIRED (no seat held for that client any more).
   */
  redeem(credential: string): { clientId: string } & HeldPlayer {
    const parts = parseReconnectCredential(credential);
    if (!parts) {
      throw new SeatRefusedError(
        ErrorCode.RECONNECT_REFUSED,
        'The reconnect credential is malformed; find a server through the matchmaker.',
      );
    }
    if (parts.serverId !== this.options.serverId) {
      throw new SeatRefusedError(
        ErrorCode.RECONNECT_REFUSED,
        'The reconnect credential is for another server; find a server through the matchmaker.',
      );
    }
    const held = this.held.get(parts.clientId);
    if (!held) {
      throw new SeatRefusedError(
        ErrorCode.RECONNECT_EXPIRED,
        `No seat is held for client ${parts.clientId} any more (the grace period ended or the player left); find a server through the matchmaker.`,
      );
    }
    if (!held.secretHash || !timingSafeEqual(held.secretHash, hash(parts.secret))) {
      throw new SeatRefusedError(
        ErrorCode.RECONNECT_REFUSED,
        `The reconnect credential of client ${parts.clientId} is not its latest one (used before, or not this client's).`,
      );
    }
    held.secretHash = undefined;
    return { clientId: parts.clientId, player: held.player, userData: held.userData };
  }

  /**
   * Hold `clientId`'s seat for the grace period; `onOver` runs at its end unless the player
   * comes back (endGrace) or leaves (forget) first. A second call keeps the first deadline.
   * Returns the Unix ms the grace ends.
   */
  startGrace(clientId: string, onOver: () => void): number {
    const held = this.held.get(clientId) ?? this.blank(clientId);
    if (held.graceUntil !== undefined) return held.graceUntil;
    const { clock, graceMs } = this.options;
    held.graceUntil = clock.now() + graceMs;
    held.grace = clock.setTimeout(() => {
      if (this.held.get(clientId) !== held) return;
      this.held.delete(clientId);
      onOver();
    }, graceMs);
    return held.graceUntil;
  }

  /** True while `clientId`'s seat is held after a drop. */
  inGrace(clientId: string): boolean {
    return this.held.get(clientId)?.graceUntil !== undefined;
  }

  /** The player came back: stop the grace timer. */
  endGrace(clientId: string): void {
    const held = this.held.get(clientId);
    if (!held) return;
    held.grace?.cancel();
    held.grace = undefined;
    held.graceUntil = undefined;
  }

  /** The player left for good (or the seat was freed): forget its credential and timer. */
  forget(clientId: string): void {
    this.held.get(clientId)?.grace?.cancel();
    this.held.delete(clientId);
  }

  /** Cancel every grace timer (the sidecar is closing; its seats go with it). */
  cancel(): void {
    for (const held of this.held.values()) held.grace?.cancel();
  }

  private blank(clientId: string): Held {
    const held: Held = {
      player: {},
      userData: '',
      secretHash: undefined,
      grace: undefined,
      graceUntil: undefined,
    };
    this.held.set(clientId, held);
    return held;
  }
}

function hash(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}
