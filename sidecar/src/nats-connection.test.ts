import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { natsConnectionOptions } from './nats-connection.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

const base = { PLAYGAP_APP: 'a', PLAYGAP_PROTOCOL_ID: '1', PLAYGAP_PRIVATE_KEY: 'ab'.repeat(32) };

describe('natsConnectionOptions', () => {
  it('reconnects forever and splits a server list', () => {
    const options = natsConnectionOptions(
      loadConfig({ ...base, NATS_URL: 'nats://a:1, nats://b:2' }, ['--local']).nats,
    );
    expect(options.maxReconnectAttempts).toBe(-1);
    expect(options.servers).toEqual(['nats://a:1', 'nats://b:2']);
  });

  it('uses NATS_HOST with the default port form and user/password auth', () => {
    const options = natsConnectionOptions(
      loadConfig({ ...base, NATS_HOST: '10.0.0.2:4333', NATS_USER: 'u', NATS_PASSWORD: 'p' }, [
        '--local',
      ]).nats,
    );
    expect(options.servers).toEqual(['nats://10.0.0.2:4333']);
    expect(options.user).toBe('u');
    expect(options.pass).toBe('p');
  });

  it('turns CA contents (with escaped newlines), CA path and NATS_INSECURE into TLS options', () => {
    const options = natsConnectionOptions(
      loadConfig({ ...base, NATS_CA: '/etc/ca.pem', NATS_INSECURE: 'true' }, [
        '--local',
        '--ca-contents',
        'A\\nB',
      ]).nats,
    );
    expect(options.tls).toEqual({ caFile: '/etc/ca.pem', ca: 'A\nB', rejectUnauthorized: false });
  });

  it('builds an authenticator from a creds file and names NATS_CREDS when it is missing', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'sidecar-nats-'));
    dir = tmp;
    const creds = join(tmp, 'user.creds');
    await writeFile(creds, 'not really creds');
    expect(
      natsConnectionOptions(loadConfig({ ...base, NATS_CREDS: creds }, ['--local']).nats)
        .authenticator,
    ).toBeTypeOf('function');
    expect(() =>
      natsConnectionOptions(
        loadConfig({ ...base, NATS_CREDS: join(tmp, 'nope') }, ['--local']).nats,
      ),
    ).toThrow(/NATS_CREDS/);
    expect(() =>
      natsConnectionOptions(
        loadConfig({ ...base, NATS_NKEY: join(tmp, 'nope') }, ['--local']).nats,
      ),
    ).toThrow(/NATS_NKEY/);
  });
});
