import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Kvm } from '@nats-io/kv';
import { type PlayReply, type SeatRecord, type TicketRecord, TicketState } from '@playgap/protocol';
import { waitFor } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningMatchmaker, startMatchmaker } from '../src/index.js';
import { parseMatchmakingConfig } from '../src/queues/matchmaking-config.js';
import {
  APP,
  serverRecord,
  startTestNats,
  type TestNats,
  testConfig,
  VERSION,
} from './fake-fleet.js';
import { converse, last } from './ws-client.js';

const MATCHMAKING = {
  modes: {
    quad: {
      minPlayers: 4,
      maxPlayers: 4,
      rules: [
        {
          kind: 'number_difference',
          name: 'skill',
          attribute: 'skill',
          max: 300,
          expansions: [{ afterSeconds: 2, max: 5000 }],
        },
      ],
    },
    pair: { minPlayers: 2, maxPlayers: 2 },
  },
};

let nats: TestNats;
let heartbeat: NodeJS.Timeout | undefined;

beforeAll(async () => {
  nats = await startTestNats();
  // Rewritten like a sidecar would, so the server never ages out of the cache mid-suite.
  const put = () => nats.putServer(serverRecord('big', { capacity: 256 })).catch(() => {});
  await put();
  heartbeat = setInterval(put, 2_000);
});

afterAll(async () => {
  clearInterval(heartbeat);
  await nats?.stop();
});

async function seatsOf(serverId: string): Promise<SeatRecord[]> {
  const out: SeatRecord[] = [];
  for await (const key of await nats.kv.seats.keys(`${serverId}.*`)) {
    const entry = await nats.kv.seats.get(key);
    if (entry?.operation === 'PUT') out.push(entry.json<SeatRecord>());
  }
  return out;
}

async function tickets(): Promise<TicketRecord[]> {
  const bucket = await new Kvm(nats.nc).open(`playgap_${APP}_tickets`);
  const out: TicketRecord[] = [];
  // A key rewritten while the listing runs is listed again: read each once.
  for (const key of new Set(await collect(await bucket.keys()))) {
    const entry = await bucket.get(key);
    if (entry?.operation === 'PUT') out.push(entry.json<TicketRecord>());
  }
  return out;
}

const config = (overrides = {}) =>
  testConfig(nats.url, {
    matchmaking: parseMatchmakingConfig(MATCHMAKING),
    matchIntervalMs: 20,
    ...overrides,
  });

describe('tickets across replicas', () => {
  it('three replicas form matches together and never put a ticket in two matches', async () => {
    const replicas: RunningMatchmaker[] = [];
    try {
      for (let i = 0; i < 3; i++)
        replicas.push(await startMatchmaker(config(), {}, { listen: true }));
      for (const r of replicas) await waitFor(() => r.fleet?.server('big'), { timeoutMs: 10_000 });
      const players = 36;
      const conversations = await Promise.all(
        Array.from({ length: players }, (_, i) =>
          converse(
            (replicas[i % 3] as RunningMatchmaker).url!,
            JSON.stringify({
              game: APP,
              version: VERSION,
              mode: 'quad',
              attributes: { skill: (i * 97) % 2000 },
            }),
          ),
        ),
      );
      const replies = conversations.map((c) => last(c) as PlayReply);
      expect(replies.filter((r) => r.type === 'ready')).toHaveLength(players);
      expect(new Set(replies.map((r) => r.clientId)).size).toBe(players);
      const seats = (await seatsOf('big')).filter((s) => s.mode === 'quad');
      expect(seats).toHaveLength(players);
      const perMatch = new Map<string, number>();
      for (const s of seats)
        perMatch.set(s.matchId as string, (perMatch.get(s.matchId as string) ?? 0) + 1);
      expect([...perMatch.values()].every((n) => n === 4)).toBe(true);
      expect(perMatch.size).toBe(players / 4);
    } finally {
      for (const r of replicas) await r.close();
    }
  });

  it('a replica SIGKILLed while placing a match loses no ticket: another replica takes the claims back and places them', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/hanging-matcher.ts', import.meta.url));
    let doomed: ChildProcess | undefined;
    // The live replica matches rarely, so the doomed one claims first.
    const live = await startMatchmaker(
      config({ matchIntervalMs: 1_500, claimStaleMs: 1_500 }),
      {},
      { listen: true },
    );
    try {
      await waitFor(() => live.fleet?.server('big'), { timeoutMs: 10_000 });
      doomed = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', fixture], {
        env: {
          PATH: process.env.PATH,
          NATS_URL: nats.url,
          PLAYGAP_APP: APP,
          MATCHMAKING: JSON.stringify(MATCHMAKING),
          CLAIM_HEARTBEAT_MS: '200',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      doomed.stdout?.on('data', (chunk: Buffer) => {
        out += chunk;
      });
      await waitFor(() => out.includes('ready'), { timeoutMs: 30_000, what: 'doomed matcher up' });
      const answers = Promise.all(
        [0, 1].map(() =>
          converse(live.url!, JSON.stringify({ game: APP, version: VERSION, mode: 'pair' })),
        ),
      );
      await waitFor(() => out.includes('claimed'), { timeoutMs: 20_000, what: 'doomed claim' });
      // While it lives its heartbeat keeps the claim: well past claimStaleMs it still holds them.
      await new Promise((resolve) => setTimeout(resolve, 3_500));
      const held = (await tickets()).filter(
        (t) => t.mode === 'pair' && t.state === TicketState.MATCHED,
      );
      expect(
        held.map((t) => t.claimedBy),
        JSON.stringify(held),
      ).toEqual(['doomed', 'doomed']);
      doomed.kill('SIGKILL');
      const replies = (await answers).map((c) => last(c));
      expect(
        replies.map((r) => r.type),
        JSON.stringify(replies),
      ).toEqual(['ready', 'ready']);
      const pair = (await tickets()).filter((t) => t.mode === 'pair');
      expect(pair.every((t) => t.state === TicketState.PLACED && t.claimedBy !== 'doomed')).toBe(
        true,
      );
    } finally {
      doomed?.kill('SIGKILL');
      await live.close();
    }
  });
});

async function collect(keys: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const key of keys) out.push(key);
  return out;
}
