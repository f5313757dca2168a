import type { SeatRecord } from '@playgap/protocol';
import { describe, expect, it } from 'vitest';
import { matchesOnServer } from './match-roster.js';

const roster = [
  { playerId: 'a', name: 'Ada', team: 'team-1' },
  { playerId: 'b', team: 'team-1' },
  { playerId: 'c', team: 'team-2' },
  { playerId: 'd', team: 'team-2' },
];

function seat(playerId: string, state: 'reserved' | 'connected', index: number): SeatRecord {
  return {
    serverId: 's1',
    seatIndex: index,
    state,
    clientId: String(100 + index),
    playerId,
    expiresAt: 10_000,
    matchId: 'm1',
    mode: '2v2',
    team: roster.find((p) => p.playerId === playerId)?.team as string,
    roster,
    matchVariables: { map: 'dust' },
    updatedAt: 0,
  };
}

describe('GET /v1/match roster', () => {
  it('lists the roster, teams and variables, and who has arrived', () => {
    const seats = [seat('a', 'connected', 0), seat('b', 'reserved', 1), seat('c', 'reserved', 2)];
    const { matches } = matchesOnServer(seats, 5_000);
    expect(matches).toHaveLength(1);
    expect(matches[0]).toMatchObject({
      matchId: 'm1',
      mode: '2v2',
      variables: { map: 'dust' },
      teams: [
        { name: 'team-1', playerIds: ['a', 'b'] },
        { name: 'team-2', playerIds: ['c', 'd'] },
      ],
      notArrived: [],
    });
    expect(matches[0]?.players.filter((p) => p.arrived).map((p) => p.playerId)).toEqual(['a']);
  });

  it('names the players whose tokens expired without them once the deadline passed', () => {
    const seats = [seat('a', 'connected', 0), seat('b', 'reserved', 1), seat('c', 'reserved', 2)];
    expect(matchesOnServer(seats, 10_000).matches[0]?.notArrived).toEqual(['b', 'c', 'd']);
  });

  it('lists backfilled players, whose seats carry a longer roster', () => {
    const seats = [seat('a', 'connected', 0), seat('b', 'connected', 1), seat('c', 'connected', 2)];
    const newcomer: SeatRecord = {
      ...seat('e', 'reserved', 3),
      team: 'team-2',
      roster: [...roster.filter((p) => p.playerId !== 'd'), { playerId: 'e', team: 'team-2' }],
    };
    const match = matchesOnServer([...seats, newcomer], 5_000).matches[0];
    expect(match?.players.map((p) => p.playerId)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(match?.teams.find((t) => t.name === 'team-2')?.playerIds).toEqual(['c', 'd', 'e']);
  });

  it('is empty outside queued modes', () => {
    const free: SeatRecord = { ...seat('x', 'connected', 0) };
    delete free.matchId;
    expect(matchesOnServer([free], 0)).toEqual({ matches: [] });
  });
});
