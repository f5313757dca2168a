import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nkeys } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { MATCHMAKER_USAGE, wantsHelp } from '../src/config.js';
import { ConfigError, describeConfig, loadConfig, type MatchmakerConfig } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'mm-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const seedFile = join(dir, 'mm.nk');
writeFileSync(seedFile, new TextDecoder().decode(nkeys.createUser().getSeed()));

const KEY_HEX = 'ab'.repeat(32);
const ENV = {
  PLAYGAP_APP: 'arena',
  PLAYGAP_VERSIONS: '1.0.0,1.1.0',
  PLAYGAP_PROTOCOL_ID: '7',
  PLAYGAP_PRIVATE_KEY: KEY_HEX,
};

function failure(argv: string[], env: Record<string, string>): ConfigError {
  try {
    loadConfig(argv, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('config was accepted');
}

describe('matchmaker config', () => {
  it('loads env with named defaults', () => {
    const config = loadConfig([], ENV);
    expect(config.versions).toEqual(['1.0.0', '1.1.0']);
    expect(config.protocolId).toBe(7n);
    expect(config.mode).toBe('deployments');
    expect(config.seatsPerServer).toBe(16);
    expect(config.runService).toBe(true);
    expect(config.runFront).toBe(false);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("accepts Bevygap's flag names and its number-list key", () => {
    const list = Array.from({ length: 32 }, (_, i) => i).join(', ');
    const config = loadConfig(
      [
        '--app-name',
        'arena',
        '--app-version',
        '2.0.0',
        '--lightyear-protocol-id',
        '99',
        '--lightyear-private-key',
        list,
        '--all-in-one',
      ],
      {},
    );
    expect(config.appName).toBe('arena');
    expect(config.versions).toEqual(['2.0.0']);
    expect(config.protocolId).toBe(99n);
    expect(config.privateKey[31]).toBe(31);
    expect(config.runFront).toBe(true);
  });

  it('takes the log level from --log-level or PLAYGAP_LOG_LEVEL, info by default, and refuses others', () => {
    expect(loadConfig([], ENV).logLevel).toBe('info');
    expect(loadConfig([], { ...ENV, PLAYGAP_LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    expect(
      loadConfig(['--log-level', 'warn'], { ...ENV, PLAYGAP_LOG_LEVEL: 'debug' }).logLevel,
    ).toBe('warn');
    expect(() => loadConfig([], { ...ENV, PLAYGAP_LOG_LEVEL: 'loud' })).toThrow(
      'PLAYGAP_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    );
  });

  it('turns the dashboard on with a token anywhere, without one only on loopback, and never logs it', () => {
    expect(loadConfig(['--all-in-one'], ENV).dashboard).toBe(false);
    const local = loadConfig(['--all-in-one', '--dashboard', '--listen', '127.0.0.1:0'], ENV);
    expect(local).toMatchObject({ dashboard: true });
    expect(local.dashboardToken).toBeUndefined();
    const token = 'a-long-dashboard-token-1234';
    const remote = loadConfig(['--all-in-one', '--listen', '0.0.0.0:8080'], {
      ...ENV,
      PLAYGAP_DASHBOARD_TOKEN: token,
    });
    expect(remote).toMatchObject({ dashboard: true, dashboardToken: token });
    expect(JSON.stringify(describeConfig(remote))).not.toContain(token);
    expect(
      failure(['--all-in-one', '--dashboard', '--listen', '0.0.0.0:8080'], ENV).message,
    ).toMatch(/--dashboard needs PLAYGAP_DASHBOARD_TOKEN when the front listens on 0\.0\.0\.0/);
    expect(failure(['--dashboard'], ENV).message).toMatch(/needs --all-in-one/);
    expect(failure(['--front-only', '--dashboard-token', token], ENV).message).toMatch(
      /--dashboard-token\/PLAYGAP_DASHBOARD_TOKEN needs --all-in-one/,
    );
    for (const bad of ['short', 'has spaces in it, sixteen+']) {
      expect(failure(['--all-in-one', '--dashboard-token', bad], ENV).message).toMatch(
        /at least 16 characters without spaces/,
      );
    }
    expect(failure(['--all-in-one', '--dashboard-token'], ENV).message).toMatch(/needs a value/);
  });

  it('names the missing variable', () => {
    const { PLAYGAP_APP: _, ...rest } = ENV;
    expect(failure([], rest).message).toContain('PLAYGAP_APP');
  });

  it('refuses a bad key without echoing it', () => {
    const secret = 'zz'.repeat(32);
    const error = failure([], { ...ENV, PLAYGAP_PRIVATE_KEY: secret });
    expect(error.message).toContain('PLAYGAP_PRIVATE_KEY');
    expect(error.message).not.toContain(secret);
  });

  it('refuses an app name that cannot be a subject token', () => {
    expect(failure([], { ...ENV, PLAYGAP_APP: 'a.b' }).message).toContain('PLAYGAP_APP');
  });

  it('refuses a non-integer seat count naming the flag', () => {
    expect(failure(['--seats-per-server', 'many'], ENV).message).toContain('--seats-per-server');
  });

  it('refuses an unknown mode and a protocol id over 64 bits', () => {
    expect(failure(['--mode', 'lobby'], ENV).message).toContain('--mode');
    expect(failure([], { ...ENV, PLAYGAP_PROTOCOL_ID: '18446744073709551616' }).message).toContain(
      'PLAYGAP_PROTOCOL_ID',
    );
  });

  it('requires an Edgegap key in sessions mode', () => {
    expect(failure(['--mode', 'sessions'], ENV).message).toContain('EDGEGAP_API_KEY');
  });

  it('redacts secrets when described for logs', () => {
    const config = loadConfig([], {
      ...ENV,
      EDGEGAP_API_KEY: 'token s3cret',
      NATS_URL: 'nats://mm:p4ss@nats:4222',
      NATS_USER: 'mm',
      NATS_PASSWORD: 'pw',
    });
    const text = JSON.stringify(describeConfig(config));
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain(KEY_HEX);
    expect(text).not.toContain('"pw"');
    expect(text).not.toContain('p4ss');
  });

  it('reads the NATS env shared with the sidecar, --nats-url and --nats-insecure winning', () => {
    const config = loadConfig(['--nats-url', 'tls://a:1,b:2', '--nats-insecure'], {
      ...ENV,
      NATS_URL: 'nats://ignored:1',
      NATS_NKEY: seedFile,
      NATS_CA_CONTENTS: 'A\\nB',
    });
    expect(config.nats).toEqual({
      servers: ['tls://a:1', 'nats://b:2'],
      nkeySeedFile: seedFile,
      caContents: 'A\\nB',
      insecure: true,
    });
    expect(loadConfig([], { ...ENV, NATS_INSECURE: '1' }).nats.insecure).toBe(true);
    expect(
      loadConfig(['--nats-insecure=false'], { ...ENV, NATS_INSECURE: '1' }).nats.insecure,
    ).toBe(false);
    expect(failure(['--nats-insecure=maybe'], ENV).variable).toBe('--nats-insecure');
    expect(loadConfig([], { ...ENV, NATS_HOST: 'nats.example:4333' }).nats.servers).toEqual([
      'nats://nats.example:4333',
    ]);
  });

  it('reads role flags like every boolean flag: a value overrides the env, a bad one is refused', () => {
    expect(loadConfig(['--all-in-one=yes'], ENV).runFront).toBe(true);
    expect(loadConfig([], { ...ENV, PLAYGAP_ALL_IN_ONE: '1' }).runFront).toBe(true);
    expect(loadConfig(['--all-in-one=false'], { ...ENV, PLAYGAP_ALL_IN_ONE: '1' }).runFront).toBe(
      false,
    );
    expect(failure(['--front-only=maybe'], ENV).variable).toBe('--front-only');
  });

  it('refuses a bad NATS value naming its flag or variable', () => {
    expect(failure(['--nats-url', 'http://x'], ENV).variable).toBe('--nats-url');
    expect(failure([], { ...ENV, NATS_HOST: ',' }).variable).toBe('NATS_HOST');
    expect(failure([], { ...ENV, NATS_PASSWORD: 'pw' }).message).toBe(
      'NATS_PASSWORD needs NATS_USER',
    );
    // Files are checked at start too, so a bad path is not a NATS that never connects.
    for (const variable of ['NATS_CREDS', 'NATS_NKEY', 'NATS_CA']) {
      expect(failure([], { ...ENV, [variable]: join(dir, 'missing') }).variable).toBe(variable);
    }
  });

  it('reads the KV replica count from --kv-replicas over PLAYGAP_KV_REPLICAS, 1 by default', () => {
    expect(loadConfig([], ENV).kvReplicas).toBe(1);
    expect(loadConfig([], { ...ENV, PLAYGAP_KV_REPLICAS: '3' }).kvReplicas).toBe(3);
    expect(
      loadConfig(['--kv-replicas', '5'], { ...ENV, PLAYGAP_KV_REPLICAS: '3' }).kvReplicas,
    ).toBe(5);
    expect(failure([], { ...ENV, PLAYGAP_KV_REPLICAS: '7' }).message).toMatch(
      /^PLAYGAP_KV_REPLICAS must be an integer from 1 to 5/,
    );
    expect(failure(['--kv-replicas', 'x'], ENV).variable).toBe('--kv-replicas');
  });
});

describe('matchmaker config, one schema with the sidecar', () => {
  it("holds PLAYGAP_CAPACITY to the sidecar's bounds and refuses 1e2 as every component does", () => {
    expect(failure([], { ...ENV, PLAYGAP_CAPACITY: '2000' }).message).toBe(
      'PLAYGAP_CAPACITY must be an integer from 1 to 1024 (got "2000")',
    );
    expect(failure(['--seats-per-server', '1e2'], ENV).variable).toBe('--seats-per-server');
    expect(failure(['--status-poll-ms', '0x10'], ENV).variable).toBe('--status-poll-ms');
    expect(loadConfig([], { ...ENV, PLAYGAP_CAPACITY: '1024' }).seatsPerServer).toBe(1024);
  });

  it('takes 0x hex keys and 0X protocol ids, as the sidecar and the CLI do', () => {
    const config = loadConfig([], {
      ...ENV,
      PLAYGAP_PRIVATE_KEY: `0x${KEY_HEX}`,
      PLAYGAP_PROTOCOL_ID: '0X1F',
    });
    expect(config.protocolId).toBe(31n);
    expect(config.privateKey[0]).toBe(0xab);
  });

  it('checks overrides with the same schema', () => {
    expect(loadConfig([], ENV, { seatsPerServer: 8, runFront: true }).seatsPerServer).toBe(8);
    expect(() => loadConfig([], ENV, { seatsPerServer: 2000 })).toThrow(
      'seatsPerServer must be an integer from 1 to 1024 (got "2000")',
    );
    expect(() => loadConfig([], ENV, { mode: 'lobby' as 'sessions' })).toThrow(
      'mode must be deployments or sessions',
    );
    expect(() => loadConfig([], ENV, { statusPollMs: 1.5 })).toThrow(ConfigError);
    expect(() => loadConfig([], ENV, { versions: [''] })).toThrow(ConfigError);
    expect(() =>
      loadConfig([], ENV, { colour: 'red' } as unknown as Partial<MatchmakerConfig>),
    ).toThrow('colour is not a known setting');
    expect(() => loadConfig([], ENV, { nats: { servers: [], insecure: false } })).toThrow(
      ConfigError,
    );
  });

  it('is frozen all the way down', () => {
    const config = loadConfig(['--allowed-origins', 'https://a.example'], ENV);
    expect(() => (config.versions as string[]).push('2.0.0')).toThrow(TypeError);
    expect(() => (config.allowedOrigins as string[]).pop()).toThrow(TypeError);
    expect(() => (config.nats.servers as string[]).push('nats://x')).toThrow(TypeError);
    expect(() => {
      (config.nats as { insecure: boolean }).insecure = true;
    }).toThrow(TypeError);
  });

  it('refuses a positional, a short flag and a flag with no value', () => {
    expect(failure(['arena'], ENV).message).toBe('arena is not a flag (flags start with --)');
    expect(failure(['--mode'], ENV).message).toBe('--mode needs a value');
    expect(failure(['--mode', '--all-in-one'], ENV).message).toBe('--mode needs a value');
    expect(loadConfig(['--all-in-one', 'no'], ENV).runFront).toBe(false);
  });
});

describe('matchmaker flags', () => {
  it('refuses a flag it does not know, naming it', () => {
    const error = failure(['--app-nmae', 'arena'], ENV);
    expect(error.variable).toBe('--app-nmae');
    expect(error.message).toBe('--app-nmae is not a playgap-matchmaker flag');
    expect(failure(['--bogus=1'], ENV).variable).toBe('--bogus');
    expect(failure(['-h'], ENV).message).toContain('is not a flag');
  });

  it('lists every flag it takes in --help', () => {
    for (const flag of ['--app-name', '--all-in-one', '--nats-url', '--max-concurrent-per-ip'])
      expect(MATCHMAKER_USAGE).toContain(flag);
    expect(wantsHelp(['--app-name', 'arena', '-h'])).toBe(true);
    expect(wantsHelp(['--app-name', 'arena'])).toBe(false);
  });
});

describe('playgap-matchmaker CLI', () => {
  it('exits with code 2 naming the missing variable', async () => {
    const { spawnSync } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const bin = fileURLToPath(new URL('../bin/playgap-matchmaker.js', import.meta.url));
    const result = spawnSync(process.execPath, [bin, '--app-name', 'arena'], {
      env: { PATH: process.env.PATH },
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('PLAYGAP_VERSIONS');
  });
});
