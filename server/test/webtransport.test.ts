import { WebTransport } from '@fails-components/webtransport';
import { freePort, waitFor } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createGameServer,
  encodeFrame,
  FrameDecoder,
  type GameServer,
  type Player,
} from '../src/index.js';
import { type StubSidecar, startStubSidecar } from './stub-sidecar.js';
import { makeTestCert } from './test-cert.js';

let sidecar: StubSidecar;
let server: GameServer;
let cert: Awaited<ReturnType<typeof makeTestCert>>;
let base: string;

beforeAll(async () => {
  cert = await makeTestCert();
  const wt = await freePort();
  sidecar = await startStubSidecar({
    ports: { wt: { name: 'wt', internal: wt, external: wt, protocol: 'TCP/UDP' } },
    certFile: cert.certFile,
    keyFile: cert.keyFile,
  });
  server = await createGameServer({
    sidecarUrl: sidecar.url,
    host: '127.0.0.1',
    handleSignals: false,
    transports: { webtransport: 'http2' },
    authTimeoutMs: 1_000,
    log: () => {},
  });
  base = `https://127.0.0.1:${server.ports.wt}/wt`;
});
afterAll(async () => {
  await server?.close();
  await sidecar?.close();
  await cert?.cleanup();
});

interface Stream {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
}
// biome-ignore lint/suspicious/noExplicitAny: the library's client types are loose
type Session = any;

function open(url = base, hash = cert.hash): Session {
  const client = new WebTransport(url, {
    serverCertificateHashes: [{ algorithm: 'sha-256', value: hash }],
    forceReliable: true,
  } as never);
  client.closed.catch(() => {});
  return client;
}

/** A session whose first stream carries the auth frame, as the browser SDK sends it. */
function connect(token: string): Session {
  const client = open();
  client.stream = client.ready.then(async () => {
    const stream = (await client.createBidirectionalStream()) as Stream;
    const writer = stream.writable.getWriter();
    await writer.write(encodeFrame({ type: 'auth', token }));
    writer.releaseLock();
    return stream;
  });
  return client;
}

async function firstStream(client: Session): Promise<Stream> {
  return client.stream;
}

async function readMessage(reader: ReadableStreamDefaultReader<Uint8Array>, decoder: FrameDecoder) {
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error('stream ended');
    const [m] = decoder.push(value);
    if (m !== undefined) return m as Record<string, unknown>;
  }
}

