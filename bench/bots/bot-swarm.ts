/**
 * A child process of the capacity bench holding a group of bots, so bots do not share one
 * event loop with each other or with the bench's stand-in sidecar. Reads commands on stdin
 * (`{"join":n}`, `{"report":true}`, `{"stop":true}`), answers JSON lines on stdout.
 *   args: <transport> <url> <first bot id>
 */
import { createInterface } from 'node:readline';
import { type Bot, playBot } from './bot.js';
import type { BotTransport } from './bot-transports.js';

// geckos' client posts a close when a bot stops; once the server is gone that fails.
process.on('unhandledRejection', () => {});

const [transport, url, firstId] = process.argv.slice(2) as [BotTransport, string, string];
let nextId = Number(firstId);
const bots: Bot[] = [];
const say = (m: unknown) => process.stdout.write(`${JSON.stringify(m)}\n`);

createInterface({ input: process.stdin }).on('line', async (line) => {
  const cmd = JSON.parse(line) as { join?: number; report?: boolean; stop?: boolean };
  if (cmd.join) {
    let failed = 0;
    for (let left = cmd.join; left > 0; left -= 5) {
      const batch = Math.min(5, left);
      const joined = await Promise.allSettled(
        Array.from({ length: batch }, () =>
          playBot(transport, { url, token: `bench-${nextId++}`, timeoutMs: 30_000 }),
        ),
      );
      for (const j of joined) {
        if (j.status === 'fulfilled') bots.push(j.value);
        else failed++;
      }
    }
    say({ joined: bots.length, failed });
  }
  if (cmd.report) say({ snapshots: bots.reduce((s, b) => s + b.snapshots, 0), bots: bots.length });
  if (cmd.stop) {
    for (const b of bots) b.stop();
    setTimeout(() => process.exit(0), 500);
  }
});
