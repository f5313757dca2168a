/**
 * The seat a tab may come back to: the server's endpoints (the matchmaker's reply without its
 * connect token), the transport that worked and the latest reconnect credential, kept in
 * sessionStorage (one per tab, gone with the tab) so a reload rejoins the same seat. Written on
 * every welcome (each one carries a fresh credential), stamped when the link drops or the page
 * hides, removed when the player leaves for good.
 */
import type { PlayReply, ReconnectGrant, TransportKind, WelcomeMessage } from '@playgap/protocol';

/** Where saved seats are kept: sessionStorage, or anything with the same three methods. */
export type SeatStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** What a tab keeps to come back to its seat. */
export interface SavedSeat {
  game: string;
  version: string;
  /** The matchmaker's reply, its connect token left out. */
  reply: Omit<PlayReply, 'token'>;
  transport: TransportKind;
  clientId: string;
  reconnect: ReconnectGrant;
  /** Unix ms the link was last seen lost (drop or page hide); the grace counts from there. */
  droppedAt?: number;
}

/**
 * The storage key of `game`'s seat.
 *
 * @example
 * sessionStorage.getItem(savedSeatKey('arena'));
 */
export function savedSeatKey(game: string): string {
  return `playgap:seat:${game}`;
}

/** sessionStorage when this page has one (not in Node, not in a sandboxed frame). */
export function defaultSeatStorage(): SeatStorage | undefined {
  try {
    return (globalThis as { sessionStorage?: Storage }).sessionStorage ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * The seat saved for `game`/`version` if its grace may not be over yet at `nowMs`.
 *
 * @example
 * if (loadSavedSeat(sessionStorage, 'arena', '1.0.0', Date.now())) rejoinAtOnce();
 */
export function loadSavedSeat(
  storage: SeatStorage | undefined,
  game: string,
  version: string,
  nowMs: number,
): SavedSeat | undefined {
  let seat: SavedSeat;
  try {
    const text = storage?.getItem(savedSeatKey(game));
    if (!text) return undefined;
    seat = JSON.parse(text) as SavedSeat;
  } catch {
    return undefined;
  }
  const fresh =
    seat?.version === version &&
    typeof seat.reconnect?.credential === 'string' &&
    Array.isArray(seat.reply?.transports) &&
    (seat.droppedAt === undefined || nowMs < seat.droppedAt + seat.reconnect.graceMs);
  if (!fresh) {
    forgetSavedSeat(storage, game);
    return undefined;
  }
  return seat;
}

/** Save (or replace) the seat a welcome with a reconnect credential just gave. */
export function saveSeat(
  storage: SeatStorage | undefined,
  seat: Omit<SavedSeat, 'reconnect' | 'clientId'>,
  welcome: WelcomeMessage,
): SavedSeat | undefined {
  if (!welcome?.reconnect) {
    forgetSavedSeat(storage, seat.game);
    return undefined;
  }
  const { droppedAt: _dropped, ...rest } = seat;
  const saved: SavedSeat = { ...rest, clientId: welcome.clientId, reconnect: welcome.reconnect };
  write(storage, saved);
  return saved;
}

/** Note that the link was lost at `nowMs` (the grace counts from the first such note). */
export function markSeatDropped(
  storage: SeatStorage | undefined,
  seat: SavedSeat,
  nowMs: number,
): void {
  seat.droppedAt ??= nowMs;
  write(storage, seat);
}

/** The player left for good: nothing to come back to. */
export function forgetSavedSeat(storage: SeatStorage | undefined, game: string): void {
  try {
    storage?.removeItem(savedSeatKey(game));
  } catch {
    // storage unavailable: nothing was saved either
  }
}

function write(storage: SeatStorage | undefined, seat: SavedSeat): void {
  try {
    storage?.setItem(savedSeatKey(seat.game), JSON.stringify(seat));
  } catch {
    // quota or privacy mode: the player matchmakes after a reload instead
  }
}
