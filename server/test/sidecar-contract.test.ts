// The stand-in sidecar of the SDK's tests (stub-sidecar.ts) and the real sidecar process pass
// the same contract suite, so the stand-in answers what the sidecar answers.
import { type SeatRecord, seatKey } from '@playgap/protocol';
import { freePort, type RunningNatsServer, startNatsServer, waitFor } from '@playgap/testkit';
import { startRealSidecar } from '@playgap/testkit/real-sidecar';
import { sidecarContract } from '@playgap/testkit/sidecar-contract';
import { afterAll, beforeAll } from 'vitest';
import { startStubSidecar } from './stub-sidecar.js';

sidecarContract('the stand-in (server/test/stub-sidecar.ts)', async () => {
  const game = await freePort();
  const stub = await startStubSidecar({
    ports: { game: { name: 'game', internal: game, external: game, protocol: 'TCP' } },
    graceMs: 60_000,
  });
  return {
    url: stub.url,
    async ticket(clientId) {
      stub.addToken(`ticket-${clientId}`, String(clientId));
      return `ticket-${clientId}`;
    },
    async match({ matchId, mode, players }) {
      const teams = [...new Set(players.map((p) => p.team))].map((name) => ({
        name,
        playerIds: players.filter((p) => p.team === name).map((p) => p.playerId),
      }));
      stub.addMatch({
        matchId,
        mode,
        teams,
        variables: {},
        players: players.map((p) => ({ ...p, arrived: false })),
        notArrived: [],
      });
      return async () => stub.removeMatch(matchId);
    },
    close: () => stub.close(),
  };
});

let nats: RunningNatsServer;
beforeAll(async () => {
  nats = await startNatsServer();
});
afterAll(async () => {
  await nats?.stop();
});

sidecarContract('the real sidecar (playgap-sidecar --local)', async () => {
  const real = await startRealSidecar(
    nats,
    [{ name: 'game', protocol: 'TCP', internal: await freePort() }],
    [],
    { PLAYGAP_RECONNECT_GRACE_MS: '60000' },
  );
  let seat = 0;
  return {
    url: real.url,
    ticket: (clientId) => real.ticket(clientId, { seat: seat++ }),
    async match({ matchId, mode, players }) {
      // Reserved seats far from the ones tickets use, as a matchmaker places a match.
      const keys = players.map((_, i) => seatKey(real.serverId, 100 + i));
      for (const [i, p] of players.entries()) {
        const now = Date.now();
        const record: SeatRecord = {
          serverId: real.serverId,
          seatIndex: 100 + i,
          state: 'reserved',
          clientId: String(7000 + i),
          playerId: p.playerId,
          matchId,
          mode,
          team: p.team,
          roster: players,
          matchVariables: {},
          expiresAt: now + 60_000,
          updatedAt: now,
        };
        await real.seats.put(keys[i] as string, JSON.stringify(record));
      }
      // The sidecar learns of seats through a KV watch: wait until it lists the match.
      await waitFor(
        async () => {
          const res = await fetch(`${real.url}/v1/match`);
          const body = (await res.json()) as { matches: { players: unknown[] }[] };
          return body.matches[0]?.players.length === players.length;
        },
        { timeoutMs: 10_000 },
      );
      return async () => {
        for (const key of keys) await real.seats.delete(key);
      };
    },
    close: () => real.close(),
  };
});
