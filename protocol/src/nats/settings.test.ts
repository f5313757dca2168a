import { describe, expect, it } from 'vitest';
import { NATS_DEFAULTS, NatsConfigError, natsSettingsFromEnv } from './settings.js';

function failure(run: () => unknown): NatsConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof NatsConfigError) return error;
    throw error;
  }
  throw new Error('settings were accepted');
}

describe('natsSettingsFromEnv', () => {
  it('defaults to a local server without auth or TLS, frozen', () => {
    const settings = natsSettingsFromEnv({});
    expect(settings).toEqual({ servers: [NATS_DEFAULTS.url], insecure: false });
    expect(Object.isFrozen(settings)).toBe(true);
    expect(Object.isFrozen(settings.servers)).toBe(true);
  });

  it("takes Bevygap's NATS_HOST as host:port and NATS_URL as a comma list that wins over it", () => {
    expect(natsSettingsFromEnv({ NATS_HOST: '10.0.0.2:4333' }).servers).toEqual([
      'nats://10.0.0.2:4333',
    ]);
    expect(
      natsSettingsFromEnv({ NATS_URL: 'nats://a:1, tls://b:2,', NATS_HOST: 'c:3' }).servers,
    ).toEqual(['nats://a:1', 'tls://b:2']);
    expect(natsSettingsFromEnv({ NATS_URL: 'nats://a:1' }, { url: 'b:2' }).servers).toEqual([
      'nats://b:2',
    ]);
  });

  it('names the variable of a bad server list without echoing its password', () => {
    const error = failure(() => natsSettingsFromEnv({ NATS_URL: 'http://u:s3cret@h:1' }));
    expect(error.variable).toBe('NATS_URL');
    expect(error.message).toMatch(/^NATS_URL must be a comma list of nats:\/\/ or tls:\/\//);
    expect(error.message).not.toContain('s3cret');
    // A '/' or ',' in a password breaks the URL apart: nothing of it may be echoed.
    for (const NATS_URL of ['nats://u:pa/ss@h:1', 'nats://u:pa,ss@h:1', 'nats://u:pa ss/x@h']) {
      const message = failure(() => natsSettingsFromEnv({ NATS_URL })).message;
      expect(message).not.toContain('u:pa');
      expect(message).not.toMatch(/ss[@/]/);
    }
    expect(failure(() => natsSettingsFromEnv({ NATS_URL: 'foo://x' })).message).toContain(
      '"foo://x"',
    );
    expect(failure(() => natsSettingsFromEnv({ NATS_HOST: ' , ' })).variable).toBe('NATS_HOST');
    expect(failure(() => natsSettingsFromEnv({}, { url: 'nats://' })).variable).toBe('--nats-url');
  });

  it('takes user/password auth and refuses a password without a user', () => {
    expect(natsSettingsFromEnv({ NATS_USER: 'u', NATS_PASSWORD: 'p w' })).toMatchObject({
      user: 'u',
      password: 'p w',
    });
    expect(failure(() => natsSettingsFromEnv({ NATS_PASSWORD: 'p' })).message).toBe(
      'NATS_PASSWORD needs NATS_USER',
    );
  });

  it('takes creds, nkey and CA paths, CA contents (the flag wins) and NATS_INSECURE', () => {
    const settings = natsSettingsFromEnv(
      {
        NATS_CREDS: '/run/user.creds ',
        NATS_NKEY: '/run/user.nk',
        NATS_CA: '/etc/ca.pem',
        NATS_CA_CONTENTS: 'env-pem',
        NATS_INSECURE: 'TRUE',
      },
      { caContents: 'flag-pem' },
    );
    expect(settings).toMatchObject({
      credsFile: '/run/user.creds',
      nkeySeedFile: '/run/user.nk',
      caFile: '/etc/ca.pem',
      caContents: 'flag-pem',
      insecure: true,
    });
    expect(natsSettingsFromEnv({ NATS_CA_CONTENTS: 'env-pem' }).caContents).toBe('env-pem');
    expect(natsSettingsFromEnv({ NATS_INSECURE: 'no' }).insecure).toBe(false);
    expect(natsSettingsFromEnv({}, { insecure: true }).insecure).toBe(true);
    expect(natsSettingsFromEnv({ NATS_INSECURE: 'true' }, { insecure: false }).insecure).toBe(
      false,
    );
  });
});
