import { describe, expect, it } from 'vitest';
import { type SeatRecord, SeatState } from './records.js';
import {
  isLiveReservation,
  isRecordFresh,
  isSeatTaken,
  recordAgesOutAt,
  seatHeldUntil,
} from './seat-rules.js';

const T = 1_700_000_000_000;
const reserved: SeatRecord = {
  serverId: 'srv',
  seatIndex: 0,
  state: SeatState.RESERVED,
  clientId: '1',
  expiresAt: T + 30_000,
  updatedAt: T,
};
const connected: SeatRecord = { ...reserved, state: SeatState.CONNECTED, connectedAt: T };

describe('record rules', () => {
  it('counts a record until it is maxAgeMs old, and not from that millisecond on', () => {
    expect(recordAgesOutAt({ updatedAt: T }, 15_000)).toBe(T + 15_000);
    expect(isRecordFresh({ updatedAt: T }, T, 15_000)).toBe(true);
    expect(isRecordFresh({ updatedAt: T }, T + 14_999, 15_000)).toBe(true);
    expect(isRecordFresh({ updatedAt: T }, T + 15_000, 15_000)).toBe(false);
  });
});

describe('seat rules', () => {
  it('holds a reservation until its token expires, then frees it', () => {
    expect(isLiveReservation(reserved, T + 29_999)).toBe(true);
    expect(isLiveReservation(reserved, T + 30_000)).toBe(false);
    expect(isSeatTaken(reserved, T + 29_999)).toBe(true);
    expect(isSeatTaken(reserved, T + 30_000)).toBe(false);
    expect(seatHeldUntil(reserved)).toBe(T + 30_000);
  });

  it('holds a connection past its reservation expiry, and never counts it as a reservation', () => {
    expect(isSeatTaken(connected, T + 3_600_000)).toBe(true);
    expect(isLiveReservation(connected, T)).toBe(false);
    expect(seatHeldUntil(connected)).toBe(Number.POSITIVE_INFINITY);
  });

  it('frees any seat whose record aged out when a max age is given (its sidecar is gone)', () => {
    expect(seatHeldUntil(connected, 60_000)).toBe(T + 60_000);
    expect(isSeatTaken(connected, T + 59_999, 60_000)).toBe(true);
    expect(isSeatTaken(connected, T + 60_000, 60_000)).toBe(false);
    // A reservation frees at whichever comes first.
    expect(seatHeldUntil(reserved, 10_000)).toBe(T + 10_000);
    expect(seatHeldUntil(reserved, 60_000)).toBe(T + 30_000);
    expect(isSeatTaken(reserved, T + 10_000, 10_000)).toBe(false);
  });
});
