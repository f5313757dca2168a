// The stand-in sidecar of the SDK's tests (stub-sidecar.ts) and the real sidecar process pass
// the same contract suite, so the stand-in answers what the sidecar answers.
import { freePort, type RunningNatsServer, startNatsServer } from '@playgap/testkit';
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
    close: () => real.close(),
  };
});
