import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, nkeys } from '@nats-io/transport-node';
import { startNatsServer } from '@playgap/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { natsConnectionOptions } from './options.js';
import { natsSettingsFromEnv } from './settings.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'protocol-nats-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const options = (env: Record<string, string>, flags = {}) =>
  natsConnectionOptions(natsSettingsFromEnv(env, flags), 'playgap-test');

describe('natsConnectionOptions', () => {
  it('reconnects forever and splits a server list', () => {
    const built = options({ NATS_URL: 'nats://a:1, nats://b:2' });
    expect(built.maxReconnectAttempts).toBe(-1);
    expect(built.servers).toEqual(['nats://a:1', 'nats://b:2']);
    expect(built.name).toBe('playgap-test');
  });

  it('uses NATS_HOST with the default port form and user/password auth', () => {
    const built = options({ NATS_HOST: '10.0.0.2:4333', NATS_USER: 'u', NATS_PASSWORD: 'p' });
    expect(built.servers).toEqual(['nats://10.0.0.2:4333']);
    expect(built.user).toBe('u');
    expect(built.pass).toBe('p');
    expect(built.tls).toBeUndefined();
  });

  it('turns CA contents (with escaped newlines) over a CA path, and NATS_INSECURE, into TLS', async () => {
    const caFile = join(dir, 'ca.pem');
    await writeFile(caFile, 'pem');
    expect(
      options({ NATS_CA: '/nonexistent/ca.pem', NATS_INSECURE: 'true' }, { caContents: 'A\\nB' })
        .tls,
    ).toEqual({ ca: 'A\nB', rejectUnauthorized: false });
    expect(options({ NATS_CA: caFile }).tls).toEqual({ caFile });
    expect(() => options({ NATS_CA: join(dir, 'nope.pem') })).toThrow(
      /^NATS_CA names a file that cannot be read/,
    );
    expect(options({ NATS_INSECURE: '1' }).tls).toEqual({ rejectUnauthorized: false });
  });

  it('insists on TLS for a tls:// URL, so a plain server never sees the password', async () => {
    expect(options({ NATS_URL: 'tls://h:1' }).tls).toEqual({});
    const plain = await startNatsServer();
    try {
      await expect(
        connect({
          ...options({ NATS_URL: `tls://127.0.0.1:${plain.port}` }),
          maxReconnectAttempts: 0,
          timeout: 3_000,
        }),
      ).rejects.toThrow();
    } finally {
      await plain.stop();
    }
  });

  it('builds an authenticator from a creds file and names NATS_CREDS when it is missing', async () => {
    const creds = join(dir, 'user.creds');
    await writeFile(creds, 'not really creds');
    expect(options({ NATS_CREDS: creds }).authenticator).toBeTypeOf('function');
    expect(() => options({ NATS_CREDS: join(dir, 'nope') })).toThrow(
      /^NATS_CREDS names a file that cannot be read/,
    );
    // Creds win, so a missing nkey file next to them does not matter.
    expect(() => options({ NATS_CREDS: creds, NATS_NKEY: join(dir, 'nope') })).not.toThrow();
  });

  it('signs in with an nkey seed file and names NATS_NKEY when it is missing', async () => {
    const user = nkeys.createUser();
    const conf = join(dir, 'nkey.conf');
    await writeFile(conf, `authorization { users = [ { nkey: "${user.getPublicKey()}" } ] }\n`);
    const seedFile = join(dir, 'user.nk');
    await writeFile(seedFile, `${new TextDecoder().decode(user.getSeed())}\n`);
    const nats = await startNatsServer({ jetstream: false, args: ['-c', conf] });
    try {
      const nc = await connect(options({ NATS_URL: nats.url, NATS_NKEY: seedFile }));
      await nc.flush();
      await nc.close();
      await expect(connect({ servers: nats.url, reconnect: false })).rejects.toThrow(
        /Authorization/i,
      );
    } finally {
      await nats.stop();
    }
    expect(() => options({ NATS_NKEY: join(dir, 'nope') })).toThrow(/^NATS_NKEY /);
  });
});
