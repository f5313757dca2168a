/**
 * The arena's game server: playgap wiring only (the game is in ./game). Run it under the
 * sidecar: `playgap-sidecar run -- node server-template/dist/main.js`.
 *
 * Env: TICK_HZ (default 20), MAX_PLAYERS (default: the sidecar's capacity),
 * STATS_INTERVAL_MS (log tick p99/missed this often; 0 = never, default 0).
 */
import { createGameServer } from '@playgap/server';
import { Arena, parseInput } from './game/arena.js';
import { percentile, startTickLoop } from './tick-loop.js';

function intFromEnv(
  name: string,
  fallback: number | undefined,
  min: number,
  max: number,
): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) {
    console.error(`${name} must be an integer ${min}-${max}`);
    process.exit(2);
  }
  return v;
}

const tickHz = intFromEnv('TICK_HZ', 20, 1, 240) ?? 20;
const capacity = intFromEnv('MAX_PLAYERS', undefined, 1, 10_000);
const statsIntervalMs = intFromEnv('STATS_INTERVAL_MS', 0, 0, 3_600_000) ?? 0;

const server = await createGameServer(capacity === undefined ? {} : { capacity });
const arena = new Arena();
let joined = 0;

server.on('connect', (player) => {
  joined++;
  const id = player.clientId;
  arena.addShip(id, player.info.name || `Pilot ${joined}`);
  // Static info goes once, reliably: the newcomer learns every ship, the others the new one.
  player.send(arena.welcome(id));
  player.send(arena.roster());
  server.broadcast(arena.roster(id)); // the newcomer gets its own entry twice: harmless
  player.on('message', (message) => {
    const input = parseInput(message);
    if (input) arena.setInput(id, input);
  });
});
server.on('disconnect', (player) => {
  const n = arena.removeShip(player.clientId);
  if (n !== undefined) server.broadcast({ type: 'leave', n });
});

const loop = startTickLoop({
  hz: tickHz,
  onTick: (tick, dtMs) => {
    if (arena.size === 0) return;
    arena.step(dtMs);
    server.broadcast(arena.snapshot(tick), { reliable: false });
  },
});
server.on('close', () => loop.stop());

if (statsIntervalMs > 0) {
  setInterval(() => {
    const d = loop.stats.durationsMs;
    console.log(
      JSON.stringify({
        stats: 'tick',
        players: server.players.size,
        ticks: loop.stats.ticks,
        missed: loop.stats.missed,
        p50Ms: percentile(d, 50),
        p99Ms: percentile(d, 99),
        maxMs: Math.max(0, ...d),
      }),
    );
    d.length = 0; // each line covers one interval
  }, statsIntervalMs).unref();
}
console.log(
  `[arena] ${server.info.serverId} up: ${tickHz} Hz, transports ${server.offers.map((o) => o.kind).join(', ')}`,
);
