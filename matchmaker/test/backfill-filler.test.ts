// The backfill filler on a real nats-server, without matchmaker processes: room is taken with
// a compare-and-set on the match's record (two replicas never both fill one hole), a lost ticket
// claim gives the room back, and a fill its replica left half done is undone by another.
import { type KV, Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { BackfillRecord } from '@playgap/protocol';
import { type RunningNatsServer, startNatsServer, waitFor } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackfillFiller, type BackfillRound } from '../src/queues/backfill-filler.js';
import { MatchPool } from '../src/queues/match-pool.js';
import { parseMatchmakingConfig, type QueueMode } from '../src/queues/matchmaking-config.js';

const config = parseMatchmakingConfig({
  modes: {
    '2v2': {
      teams: { count: 2, minSize: 2, maxSize: 2 },
      rules: [{ kind: 'number_difference', name: 'skill', attribute: 'skill', max: 500 }],
    },
  },
});
const T0 = 1_700_000_000_000;

let nats: RunningNatsServer;
let nc: NatsConnection;
let kv: KV;
const fillers: BackfillFiller[] = [];

function record(matchId: string, overrides: Partial<BackfillRecord> = {}): BackfillRecord {
  return {
    app: 'arena',
    version: '1',
    serverId: 'srv',
    mode: '2v2',
    matchId,
    requests: [
      {
        id: `r-${matchId}`,
        team: 'team-2',
        count: 1,
        filled: 0,
        createdAt: T0,
        expiresAt: T0 + 60_000,
      },
    ],
    fills: [],
    players: [
      { playerId: 'a', team: 'team-1', attributes: { skill: 1000 } },
      { playerId: 'b', team: 'team-1', attributes: { skill: 1000 } },
      { playerId: 'c', team: 'team-2', attributes: { skill: 1000 } },
    ],
    updatedAt: T0,
    ...overrides,
  };
}

async function filler(instanceId: string): Promise<BackfillFiller> {
  const f = new BackfillFiller({
    backfills: kv,
    instanceId,
    config: () => config,
    claimStaleMs: 15_000,
    now: () => T0,
  });
  await f.start();
  fillers.push(f);
  return f;
}

function poolWith(...skills: number[]): MatchPool {
  const pool = new MatchPool('2v2', config.modes['2v2'] as QueueMode);
  for (const [i, skill] of skills.entries()) {
    pool.add(
      {
        id: `t${i}`,
        mode: '2v2',
        createdAt: T0 - i,
        players: [{ playerId: `p${i}`, attributes: { skill } }],
      },
      T0,
    );
  }
  return pool;
}

function round(pool: MatchPool, claim: BackfillRound['claim'], now = T0): BackfillRound {
  return { now, pool: () => pool, claim };
}

async function stored(key: string): Promise<BackfillRecord | undefined> {
  const entry = await kv.get(key);
  return entry?.operation === 'PUT' ? entry.json<BackfillRecord>() : undefined;
}

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  kv = await new Kvm(nc).create('playgap_arena_backfills', { history: 1 });
});

afterAll(async () => {
  for (const f of fillers) f.stop();
  await nc?.close();
  await nats?.stop();
});

describe('backfill filler', () => {
  it('two replicas seeing the same hole and the same tickets fill it once', async () => {
    await kv.create('srv.m1', JSON.stringify(record('m1')));
    const [one, two] = [await filler('mm-1'), await filler('mm-2')];
    await waitFor(() => one.open().length > 0 && two.open().length > 0, { timeoutMs: 10_000 });
    const claimed: string[] = [];
    const claim: BackfillRound['claim'] = async (match) => {
      claimed.push(...match.tickets.map((t) => t.id));
      return true;
    };
    await Promise.all([
      one.fill(round(poolWith(1100), claim)),
      two.fill(round(poolWith(1100), claim)),
    ]);
    const after = await stored('srv.m1');
    expect(after?.fills).toHaveLength(1);
    expect(after?.requests[0]?.filled).toBe(1);
    expect(after?.fills[0]?.players).toMatchObject([{ playerId: 'p0', team: 'team-2' }]);
    expect(claimed).toEqual(['t0']);
    // Full now: another round takes nothing.
    await waitFor(() => one.open().some((r) => r.fills.length === 1), { timeoutMs: 10_000 });
    await one.fill(round(poolWith(1100), claim));
    expect(claimed).toEqual(['t0']);
  });

  it('gives the room back when a ticket claim is lost', async () => {
    await kv.create('srv.m2', JSON.stringify(record('m2')));
    const f = await filler('mm-3');
    await waitFor(() => f.open().some((r) => r.matchId === 'm2'), { timeoutMs: 10_000 });
    const pool = poolWith(1100);
    await f.fill({
      now: T0,
      pool: (mode) => (mode === '2v2' ? pool : undefined),
      claim: async () => false,
    });
    const after = await stored('srv.m2');
    expect(after?.fills).toEqual([]);
    expect(after?.requests[0]?.filled).toBe(0);
  });

  it('leaves a ticket that breaks the rule with the players in the match', async () => {
    await kv.create('srv.m3', JSON.stringify(record('m3')));
    const f = await filler('mm-4');
    await waitFor(() => f.open().some((r) => r.matchId === 'm3'), { timeoutMs: 10_000 });
    let asked = 0;
    const pool = poolWith(9000);
    await f.fill(round(pool, async () => ++asked > 0));
    expect(asked).toBe(0);
    expect((await stored('srv.m3'))?.fills).toEqual([]);
  });

  it('undoes a fill whose replica died before placing it', async () => {
    const dead = record('m4', {
      requests: [
        { id: 'r-m4', team: 'team-2', count: 1, filled: 1, createdAt: T0, expiresAt: T0 + 60_000 },
      ],
      fills: [
        {
          id: 'f-dead',
          requestId: 'r-m4',
          ticketIds: ['t-dead'],
          players: [{ playerId: 'x', team: 'team-2' }],
          state: 'claiming',
          claimedBy: 'mm-dead',
          claimedAt: T0 - 20_000,
        },
      ],
    });
    await kv.create('srv.m4', JSON.stringify(dead));
    const f = await filler('mm-5');
    await waitFor(() => f.open().some((r) => r.matchId === 'm4'), { timeoutMs: 10_000 });
    await f.fill(round(poolWith(), async () => true));
    const after = await stored('srv.m4');
    expect(after?.fills).toEqual([]);
    expect(after?.requests[0]?.filled).toBe(0);
  });
});
