import type { RosterPlayer } from '@playgap/protocol';
import { describe, expect, it } from 'vitest';
import { fitBackfill } from './backfill-fit.js';
import { parseMatchmakingConfig, type QueueMode } from './matchmaking-config.js';
import { compileMode } from './rules.js';
import type { Ticket, TicketPlayer } from './ticket.js';

const T0 = 1_700_000_000_000;

function compiled(raw: unknown) {
  return compileMode('m', parseMatchmakingConfig({ modes: { m: raw } }).modes.m as QueueMode);
}

let seq = 0;
function ticket(players: Partial<TicketPlayer>[] | Partial<TicketPlayer>, waitedS = 0): Ticket {
  const list = Array.isArray(players) ? players : [players];
  const id = `t${seq++}`;
  return {
    id,
    mode: 'm',
    createdAt: T0 - waitedS * 1000,
    players: list.map((p, i) => ({ playerId: `${id}-${i}`, ...p })),
  };
}

const twoVsTwo = compiled({
  teams: { count: 2, minSize: 2, maxSize: 2 },
  rules: [
    {
      kind: 'number_difference',
      name: 'skill',
      attribute: 'skill',
      max: 200,
      expansions: [{ afterSeconds: 30, max: 1000 }],
    },
  ],
});

/** A 2v2 that lost one player of team-2. */
const lostOne: RosterPlayer[] = [
  { playerId: 'a', team: 'team-1', attributes: { skill: 1000 } },
  { playerId: 'b', team: 'team-1', attributes: { skill: 1100 } },
  { playerId: 'c', team: 'team-2', attributes: { skill: 1050 } },
];

describe('fitting waiting tickets into a running match', () => {
  it('takes a ticket that fits the rules with the players in the match, for the team asked', () => {
    const far = ticket({ attributes: { skill: 2000 } }, 5);
    const near = ticket({ attributes: { skill: 1150 } }, 1);
    const pick = fitBackfill(
      twoVsTwo,
      { team: 'team-2', wanted: 1, players: lostOne },
      [far, near],
      T0,
    );
    expect(pick?.tickets.map((t) => t.id)).toEqual([near.id]);
    expect(pick?.teamOf.get(near.id)).toBe('team-2');
  });

  it('judges the rules against every player in the match, not only the team', () => {
    // 1180 is within 200 of c (1050) but not of a (1000) with 1200: 1200 - 1000 = 200 fits, 1210 not.
    const tooHigh = ticket({ attributes: { skill: 1210 } });
    expect(
      fitBackfill(twoVsTwo, { team: 'team-2', wanted: 1, players: lostOne }, [tooHigh], T0),
    ).toBeUndefined();
  });

  it("uses the newcomer's widened limits once it has waited", () => {
    const widened = ticket({ attributes: { skill: 1900 } }, 31);
    const pick = fitBackfill(twoVsTwo, { wanted: 1, players: lostOne }, [widened], T0);
    expect(pick?.tickets).toHaveLength(1);
  });

  it('never splits a party and never overfills a team', () => {
    const pair = ticket([{ attributes: { skill: 1050 } }, { attributes: { skill: 1060 } }]);
    expect(
      fitBackfill(twoVsTwo, { team: 'team-2', wanted: 2, players: lostOne }, [pair], T0),
    ).toBeUndefined();
    // "any" with a whole team gone: the pair goes into the empty team.
    const onlyTeamOne = lostOne.slice(0, 2);
    const pick = fitBackfill(twoVsTwo, { wanted: 2, players: onlyTeamOne }, [pair], T0);
    expect(pick?.teamOf.get(pair.id)).toBe('team-2');
    expect(pick?.players).toBe(2);
  });

  it('"any" fills the emptiest team first, and takes no more than wanted', () => {
    const twoLost: RosterPlayer[] = [lostOne[0] as RosterPlayer, lostOne[1] as RosterPlayer];
    const x = ticket({ attributes: { skill: 1000 } }, 3);
    const y = ticket({ attributes: { skill: 1010 } }, 2);
    const z = ticket({ attributes: { skill: 1020 } }, 1);
    const pick = fitBackfill(twoVsTwo, { wanted: 2, players: twoLost }, [z, y, x], T0);
    expect(pick?.tickets.map((t) => t.id)).toEqual([x.id, y.id]); // oldest first
    expect([...(pick?.teamOf.values() ?? [])]).toEqual(['team-2', 'team-2']);
  });

  it('respects the mode size without teams, and the string and latency rules', () => {
    const ffa = compiled({
      minPlayers: 2,
      maxPlayers: 3,
      rules: [
        { kind: 'string_equality', name: 'map', attribute: 'map' },
        { kind: 'latency', name: 'ping', maxMs: 80 },
      ],
    });
    const players: RosterPlayer[] = [
      { playerId: 'a', attributes: { map: 'dust' }, latencies: { eu: 30 } },
      { playerId: 'b', attributes: { map: 'dust' }, latencies: { eu: 40 } },
    ];
    const otherMap = ticket({ attributes: { map: 'ice' }, latencies: { eu: 20 } }, 3);
    const farAway = ticket({ attributes: { map: 'dust' }, latencies: { us: 20 } }, 2);
    const good = ticket({ attributes: { map: 'dust' }, latencies: { eu: 60 } }, 1);
    const alsoGood = ticket({ attributes: { map: 'dust' }, latencies: { eu: 50 } }, 0);
    const pick = fitBackfill(ffa, { wanted: 5, players }, [otherMap, farAway, good, alsoGood], T0);
    // maxPlayers 3: one seat left whatever was asked.
    expect(pick?.tickets.map((t) => t.id)).toEqual([good.id]);
    expect(pick?.teamOf.size).toBe(0);
  });

  it('finds nothing for a team the mode does not have, or a full match', () => {
    const t = ticket({ attributes: { skill: 1000 } });
    expect(
      fitBackfill(twoVsTwo, { team: 'team-9', wanted: 1, players: lostOne }, [t], T0),
    ).toBeUndefined();
    const full = [...lostOne, { playerId: 'd', team: 'team-2', attributes: { skill: 1000 } }];
    expect(fitBackfill(twoVsTwo, { wanted: 1, players: full }, [t], T0)).toBeUndefined();
  });
});
