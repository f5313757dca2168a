import { freePort } from '@playgap/testkit';
import { describe, expect, it } from 'vitest';
import { createGameServer, SidecarClient, SidecarUnavailableError } from '../src/index.js';
import { startStubSidecar } from './stub-sidecar.js';

describe('waiting for the sidecar', () => {
  it('retries until a sidecar that starts late answers, then starts', async () => {
    const port = await freePort();
    const game = await freePort();
    const starting = createGameServer({
      sidecarUrl: `http://127.0.0.1:${port}`,
      host: '127.0.0.1',
      handleSignals: false,
      log: () => {},
    });
    // the game server is already polling; the sidecar comes up after a few failed attempts
    await new Promise((r) => setTimeout(r, 150));
    const sidecar = await startStubSidecar({
      port,
      ports: { game: { name: 'game', internal: game, external: game, protocol: 'TCP' } },
    });
    const server = await starting;
    expect(server.info.serverId).toBe('stub-1');
    expect(sidecar.ready).toHaveLength(1);
    await server.close();
    await sidecar.close();
  });

  it('gives up with SidecarUnavailableError (SERVER_NOT_READY) when no sidecar answers', async () => {
    const port = await freePort();
    const client = new SidecarClient({ url: `http://127.0.0.1:${port}` });
    const err = await client.waitUntilUp({ timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SidecarUnavailableError);
    expect((err as SidecarUnavailableError).code).toBe('SERVER_NOT_READY');
  });

  it('refuses to start without PLAYGAP_SIDECAR_URL, naming the variable', async () => {
    await expect(createGameServer({ env: {}, handleSignals: false })).rejects.toThrow(
      /PLAYGAP_SIDECAR_URL/,
    );
  });
});
