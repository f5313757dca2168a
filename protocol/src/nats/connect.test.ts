import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type RunningNatsServer, startNatsServer } from '@playgap/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { connectNats } from './connect.js';
import { redactSecrets, redactUrl } from './redact.js';
import { NatsConfigError, natsSettingsFromEnv } from './settings.js';

describe('connectNats', () => {
  let nats: RunningNatsServer | undefined;
  afterEach(async () => {
    await nats?.stop();
    nats = undefined;
  });

  it('logs every failed first attempt, without the password, and connects once NATS is up', async () => {
    const port = await freePort();
    const lines: Record<string, unknown>[] = [];
    let upAfterLines = 2;
    const log = (msg: string, fields: Record<string, unknown>) => {
      lines.push({ msg, ...fields });
      if (--upAfterLines === 0)
        void startNatsServer({ port, jetstream: false }).then((server) => {
          nats = server;
        });
    };
    const settings = natsSettingsFromEnv({ NATS_URL: `nats://127.0.0.1:${port}` });
    const nc = await connectNats(settings, {
      name: 'playgap-test',
      log,
      retryMs: 50,
      retryMaxMs: 200,
    });
    try {
      expect(nc.getServer()).toBe(`127.0.0.1:${port}`);
      expect(lines.length).toBeGreaterThanOrEqual(2);
      expect(lines[0]).toMatchObject({
        msg: 'NATS not reachable; retrying',
        attempt: 1,
        servers: `nats://127.0.0.1:${port}`,
      });
      // The shared backoff: doubling ceilings, each wait jittered into its upper half.
      expect(lines[0]?.retryInMs).toBeGreaterThanOrEqual(25);
      expect(lines[0]?.retryInMs).toBeLessThanOrEqual(50);
      expect(lines[1]).toMatchObject({ attempt: 2 });
      expect(lines[1]?.retryInMs).toBeGreaterThanOrEqual(50);
      expect(lines[1]?.retryInMs).toBeLessThanOrEqual(100);
      expect(String(lines[0]?.error)).not.toBe('');
    } finally {
      await nc.close();
    }
  });

  it('gives up with undefined once aborted, and never logs a password', async () => {
    const port = await freePort();
    const lines: string[] = [];
    const stopping = new AbortController();
    const nc = await connectNats(
      natsSettingsFromEnv({
        NATS_URL: `nats://u:s3cret@127.0.0.1:${port}`,
        NATS_USER: 'u',
        NATS_PASSWORD: 's3cret',
      }),
      {
        name: 'playgap-test',
        log: (msg, fields) => {
          lines.push(JSON.stringify({ msg, ...fields }));
          if (lines.length === 3) stopping.abort();
        },
        signal: stopping.signal,
        retryMs: 10,
      },
    );
    expect(nc).toBeUndefined();
    expect(lines).toHaveLength(3);
    expect(lines.join('\n')).not.toContain('s3cret');
    expect(lines[0]).toContain(`nats://u:***@127.0.0.1:${port}`);
  });

  it('rejects at once, without retrying, when the creds file cannot be read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'protocol-nats-'));
    try {
      const lines: string[] = [];
      await expect(
        connectNats(natsSettingsFromEnv({ NATS_CREDS: join(dir, 'nope') }), {
          name: 'playgap-test',
          log: (msg) => lines.push(msg),
        }),
      ).rejects.toBeInstanceOf(NatsConfigError);
      expect(lines).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('redacts the password or bare token of a URL and nothing else', () => {
    expect(redactUrl('nats://u:p@h:4222')).toBe('nats://u:***@h:4222');
    expect(redactUrl('tls://h:4222')).toBe('tls://h:4222');
    expect(redactUrl('nats://t0ken@h:4222')).toBe('nats://***@h:4222');
    expect(redactUrl('a nats://u:p@h:1, nats://v:q@k:2')).toBe(
      'a nats://u:***@h:1, nats://v:***@k:2',
    );
    expect(redactUrl('nats://u:p@ss@h:4222')).toBe('nats://u:***@h:4222');
    expect(redactUrl('nats://u:p@h:1,nats://v:q@k:2')).toBe('nats://u:***@h:1,nats://v:***@k:2');
  });

  it('redacts the configured password and URL passwords, as written and decoded, from any text', () => {
    const settings = natsSettingsFromEnv({
      NATS_URL: 'nats://u:pa ss@h:1',
      NATS_USER: 'u',
      NATS_PASSWORD: 'other-secret',
    });
    const text = 'auth failed: pa ss / pa%20ss / other-secret';
    expect(redactSecrets(text, settings)).toBe('auth failed: *** / *** / ***');
  });

  it('ends its wait between attempts as soon as it is aborted', async () => {
    const port = await freePort();
    const stopping = new AbortController();
    const nc = await connectNats(natsSettingsFromEnv({ NATS_URL: `nats://127.0.0.1:${port}` }), {
      name: 'playgap-test',
      log: () => stopping.abort(),
      signal: stopping.signal,
      retryMs: 3_600_000, // an hour: only the abort can end this wait within the test timeout
      retryMaxMs: 3_600_000,
    });
    expect(nc).toBeUndefined();
  });

  it('redacts a URL password that is not valid percent-encoding', () => {
    const settings = natsSettingsFromEnv({ NATS_URL: 'nats://u:a%zz@h:1', NATS_USER: 'u' });
    expect(redactSecrets('auth failed for a%zz', settings)).toBe('auth failed for ***');
  });
});
