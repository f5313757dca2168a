import { describe, expect, it } from 'vitest';
import { DEFAULTS, loadConfig, parsePortFlag, wantsHelp } from './config.js';
import { ConfigError } from './errors.js';

const KEY = 'ab'.repeat(32);
const base = { PLAYGAP_APP: 'arena', PLAYGAP_PROTOCOL_ID: '7', PLAYGAP_PRIVATE_KEY: KEY };

describe('loadConfig', () => {
  it('asks for help only before -- (what follows is the game server command)', () => {
    expect(wantsHelp(['--help'])).toBe(true);
    expect(wantsHelp(['--local', '-h', 'serve'])).toBe(true);
    expect(wantsHelp(['run', '--', 'server', '--help'])).toBe(false);
  });

  it('applies the named defaults and freezes the result', () => {
    const config = loadConfig({ ...base, PLAYGAP_VERSION: 'v1', NATS_URL: 'nats://nats:4222' }, []);
    expect(config.capacity).toBe(DEFAULTS.capacity);
    expect(config.sidecarPort).toBe(7999);
    expect(config.idleTimeoutMs).toBe(300_000);
    expect(config.readyTimeoutMs).toBe(60_000);
    expect(config.heartbeatTimeoutMs).toBe(30_000);
    expect(config.certValidityDays).toBe(13);
    expect(config.nats.servers).toEqual(['nats://nats:4222']);
    expect(Object.isFrozen(config)).toBe(true);
    expect(config.command).toEqual([]);
  });

  it('parses local mode flags and the run command after --', () => {
    const config = loadConfig(base, [
      '--local',
      '--server-id',
      'dev-1',
      '--public-ip',
      '10.0.0.5',
      '--port',
      'game:TCP:7000:31000',
      '--port',
      'rtc:udp:7001',
      'run',
      '--',
      'node',
      'server.js',
      '--flag',
    ]);
    expect(config.local?.serverId).toBe('dev-1');
    expect(config.local?.ports.game).toEqual({
      name: 'game',
      protocol: 'TCP',
      internal: 7000,
      external: 31000,
    });
    expect(config.local?.ports.rtc).toEqual({
      name: 'rtc',
      protocol: 'UDP',
      internal: 7001,
      external: 7001,
    });
    expect(config.command).toEqual(['node', 'server.js', '--flag']);
    expect(config.version).toBe('local');
  });

  it('names the variable in every bad-value error', () => {
    expect(() =>
      loadConfig({ ...base, PLAYGAP_VERSION: 'v', PLAYGAP_CAPACITY: 'lots' }, []),
    ).toThrow(/PLAYGAP_CAPACITY/);
    expect(() => loadConfig({ ...base, PLAYGAP_VERSION: 'v', PLAYGAP_CAPACITY: '0' }, [])).toThrow(
      ConfigError,
    );
    expect(() =>
      loadConfig({ ...base, PLAYGAP_VERSION: 'v', PLAYGAP_CERT_VALIDITY_DAYS: '14' }, []),
    ).toThrow(/PLAYGAP_CERT_VALIDITY_DAYS/);
    expect(() =>
      loadConfig({ ...base, PLAYGAP_VERSION: 'v', PLAYGAP_TOKEN_DIALECT: 'quic' }, []),
    ).toThrow(/PLAYGAP_TOKEN_DIALECT/);
    expect(() =>
      loadConfig({ ...base, PLAYGAP_VERSION: 'v', PLAYGAP_APP: 'no spaces' }, []),
    ).toThrow(/PLAYGAP_APP/);
    expect(() => loadConfig({ PLAYGAP_VERSION: 'v', PLAYGAP_PROTOCOL_ID: '1' }, [])).toThrow(
      /PLAYGAP_PRIVATE_KEY/,
    );
    expect(() => loadConfig({ ...base }, [])).toThrow(/PLAYGAP_VERSION/);
  });

  it('never puts the private key in an error message', () => {
    try {
      loadConfig({ ...base, PLAYGAP_CAPACITY: 'x', PLAYGAP_VERSION: 'v' }, []);
      expect.unreachable();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(KEY);
    }
  });

  it('requires NATS_URL or NATS_HOST outside --local instead of trying localhost', () => {
    const run = () => loadConfig({ ...base, PLAYGAP_VERSION: 'v', NATS_URL: ' ' }, ['serve']);
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/^NATS_URL is required outside --local: set NATS_URL \(or NATS_HOST\)/);
    const host = loadConfig({ ...base, PLAYGAP_VERSION: 'v', NATS_HOST: 'nats:4333' }, []);
    expect(host.nats.servers).toEqual(['nats://nats:4333']);
    expect(host.natsDefaulted).toBe(false);
  });

  it('--local without a NATS setting uses localhost and marks it defaulted', () => {
    const config = loadConfig(base, ['--local']);
    expect(config.nats.servers).toEqual(['nats://127.0.0.1:4222']);
    expect(config.natsDefaulted).toBe(true);
    expect(loadConfig({ ...base, NATS_URL: 'nats://a:1' }, ['--local']).natsDefaulted).toBe(false);
  });

  it('refuses unknown flags, a run without command and local flags without --local', () => {
    expect(() => loadConfig(base, ['--local', '--nope'])).toThrow(
      /^--nope is not a playgap-sidecar flag$/,
    );
    expect(() => loadConfig(base, ['--local', '--server-id'])).toThrow(
      /^--server-id needs a value$/,
    );
    expect(() => loadConfig(base, ['--local', 'start'])).toThrow(/^"start" is not a command/);
    expect(() => loadConfig(base, ['--local', 'serve', 'x'])).toThrow(/^"x" is not a command/);
    expect(() => loadConfig(base, ['--local', 'run'])).toThrow(/needs a command/);
    expect(() =>
      loadConfig({ ...base, PLAYGAP_VERSION: 'v' }, ['--port', 'game:TCP:7000']),
    ).toThrow(/--local/);
  });

  it('takes NATS settings from env and --ca-contents over NATS_CA_CONTENTS', () => {
    const config = loadConfig(
      {
        ...base,
        NATS_HOST: 'nats.example:4333',
        NATS_USER: 'u',
        NATS_PASSWORD: 'p',
        NATS_CA_CONTENTS: 'env-pem',
        NATS_INSECURE: 'true',
      },
      ['--local', '--ca-contents', 'flag-pem'],
    );
    expect(config.nats).toMatchObject({
      servers: ['nats://nats.example:4333'],
      user: 'u',
      password: 'p',
      caContents: 'flag-pem',
      insecure: true,
    });
    expect(
      loadConfig({ ...base, NATS_URL: 'nats://a:1,nats://b:2' }, ['--local']).nats.servers,
    ).toEqual(['nats://a:1', 'nats://b:2']);
  });

  it('fails with a ConfigError naming the NATS variable at fault', () => {
    for (const [env, variable] of [
      [{ NATS_PASSWORD: 'p' }, 'NATS_PASSWORD'],
      [{ NATS_URL: 'http://nats.example' }, 'NATS_URL'],
      [{ PLAYGAP_KV_REPLICAS: '0' }, 'PLAYGAP_KV_REPLICAS'],
    ] as const) {
      const run = () => loadConfig({ ...base, ...env }, ['--local']);
      expect(run).toThrow(ConfigError);
      expect(run).toThrow(new RegExp(`^${variable} `));
    }
  });
});

