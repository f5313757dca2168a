/**
 * The arena server as it ships: `playgap-sidecar run -- node server-template/dist/main.js` on a
 * real nats-server (build first), players connecting with minted tokens over each transport.
 */
import { fileURLToPath } from 'node:url';
import { freePort, type RunningNatsServer, startNatsServer, waitFor } from '@playgap/testkit';
import { type RealSidecar, startRealSidecar } from '@playgap/testkit/real-sidecar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BotLink, connectBot } from '../../bench/bots/bot-transports.js';
import { type RosterEntry, readPoses, type SnapshotMessage } from '../src/game/arena.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

let nats: RunningNatsServer;
let sidecar: RealSidecar;
let ports: { game: number; rtc: number; wt: number };
let certDigest: string;

interface Snapshot {
  tick: number;
  /** Poses named from the roster (as a client would draw them). */
  ships: { id: string; name: string; x: number; y: number; angle: number }[];
}

/**
 * A connected player that keeps the roster (reliable) and remembers its latest snapshot, named
 * from the roster, and the game-level welcome.
 */
function track(link: BotLink) {
  const state: { latest?: Snapshot; id?: string; roster: Map<number, RosterEntry> } = {
    roster: new Map(),
  };
  link.onMessage((m) => {
    const msg = m as { type?: string; id?: string; ships?: unknown[] };
    if (msg.type === 'roster')
      for (const e of (msg.ships ?? []) as RosterEntry[]) state.roster.set(e[0], e);
    if (msg.type === 'leave') for (const n of msg.ships ?? []) state.roster.delete(n as number);
    if (msg.type === 'welcome') state.id = msg.id;
    if (msg.type === 'snapshot') {
      const snapshot = m as SnapshotMessage;
      state.latest = {
        tick: snapshot.tick,
        ships: readPoses(snapshot).map(({ n, x, y, angle }) => {
          const entry = state.roster.get(n);
          return { id: entry?.[1] ?? '', name: entry?.[2] ?? '', x, y, angle };
        }),
      };
    }
  });
  return state;
}

beforeAll(async () => {
  // No HTTP/3 addon here: the arena runs WebTransport in HTTP/2 mode for the Node bot below
  // (it is then not offered to browsers). The sidecar passes its env on to the game server.
  process.env.PLAYGAP_WEBTRANSPORT = 'http2';
  nats = await startNatsServer();
  ports = { game: await freePort(), rtc: await freePort(), wt: await freePort() };
  sidecar = await startRealSidecar(
    nats,
    [
      { name: 'game', protocol: 'TCP', internal: ports.game },
      { name: 'rtc', protocol: 'UDP', internal: ports.rtc },
      { name: 'wt', protocol: 'TCP/UDP', internal: ports.wt },
    ],
    [process.execPath, MAIN],
    { TICK_HZ: '30' },
  );
  const info = await waitFor(
    async () => {
      const res = await fetch(`${sidecar.url}/v1/info`);
      const body = (await res.json()) as { state: string; certDigest: string };
      return body.state === 'ready' && body;
    },
    { what: 'server ready' },
  );
  certDigest = info.certDigest;
});
afterAll(async () => {
  await sidecar?.close();
  await nats?.stop();
});

describe('arena server under playgap-sidecar run', () => {
  it('two players see each other move, names from the token; one leaves and disappears', async () => {
    const a = await connectBot('websocket', {
      url: `ws://127.0.0.1:${ports.game}/ws`,
      token: await sidecar.ticket(11n, { name: 'Ada', seat: 0 }),
    });
    const b = await connectBot('webrtc', {
      url: `http://127.0.0.1:${ports.game}`,
      token: await sidecar.ticket(12n, { name: 'Bob', seat: 1 }),
    });
    const sa = track(a);
    const sb = track(b);
    expect(a.welcome.player.name).toBe('Ada');
    expect(b.welcome.clientId).toBe('12');
    await waitFor(() => sb.latest?.ships.length === 2 && sb.latest.ships.every((s) => s.name), {
      what: 'both ships, named, in B snapshot',
    });
    expect(sb.latest?.ships.map((s) => s.name).sort()).toEqual(['Ada', 'Bob']);
    const adaStart = sb.latest?.ships.find((s) => s.id === '11');
    const direction = (adaStart?.x ?? 0) > 400 ? -1 : 1;
    a.send({ type: 'input', x: direction, y: 0 }, true);
    await waitFor(
      () => {
        const now = sb.latest?.ships.find((s) => s.id === '11');
        return now && Math.abs(now.x - (adaStart?.x ?? 0)) > 20;
      },
      { what: 'B sees Ada move' },
    );
    expect(sa.id).toBe('11');
    a.close();
    await waitFor(() => sb.latest?.ships.length === 1, { what: 'Ada gone from B snapshot' });
    expect(sb.latest?.ships[0]?.name).toBe('Bob');
    await waitFor(() => sb.roster.size === 1, { what: 'Ada gone from B roster' });
    b.close();
  });

  it('WebTransport (HTTP/2) works with the sidecar certificate', async () => {
    const c = await connectBot('webtransport', {
      url: `https://127.0.0.1:${ports.wt}/wt`,
      token: await sidecar.ticket(13n, { name: 'Cy', seat: 2 }),
      certDigest,
    });
    const sc = track(c);
    await waitFor(() => sc.latest?.ships.some((s) => s.name === 'Cy'), {
      what: 'snapshot over WebTransport',
    });
    c.close();
  });

  it('stops cleanly on SIGTERM with players connected: they are closed, exit code 0', async () => {
    const ws = await connectBot('websocket', {
      url: `ws://127.0.0.1:${ports.game}/ws`,
      token: await sidecar.ticket(14n, { seat: 3 }),
    });
    const rtc = await connectBot('webrtc', {
      url: `http://127.0.0.1:${ports.game}`,
      token: await sidecar.ticket(15n, { seat: 4 }),
    });
    const wsClosed = new Promise((r) => ws.onClose(() => r(true)));
    const started = Date.now();
    sidecar.process.kill('SIGTERM');
    const code = await new Promise((r) => sidecar.process.once('exit', (c) => r(c)));
    expect(code).toBe(0);
    expect(await wsClosed).toBe(true);
    expect(Date.now() - started).toBeLessThan(9_000); // well before the sidecar's SIGKILL grace
    rtc.close();
  });
});
