/**
 * A bot player: matchmakes through the front (`POST /matchmaker/wannaplay`) or takes a token,
 * connects over a chosen transport, then plays the arena with random inputs and counts the
 * snapshots it receives.
 */
import { type BotLink, type BotTransport, connectBot } from './bot-transports.js';

export interface PlayReplyLike {
  token: string;
  certDigest: string;
  transports: { kind: string; url: string; port: number }[];
}

/**
 * Ask the matchmaker front for a seat.
 *
 * @example
 * const reply = await matchmake('http://127.0.0.1:8080', { game: 'arena', version: '1', name: 'bot-1' });
 */
export async function matchmake(
  frontUrl: string,
  request: { game: string; version: string; name?: string; transports?: string[] },
  timeoutMs = 60_000,
): Promise<PlayReplyLike> {
  const res = await fetch(new URL('/matchmaker/wannaplay', frontUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await res.json()) as PlayReplyLike & { code?: string; message?: string };
  if (!res.ok || !body.token)
    throw new Error(`matchmaking failed: ${body.code ?? res.status} ${body.message ?? ''}`);
  return body;
}

export interface Bot {
  link: BotLink;
  snapshots: number;
  lastTick: number;
  stop(): void;
}

/**
 * Connect and play: input every `inputEveryMs`, a new random direction every `changeEvery` inputs.
 *
 * @example
 * const bot = await playBot('webrtc', { url: 'http://127.0.0.1:4000', token });
 */
export async function playBot(
  transport: BotTransport,
  target: { url: string; token: string; certDigest?: string; timeoutMs?: number },
  inputEveryMs = 250,
  changeEvery = 4,
): Promise<Bot> {
  const link = await connectBot(transport, target);
  const bot: Bot = { link, snapshots: 0, lastTick: 0, stop: () => {} };
  link.onMessage((m) => {
    const msg = m as { type?: string; tick?: number };
    if (msg.type === 'snapshot') {
      bot.snapshots++;
      bot.lastTick = msg.tick ?? 0;
    }
  });
  const axis = () => (Math.floor(Math.random() * 3) - 1) as -1 | 0 | 1;
  // Like the browser client: a change is sent reliable, the periodic repeat unreliable
  // (geckos sends a reliable message 10 times, so reliable repeats would be 10x the traffic).
  let input = { type: 'input', x: axis(), y: axis() };
  let beat = 0;
  const timer = setInterval(() => {
    const change = beat++ % changeEvery === 0;
    if (change) input = { type: 'input', x: axis(), y: axis() };
    link.send(input, change);
  }, inputEveryMs);
  bot.stop = () => {
    clearInterval(timer);
    link.close();
  };
  return bot;
}

/** Pick the endpoint of `kind` from a matchmaker reply. */
export function endpointFor(
  reply: PlayReplyLike,
  kind: BotTransport,
): { url: string; token: string; certDigest: string } {
  const e = reply.transports.find((t) => t.kind === kind);
  if (!e) throw new Error(`the server offers no ${kind}`);
  // The webrtc endpoint is a signaling base URL plus a separate port (geckos' url/port pair).
  const url = new URL(e.url);
  if (url.port === '' && e.port) url.port = String(e.port);
  return {
    url: url.toString().replace(/\/$/, ''),
    token: reply.token,
    certDigest: reply.certDigest,
  };
}