describe('PLAYGAP_KV_REPLICAS', () => {
  it('is 1 by default and takes 1 to 5 bucket replicas', () => {
    expect(loadConfig(base, ['--local']).kvReplicas).toBe(1);
    expect(loadConfig({ ...base, PLAYGAP_KV_REPLICAS: '3' }, ['--local']).kvReplicas).toBe(3);
  });
});

describe('parsePortFlag', () => {
  it.each([
    'game',
    'game:TCP',
    'game:SCTP:7000',
    'game:TCP:0',
    'game:TCP:70000',
    'game:TCP:1:2:3',
    ':TCP:7000',
  ])('refuses %j with a --port error', (text) => {
    expect(() => parsePortFlag(text)).toThrow(/--port/);
  });
});

describe('--local-file', () => {
  it('reads server id, public ip, fqdn and ports from a JSON file; flags win', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'sidecar-local-'));
    try {
      const file = join(dir, 'local.json');
      await writeFile(
        file,
        JSON.stringify({
          serverId: 'from-file',
          publicIp: '10.1.1.1',
          fqdn: 'dev.local',
          ports: { game: { protocol: 'TCP', internal: 7000, external: 7100 } },
        }),
      );
      const config = loadConfig(base, ['--local', '--local-file', file, '--public-ip', '10.2.2.2']);
      expect(config.local).toEqual({
        serverId: 'from-file',
        publicIp: '10.2.2.2',
        fqdn: 'dev.local',
        ports: { game: { name: 'game', protocol: 'TCP', internal: 7000, external: 7100 } },
      });
      await writeFile(file, '{broken');
      expect(() => loadConfig(base, ['--local', '--local-file', file])).toThrow(/--local-file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('sidecar config schema', () => {
  const base = { PLAYGAP_PROTOCOL_ID: '0X1F', PLAYGAP_PRIVATE_KEY: `0x${'ab'.repeat(32)}` };

  it.each([
    ['PLAYGAP_CAPACITY', '1e2'],
    ['PLAYGAP_CAPACITY', '2000'],
    ['PLAYGAP_CAPACITY', '0x10'],
    ['PLAYGAP_SIDECAR_PORT', '80.5'],
    ['PLAYGAP_IDLE_TIMEOUT_MS', '-1'],
    ['PLAYGAP_CERT_VALIDITY_DAYS', '14'],
    ['PLAYGAP_TOKEN_DIALECT', 'bevy'],
    ['PLAYGAP_PROTOCOL_ID', '1e2'],
    ['PLAYGAP_PRIVATE_KEY', 'short'],
    ['PLAYGAP_APP', 'a.b'],
  ])('refuses %s=%s at start, naming it', (variable, value) => {
    expect(() => loadConfig({ ...base, [variable]: value }, ['--local', 'serve'])).toThrow(
      new RegExp(`^${variable} `),
    );
  });

  it('takes 0x hex keys and 0X protocol ids and is frozen all the way down', () => {
    const config = loadConfig(base, ['--local', '--port', 'game:TCP:7000', 'run', '--', 'node']);
    expect(config.protocolIdText).toBe('0X1F');
    expect(() => config.command.push('x')).toThrow(TypeError);
    expect(() => {
      (config.local?.ports.game as { internal: number }).internal = 1;
    }).toThrow(TypeError);
    expect(() => (config.nats.servers as string[]).push('x')).toThrow(TypeError);
  });
});
