// `mapped` port mode: each port gets a different external port, and TCP and UDP traffic sent
// to the external port reaches the process on its internal port (and back).
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { waitFor } from '@playgap/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EdgegapClient, type EdgegapLocal } from '../src/index.js';
import { fixture, startLocal } from './helpers.js';

let local: EdgegapLocal;
let edgegap: EdgegapClient;

beforeAll(async () => {
  local = await startLocal({
    portMode: 'mapped',
    apps: [
      {
        name: 'game',
        versions: [
          {
            name: 'v1',
            command: process.execPath,
            arguments: [fixture('udp-tcp-echo.mjs')],
            ports: [
              { name: 'game', port: 7777, protocol: 'TCP', to_check: true },
              { name: 'voice', port: 7778, protocol: 'UDP', to_check: true },
            ],
            termination_grace_period_seconds: 1,
          },
        ],
      },
    ],
  });
  edgegap = new EdgegapClient({ apiUrl: local.url, apiKey: local.apiKey });
});
afterAll(() => local.close());

function tcpRoundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    socket.once('data', (d) => {
      socket.destroy();
      resolve(String(d));
    });
    socket.once('error', reject);
  });
}

function udpRoundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error('no UDP reply'));
    }, 2000);
    socket.once('message', (msg) => {
      clearTimeout(timer);
      socket.close();
      resolve(String(msg));
    });
    socket.send(text, port, '127.0.0.1');
  });
}

it('relays TCP and UDP from a different external port to the internal port', async () => {
  const { requestId } = await edgegap.deploy({
    application: 'game',
    version: 'v1',
    users: [{ ipAddress: '1.2.3.4' }],
  });
  const ready = await waitFor(
    async () => {
      const s = await edgegap.getStatus(requestId);
      return s.ready ? s : undefined;
    },
    { what: 'READY', timeoutMs: 20_000, retryErrors: true },
  );
  const game = ready.ports.game!;
  const voice = ready.ports.voice!;
  expect(game.external).not.toBe(game.internal);
  expect(voice.external).not.toBe(voice.internal);
  expect(await tcpRoundTrip(game.external, 'hello')).toBe(`tcp:${game.internal}:hello`);
  // UDP has no handshake: retry a few datagrams until the server socket is bound.
  const reply = await waitFor(() => udpRoundTrip(voice.external, 'ping').catch(() => ''), {
    what: 'UDP echo',
    timeoutMs: 20_000,
    retryErrors: true,
  });
  expect(reply).toBe(`udp:${voice.internal}:ping`);
  await edgegap.stopDeployment(requestId);
  await waitFor(async () => (await edgegap.getStatus(requestId)).status === 'Status.TERMINATED', {
    what: 'end',
    timeoutMs: 20_000,
    retryErrors: true,
  });
  // The relay is gone with the deployment.
  await expect(tcpRoundTrip(game.external, 'x')).rejects.toThrow();
});
