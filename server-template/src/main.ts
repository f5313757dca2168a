/**
 * The arena's game server: playgap wiring only (the game is in ./game). Run it under the
 * sidecar: `playgap-sidecar run -- node server-template/dist/main.js`.
 *
 * Env: TICK_HZ (default 20), MAX_PLAYERS (default: the sidecar's capacity),
 * STATS_INTERVAL_MS (log tick p99/missed this often; 0 = never, default 0).
 */
import { createGameServer } from '@playgap/server';
import { Arena } from './game/arena.js';
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
const arena = new Arena(Math.random, { tickHz });
let joined = 0;

// Roster changes wait for the next tick: a burst of joins or leaves costs one reliable message
// per player per tick, not one per change (geckos repeats every reliable message 10 times).
const joinedThisTick = new Set<string>();
const leftThisTick: number[] = [];

server.on('connect', (player) => {
  joined++;
  const id = player.clientId;
  // A queued mode with teams puts the team in the token: the ship's label shows it.
  const name = player.info.name || `Pilot ${joined}`;
  arena.addShip(id, player.info.team ? `${name} (${player.info.team})` : name);
  // Static info goes once, reliably: the newcomer learns every ship now, the others at the tick.
  player.send(arena.welcome(id));
  player.send(arena.roster());
  joinedThisTick.add(id);
  player.on('message', (message) => {
    // Inputs go into the ship's buffer; a ping gets its pong straight back.
    const reply = arena.receive(id, message);
    if (reply) player.send(reply, { reliable: false });
  });
});
// A dropped player's ship stays (parked) for the reconnect grace; `disconnect` comes when the
// player is gone for good. A player back from a drop (a reload: a fresh page) gets the static
// info again.
server.on('playerDisconnected', (player) => arena.resetInputs(player.clientId));
server.on('playerReconnected', (player) => {
  arena.resetInputs(player.clientId);
  player.send(arena.welcome(player.clientId));
  player.send(arena.roster());
});
server.on('disconnect', (player) => {
  const n = arena.removeShip(player.clientId);
  joinedThisTick.delete(player.clientId);
  if (n !== undefined) leftThisTick.push(n);
});

const loop = startTickLoop({
  hz: tickHz,
  onTick: (tick, dtMs) => {
    if (leftThisTick.length > 0) {
      server.broadcast({ type: 'leave', ships: leftThisTick.splice(0) });
    }
    if (joinedThisTick.size > 0) {
      // Newcomers get their own entry again: harmless.
      server.broadcast(arena.roster(joinedThisTick));
      joinedThisTick.clear();
    }
    if (arena.size === 0) return;
    arena.step(dtMs, tick);
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
