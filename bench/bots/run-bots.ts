/**
 * Run N bots against a matchmaker front. The defaults are what `npm start` runs: the front on
 * http://127.0.0.1:$PLAYGAP_PORT (8080 when unset), app `arena`, version `1.0.0`.
 *   npx tsx bench/bots/run-bots.ts --count 10 --transport webrtc --seconds 30
 *   npx tsx bench/bots/run-bots.ts --front http://127.0.0.1:8080 --game arena --version 1.0.0
 * Each bot prints the time from its request to its first snapshot; the last line is JSON.
 * Exit codes: 0 done, 1 a bot failed (matchmaking, connect, no snapshot in time), 2 usage.
 */
import { parseArgs } from 'node:util';
import { type Bot, endpointFor, matchmake, playBot } from './bot.js';
import type { BotTransport } from './bot-transports.js';

const USAGE = `Usage: npx tsx bench/bots/run-bots.ts [--front URL] [--game arena] [--version 1.0.0]
  [--count 4] [--transport webrtc|websocket|webtransport] [--seconds 30] [--first-snapshot-ms 30000]
--front defaults to http://127.0.0.1:$PLAYGAP_PORT (PLAYGAP_PORT unset: 8080), as npm start.`;
const TRANSPORTS: readonly BotTransport[] = ['webrtc', 'websocket', 'webtransport'];

function usage(message: string): never {
  console.error(`run-bots: BAD_REQUEST: ${message}\n${USAGE}`);
  process.exit(2);
}

function count(name: string, raw: string, min: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    usage(`--${name} must be an integer ≥ ${min}, not "${raw}".`);
  return value;
}

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      front: { type: 'string', default: `http://127.0.0.1:${process.env.PLAYGAP_PORT || 8080}` },
      game: { type: 'string', default: 'arena' },
      version: { type: 'string', default: '1.0.0' },
      count: { type: 'string', default: '4' },
      transport: { type: 'string', default: 'webrtc' },
      seconds: { type: 'string', default: '30' },
      'first-snapshot-ms': { type: 'string', default: '30000' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (error) {
  usage((error as Error).message);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const transport = values.transport as BotTransport;
if (!TRANSPORTS.includes(transport)) usage(`--transport must be one of ${TRANSPORTS.join(', ')}.`);
const bots = count('count', values.count as string, 1);
const seconds = count('seconds', values.seconds as string, 0);
const firstSnapshotMs = count('first-snapshot-ms', values['first-snapshot-ms'] as string, 1);

/** Resolve once `bot` has a snapshot; reject after `timeoutMs`. */
function firstSnapshot(bot: Bot, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = setInterval(() => {
      if (bot.snapshots > 0) {
        clearInterval(check);
        resolve();
      } else if (performance.now() > deadline) {
        clearInterval(check);
        reject(new Error(`no snapshot within ${timeoutMs} ms of connecting`));
      }
    }, 5);
  });
}

const playing: Bot[] = [];
try {
  for (let i = 0; i < bots; i++) {
    const started = performance.now();
    const reply = await matchmake(values.front as string, {
      game: values.game as string,
      version: values.version as string,
      name: `bot-${i}`,
      transports: [transport],
    });
    const bot = await playBot(transport, endpointFor(reply, transport));
    playing.push(bot);
    await firstSnapshot(bot, firstSnapshotMs);
    console.log(
      `bot-${i}: ${transport} first snapshot after ${Math.round(performance.now() - started)} ms`,
    );
  }
} catch (error) {
  console.error(`run-bots: ${(error as Error).message} (front ${values.front})`);
  for (const b of playing) b.stop();
  process.exit(1);
}
await new Promise((r) => setTimeout(r, seconds * 1000));
for (const b of playing) b.stop();
console.log(JSON.stringify({ bots: playing.length, snapshots: playing.map((b) => b.snapshots) }));
process.exit(0);
