// The SDK's backfill handle against the stand-in sidecar (which passes the same contract suite
// as the real one): request, players placed, filled, withdrawn, expired, refusals with codes.
import { freePort, waitFor } from '@playgap/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGameServer, type GameServer, SidecarRequestError } from '../src/index.js';
import { type StubSidecar, startStubSidecar } from './stub-sidecar.js';

let sidecar: StubSidecar;
let server: GameServer;

beforeEach(async () => {
  const game = await freePort();
  sidecar = await startStubSidecar({
    ports: { game: { name: 'game', internal: game, external: game, protocol: 'TCP' } },
  });
  sidecar.addMatch({
    matchId: 'm1',
    mode: '2v2',
    teams: [
      { name: 'team-1', playerIds: ['a', 'b'] },
      { name: 'team-2', playerIds: ['c'] },
    ],
    variables: {},
    players: [],
    notArrived: [],
  });
  server = await createGameServer({
    sidecarUrl: sidecar.url,
    host: '127.0.0.1',
    handleSignals: false,
    heartbeatIntervalMs: 50,
    log: () => {},
  });
  await waitFor(() => sidecar.followers() > 0, { timeoutMs: 10_000 });
});
afterEach(async () => {
  await server.close();
  await sidecar.close();
});

describe('server.requestBackfill', () => {
  it('hands back a backfill that tells the players placed, then filled', async () => {
    const backfill = await server.requestBackfill({ team: 'team-2', count: 2 });
    expect(backfill.open).toBe(true);
    expect(backfill.expiresAt).toBeGreaterThan(Date.now());
    expect((await server.sidecar.backfills()).backfills).toMatchObject([
      { backfillId: backfill.id, team: 'team-2', count: 2, filled: 0 },
    ]);
    const added: string[][] = [];
    backfill.on('players', (_all, next) => added.push(next));
    sidecar.fillBackfill(backfill.id, ['p1']);
    await waitFor(() => added.length === 1, { timeoutMs: 10_000 });
    sidecar.fillBackfill(backfill.id, ['p2']);
    expect(await backfill.ended).toBe('filled');
    expect(added).toEqual([['p1'], ['p2']]);
    expect(backfill.playerIds).toEqual(['p1', 'p2']);
    expect(backfill.open).toBe(false);
  });

  it('withdraws: the sidecar lists it no more and a second withdraw is a no-op', async () => {
    const backfill = await server.requestBackfill({ count: 1 });
    const ended = new Promise((resolve) => backfill.once('end', resolve));
    await backfill.withdraw();
    expect(await ended).toBe('withdrawn');
    expect((await server.sidecar.backfills()).backfills).toEqual([]);
    await backfill.withdraw();
  });

  it('ends with expired when nobody fills it in time', async () => {
    const backfill = await server.requestBackfill({ count: 1, expiresInSeconds: 5 });
    expect(await backfill.ended).toBe('expired');
  }, 20_000);

  it('refuses an unknown team, an unknown match, too many players and a bad count, with codes', async () => {
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'accepted',
        (e: unknown) => (e instanceof SidecarRequestError ? e.code : String(e)),
      );
    expect(await code(server.requestBackfill({ team: 'team-7', count: 1 }))).toBe('UNKNOWN_TEAM');
    expect(await code(server.requestBackfill({ matchId: 'm9', count: 1 }))).toBe('UNKNOWN_MATCH');
    expect(await code(server.requestBackfill({ count: 9 }))).toBe('BACKFILL_NO_ROOM');
    expect(await code(server.requestBackfill({ count: 0 }))).toBe('BAD_REQUEST');
    expect(await code(server.sidecar.withdrawBackfill('nope'))).toBe('UNKNOWN_BACKFILL');
  });
});
