/**
 * `GET /v1/match`: the matches a queued mode placed on this server, read from the seats the
 * matchmaker reserved (each seat of a match carries the match id, the whole roster and the
 * mode's variables). A player has arrived once their seat is connected; one whose reservation
 * expired without them is listed in `notArrived`, so the game can start without them or
 * ask for backfill. Backfilled players' seats carry a longer roster: the rosters of all the
 * match's seats are merged, so they are listed too.
 */
import type { SeatRecord } from '@playgap/protocol';
import type { SidecarResponse } from '@playgap/protocol/sidecar-api';

type Matches = SidecarResponse<'match'>;

/**
 * @example
 * const { matches } = matchesOnServer(seatBook.seatRecords(), Date.now());
 */
export function matchesOnServer(seats: readonly SeatRecord[], nowMs: number): Matches {
  const byMatch = new Map<string, SeatRecord[]>();
  for (const seat of seats) {
    if (!seat.matchId) continue;
    const list = byMatch.get(seat.matchId) ?? [];
    list.push(seat);
    byMatch.set(seat.matchId, list);
  }
  const matches: Matches['matches'] = [];
  for (const [matchId, list] of byMatch) {
    const first = list.find((s) => s.roster) ?? (list[0] as SeatRecord);
    const merged = new Map<string, NonNullable<SeatRecord['roster']>[number]>();
    for (const p of first.roster ?? []) merged.set(p.playerId, p);
    for (const seat of list) for (const p of seat.roster ?? []) merged.set(p.playerId, p);
    const roster: NonNullable<SeatRecord['roster']> =
      merged.size > 0
        ? [...merged.values()]
        : list.map((s) => ({ playerId: s.playerId ?? s.clientId }));
    const seatOf = new Map(list.map((s) => [s.playerId, s]));
    const teams = new Map<string, string[]>();
    for (const p of roster) {
      if (!p.team) continue;
      teams.set(p.team, [...(teams.get(p.team) ?? []), p.playerId]);
    }
    const players = roster.map((p) => ({
      playerId: p.playerId,
      ...(p.name ? { name: p.name } : {}),
      ...(p.team ? { team: p.team } : {}),
      arrived: seatOf.get(p.playerId)?.state === 'connected',
    }));
    // Missing seat (expired and taken over, or aged out) or a reservation past its expiry.
    const notArrived = roster
      .filter((p) => {
        const seat = seatOf.get(p.playerId);
        if (seat?.state === 'connected') return false;
        const deadline = seat?.expiresAt ?? first.expiresAt;
        return nowMs >= deadline;
      })
      .map((p) => p.playerId);
    matches.push({
      matchId,
      mode: first.mode ?? '',
      teams: [...teams].map(([name, playerIds]) => ({ name, playerIds })),
      variables: first.matchVariables ?? {},
      players,
      notArrived,
    });
  }
  return { matches };
}
