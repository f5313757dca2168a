/**
 * Run N bots against a matchmaker front:
 *   npx tsx bench/bots/run-bots.ts --front http://127.0.0.1:8080 --game arena --version 1 \
 *     --count 10 --transport webrtc --seconds 30
 */
import { parseArgs } from 'node:util';
import { type Bot, endpointFor, matchmake, playBot } from './bot.js';
import type { BotTransport } from './bot-transports.js';

const { values } = parseArgs({
  options: {
    front: { type: 'string', default: 'http://127.0.0.1:8080' },
    game: { type: 'string', default: 'arena' },
    version: { type: 'string', default: '1' },
    count: { type: 'string', default: '4' },
    transport: { type: 'string', default: 'webrtc' },
    seconds: { type: 'string', default: '30' },
  },
});
const transport = values.transport as BotTransport;
const bots: Bot[] = [];
for (let i = 0; i < Number(values.count); i++) {
  const started = performance.now();
  const reply = await matchmake(values.front, {
    game: values.game,
    version: values.version,
    name: `bot-${i}`,
    transports: [transport],
  });
  const bot = await playBot(transport, endpointFor(reply, transport));
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (bot.snapshots > 0) {
        clearInterval(check);
        resolve();
      }
    }, 5);
  });
  console.log(
    `bot-${i}: ${transport} first snapshot after ${Math.round(performance.now() - started)} ms`,
  );
  bots.push(bot);
}
await new Promise((r) => setTimeout(r, Number(values.seconds) * 1000));
for (const b of bots) b.stop();
console.log(JSON.stringify({ bots: bots.length, snapshots: bots.map((b) => b.snapshots) }));
process.exit(0);
