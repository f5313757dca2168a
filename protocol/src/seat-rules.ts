/**
 * When a KV record still counts, and when a seat is taken: the rules every reader of the
 * servers and seats buckets applies (matchmaker, sidecar, CLI), so they cannot drift apart.
 * A record's owner rewrites it on a heartbeat (`updatedAt`); one older than the owner's limit
 * belonged to something dead even before the bucket's max age removes it. A seat is taken by a
 * connection, or by a reservation until its token expires. Pure and browser-safe.
 */
import { type SeatRecord, SeatState } from './records.js';

/**
 * The Unix ms at which a record written at `updatedAt` stops counting (`maxAgeMs` later).
 *
 * @example
 * recordAgesOutAt(server, KV_DEFAULTS.serversMaxAgeMs);
 */
export function recordAgesOutAt(record: { updatedAt: number }, maxAgeMs: number): number {
  return record.updatedAt + maxAgeMs;
}

/**
 * True while a record written at `updatedAt` still counts: younger than `maxAgeMs`.
 *
 * @example
 * if (!isRecordFresh(server, now, KV_DEFAULTS.serversMaxAgeMs)) skip(server);
 */
export function isRecordFresh(
  record: { updatedAt: number },
  nowMs: number,
  maxAgeMs: number,
): boolean {
  return nowMs < recordAgesOutAt(record, maxAgeMs);
}

/**
 * True for a reservation whose player may still come: reserved and its token not expired.
 *
 * @example
 * const waiting = seats.filter((s) => isLiveReservation(s, Date.now()));
 */
export function isLiveReservation(seat: SeatRecord, nowMs: number): boolean {
  return seat.state === SeatState.RESERVED && nowMs < seat.expiresAt;
}

/**
 * The Unix ms at which `seat` stops holding its place if nothing rewrites it: a reservation at
 * its expiry, a connection never by the clock alone; with `maxAgeMs`, either also when the
 * record ages out (its sidecar stopped rewriting it).
 *
 * @example
 * recountAt = Math.min(recountAt, seatHeldUntil(seat, KV_DEFAULTS.seatsMaxAgeMs));
 */
export function seatHeldUntil(seat: SeatRecord, maxAgeMs?: number): number {
  const agesOutAt =
    maxAgeMs === undefined ? Number.POSITIVE_INFINITY : recordAgesOutAt(seat, maxAgeMs);
  if (seat.state === SeatState.CONNECTED) return agesOutAt;
  return Math.min(seat.expiresAt, agesOutAt);
}

/**
 * "Is this seat taken now?": connected, or reserved and not expired; with `maxAgeMs`, only
 * while the record is also fresh. A seat not taken may be reserved again with a KV
 * compare-and-set at its revision.
 *
 * @example
 * const free = !record || !isSeatTaken(record, now, KV_DEFAULTS.seatsMaxAgeMs);
 */
export function isSeatTaken(seat: SeatRecord, nowMs: number, maxAgeMs?: number): boolean {
  return nowMs < seatHeldUntil(seat, maxAgeMs);
}