describe('WebTransport transport (HTTP/2 mode)', () => {
  it('is not offered to browsers in HTTP/2 mode (they need HTTP/3)', () => {
    expect(sidecar.ready[0]?.transports).toEqual([]);
    expect(server.ports.wt).toBeGreaterThan(0);
  });

  it('admits the token of the first frame, welcomes on that stream, round-trips reliable messages and datagrams', async () => {
    sidecar.addToken('ab+/cd==', '77', 'Wendy');
    const connected = new Promise<Player>((r) => server.once('connect', r));
    const client = connect('ab+/cd==');
    await client.ready;
    const stream = await firstStream(client);
    const reader = stream.readable.getReader();
    const decoder = new FrameDecoder(65536);
    expect(await readMessage(reader, decoder)).toEqual({
      type: 'welcome',
      clientId: '77',
      serverId: 'stub-1',
      player: { name: 'Wendy' },
    });
    const player = await connected;
    expect(player.transport).toBe('webtransport');
    player.on('message', (m) => player.send({ echo: m }));
    const writer = stream.writable.getWriter();
    await writer.write(encodeFrame({ t: 'input', left: true }));
    expect(await readMessage(reader, decoder)).toEqual({ echo: { t: 'input', left: true } });

    const dgReader = client.datagrams.readable.getReader();
    player.send({ t: 'snapshot', tick: 1 }, { reliable: false });
    const { value } = await dgReader.read();
    expect(JSON.parse(Buffer.from(value).toString())).toEqual({ t: 'snapshot', tick: 1 });
    server.broadcast({ t: 'snapshot', tick: 2 }, { reliable: false });
    const next = await dgReader.read();
    expect(JSON.parse(Buffer.from(next.value).toString())).toEqual({ t: 'snapshot', tick: 2 });
    server.broadcast({ t: 'chat', text: 'hi' });
    expect(await readMessage(reader, decoder)).toEqual({ t: 'chat', text: 'hi' });

    const gone = new Promise((r) => server.once('disconnect', r));
    client.close({ closeCode: 0, reason: 'bye' });
    await gone;
    await waitFor(() => sidecar.disconnects.includes('77'), {
      timeoutMs: 3_000,
      what: 'disconnect report',
    });
  });

  it('closes the session with 4005 on an oversized reliable frame, and frees the seat', async () => {
    sidecar.addToken('big1', '78');
    const client = connect('big1');
    await client.ready;
    const stream = await firstStream(client);
    const writer = stream.writable.getWriter();
    await writer.write(new Uint8Array([0x7f, 0, 0, 0])); // claims a 2 GiB frame
    const info = await client.closed.catch((e: unknown) => e);
    expect(info).toMatchObject({ closeCode: 4005 });
    await waitFor(() => sidecar.disconnects.includes('78'), {
      timeoutMs: 3_000,
      what: 'disconnect report',
    });
  });

  it('drops a datagram that is not JSON and keeps the session', { timeout: 5_000 }, async () => {
    sidecar.addToken('dgr1', '79');
    const connected = new Promise<Player>((r) => server.once('connect', r));
    const client = connect('dgr1');
    await client.ready;
    await firstStream(client);
    const player = await connected;
    const got = new Promise((r) => player.once('message', r));
    const dg = client.datagrams.createWritable().getWriter();
    await dg.write(new Uint8Array(Buffer.from('{nope')));
    await dg.write(new Uint8Array(Buffer.from(JSON.stringify({ t: 'ok' }))));
    expect(await got).toEqual({ t: 'ok' });
    expect(player.connected).toBe(true);
    client.close({ closeCode: 0, reason: '' });
  });

  it('closes the session with code 4001 and the refusal JSON for a refused token', async () => {
    sidecar.refuseToken('old1', 'TOKEN_EXPIRED');
    const client = connect('old1');
    await client.ready.catch(() => {});
    const info = await client.closed.catch((e: unknown) => e);
    expect(info).toMatchObject({ closeCode: 4001 });
    expect(JSON.parse((info as { reason: string }).reason).code).toBe('TOKEN_EXPIRED');
  });

  it('refuses a first frame that is not an auth message with TOKEN_MALFORMED', async () => {
    const client = open();
    await client.ready;
    const stream = (await client.createBidirectionalStream()) as Stream;
    await stream.writable.getWriter().write(encodeFrame({ type: 'input', token: 7 }));
    const info = await client.closed.catch((e: unknown) => e);
    expect(info).toMatchObject({ closeCode: 4001 });
    expect(JSON.parse((info as { reason: string }).reason).code).toBe('TOKEN_MALFORMED');
  });

  it('closes a session that sends no auth frame in time with 4002', async () => {
    const client = open();
    await client.ready;
    const info = await client.closed.catch((e: unknown) => e);
    expect(info).toMatchObject({ closeCode: 4002 });
    expect(JSON.parse((info as { reason: string }).reason).code).toBe('REQUEST_TIMEOUT');
  });

  it('ignores a token in the URL: the session still has to authenticate', async () => {
    sidecar.addToken('url1', '80');
    const client = open(`${base}?token=url1`);
    await client.ready;
    const info = await client.closed.catch((e: unknown) => e);
    expect(info).toMatchObject({ closeCode: 4002 });
  });

  it('switches to the renewed certificate on the sidecar certificate event', async () => {
    const renewed = await makeTestCert();
    try {
      const early = open(base, renewed.hash);
      expect(
        await early.ready.then(
          () => true,
          () => false,
        ),
      ).toBe(false); // not the served cert yet
      await waitFor(() => sidecar.followers() > 0, { timeoutMs: 3_000, what: 'event stream' });
      sidecar.push('certificate', {
        certFile: renewed.certFile,
        keyFile: renewed.keyFile,
        certDigest: [...renewed.hash].map((b) => b.toString(16).padStart(2, '0')).join(':'),
        certHashBase64: Buffer.from(renewed.hash).toString('base64'),
        certNotAfter: Date.now() + 10 * 86_400_000,
      });
      let accepted = false;
      for (let i = 0; i < 50 && !accepted; i++) {
        sidecar.addToken(`rn${String(i).padStart(2, '0')}`, String(900 + i));
        const client = open(base, renewed.hash);
        accepted = await client.ready.then(
          () => true,
          () => false,
        );
        if (accepted) client.close({ closeCode: 0, reason: '' });
        else await new Promise((r) => setTimeout(r, 50));
      }
      expect(accepted).toBe(true);
    } finally {
      await renewed.cleanup();
    }
  });
});
