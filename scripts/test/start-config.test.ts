// `npm start` checks its whole configuration before installing or building anything.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOG_LEVELS as MATCHMAKER_LOG_LEVELS } from '@playgap/matchmaker';
import { describe, expect, it } from 'vitest';
import { STACK_DEFAULTS } from '../lib/stack.mjs';
import { LOG_LEVELS, StartConfigError, startConfig, unbuiltPath } from '../lib/start-config.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const KEY = 'ab'.repeat(32);
const REMOTE = {
  EDGEGAP_API_KEY: 'token x',
  PLAYGAP_PRIVATE_KEY: KEY,
  PLAYGAP_PROTOCOL_ID: '42',
  NATS_URL: 'tls://nats.example.com:4222',
};

function refusal(argv: string[], env: Record<string, string> = {}): string {
  try {
    startConfig(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(StartConfigError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${argv.join(' ')}`);
}

describe('startConfig', () => {
  it('defaults to the stack defaults, locally', () => {
    const config = startConfig([], {});
    expect(config).toMatchObject({ help: false, build: true, remote: false });
    expect(config.systemPackages).toEqual(['nats-server']);
    const {
      app,
      version,
      host,
      port,
      idleTimeoutMs,
      capacity,
      portMode,
      runtime,
      tokenExpireSeconds,
    } = STACK_DEFAULTS;
    expect(config.stack).toEqual({
      app,
      version,
      host,
      port,
      idleTimeoutMs,
      capacity,
      portMode,
      runtime,
      tokenExpireSeconds,
    });
  });

  it('takes --app, --version and the other flags over their variables', () => {
    const config = startConfig(
      [
        '--app',
        'space-duel',
        '--version',
        '2.1.0',
        '--port',
        '0',
        '--port-mode=mapped',
        '--no-build',
      ],
      { PLAYGAP_PORT: '9000', PLAYGAP_PORT_MODE: 'same', PLAYGAP_IDLE_TIMEOUT_MS: '5000' },
    );
    expect(config.build).toBe(false);
    expect(config.stack).toMatchObject({
      app: 'space-duel',
      version: '2.1.0',
      port: 0,
      portMode: 'mapped',
      idleTimeoutMs: 5000,
    });
  });

  it('passes --locations demo to edgegap-local, and refuses it against real Edgegap', () => {
    expect(startConfig(['--locations', 'demo'], {}).stack).toMatchObject({ locations: 'demo' });
    expect(startConfig([], {}).stack).not.toHaveProperty('locations');
    expect(refusal(['--locations', 'demo'], { EDGEGAP_API_KEY: 'k' })).toContain(
      'EDGEGAP_API_KEY targets real Edgegap',
    );
  });

  it('answers --help and -h before checking anything else', () => {
    expect(startConfig(['--bogus', '--help'], { EDGEGAP_API_KEY: 'x' })).toEqual({ help: true });
    expect(startConfig(['-h'], {})).toEqual({ help: true });
  });

  it.each([
    [['--bogus'], 'unknown flag --bogus. Run `npm start -- --help`.'],
    [['-x'], 'unknown flag -x. Run `npm start -- --help`.'],
    [['--port'], '--port needs a value. Run `npm start -- --help`.'],
    [['--no-build=yes'], '--no-build takes no value. Run `npm start -- --help`.'],
    [['0'], 'unexpected argument "0": flags go after `--`'],
    [['--port', '70000'], '--port must be an integer from 0 to 65535 (got "70000").'],
    [['--capacity', '0'], '--capacity must be an integer from 1 to 1024'],
    [['--port-mode', 'odd'], '--port-mode must be same or mapped (got "odd").'],
    [['--runtime', 'vm'], '--runtime must be process or docker (got "vm").'],
    [['--app', 'a/b'], '--app must be 1-64 letters'],
    [['--version', 'v 1'], '--version must be 1-64 letters'],
    [['--host', ''], '--host must be an address'],
    [['--locations', 'mars'], '--locations takes demo (got "mars")'],
  ])('refuses %j', (argv, message) => {
    expect(refusal(argv)).toContain(message);
  });

  it('names the variable when a bad value comes from the environment', () => {
    expect(refusal([], { PLAYGAP_PORT: 'x' })).toContain('PLAYGAP_PORT must be an integer');
    expect(refusal([], { PLAYGAP_PORT_MODE: 'x' })).toContain('PLAYGAP_PORT_MODE must be same');
    expect(refusal([], { PLAYGAP_IDLE_TIMEOUT_MS: '-1' })).toContain('PLAYGAP_IDLE_TIMEOUT_MS');
    expect(refusal([], { PLAYGAP_RUNTIME: 'x' })).toContain('PLAYGAP_RUNTIME must be process');
  });

  it('takes --runtime docker locally, and refuses it with real Edgegap', () => {
    expect(startConfig(['--runtime', 'docker'], {}).stack.runtime).toBe('docker');
    const remote = {
      EDGEGAP_API_KEY: 'k',
      NATS_URL: 'tls://nats.example.com:4222',
      PLAYGAP_PRIVATE_KEY: '5a'.repeat(32),
      PLAYGAP_PROTOCOL_ID: '42',
    };
    expect(refusal(['--runtime', 'docker'], remote)).toContain(
      '--runtime docker runs game servers on this machine',
    );
  });

  it('refuses a bad PLAYGAP_LOG_LEVEL or PLAYGAP_SERVER_LOGS before the build', () => {
    expect(refusal([], { PLAYGAP_LOG_LEVEL: 'loud' })).toMatch(/PLAYGAP_LOG_LEVEL must be one of/);
    expect(refusal([], { PLAYGAP_SERVER_LOGS: 'yes' })).toMatch(/PLAYGAP_SERVER_LOGS must be 0/);
    expect(() =>
      startConfig([], { PLAYGAP_LOG_LEVEL: 'debug', PLAYGAP_SERVER_LOGS: '0' }),
    ).not.toThrow();
    expect(LOG_LEVELS).toEqual(MATCHMAKER_LOG_LEVELS);
  });

  it('checks the shared secrets when given, without echoing the key', () => {
    const message = refusal([], { PLAYGAP_PRIVATE_KEY: 'secret-ish' });
    expect(message).toContain('PLAYGAP_PRIVATE_KEY must be 64 hex characters');
    expect(message).not.toContain('secret-ish');
    expect(refusal([], { PLAYGAP_PROTOCOL_ID: '18446744073709551616' })).toContain(
      'PLAYGAP_PROTOCOL_ID must be an unsigned 64-bit integer',
    );
    expect(startConfig([], { PLAYGAP_PRIVATE_KEY: KEY, PLAYGAP_PROTOCOL_ID: '0x2a' }).remote).toBe(
      false,
    );
  });

  it('with EDGEGAP_API_KEY requires what real Edgegap needs', () => {
    expect(startConfig([], REMOTE)).toMatchObject({ remote: true, systemPackages: [] });
    expect(startConfig([], { ...REMOTE, NATS_URL: '', NATS_HOST: 'nats:4222' }).remote).toBe(true);
    const without = (name: keyof typeof REMOTE) => {
      const env: Record<string, string> = { ...REMOTE };
      delete env[name];
      return refusal([], env);
    };
    expect(without('PLAYGAP_PRIVATE_KEY')).toContain('also set PLAYGAP_PRIVATE_KEY');
    expect(without('PLAYGAP_PROTOCOL_ID')).toContain('also set PLAYGAP_PROTOCOL_ID');
    expect(without('NATS_URL')).toContain('set NATS_URL (or NATS_HOST)');
    expect(refusal([], { ...REMOTE, EDGEGAP_API_URL: 'not a url' })).toContain(
      'EDGEGAP_API_URL must be a URL',
    );
  });
});

describe('node scripts/start.mjs', () => {
  it('refuses a bad configuration before installing or building anything', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts/start.mjs'), '--port', '0'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', EDGEGAP_API_KEY: 'token x' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(output).toBe(
      'playgap: EDGEGAP_API_KEY is set: also set PLAYGAP_PRIVATE_KEY to the values your game server version on Edgegap has (`playgap keygen` makes a pair).\n',
    );
  });
});

describe('unbuiltPath', () => {
  it('names the first missing build output, for --no-build on a fresh clone', () => {
    const empty = mkdtempSync(join(tmpdir(), 'playgap-unbuilt-'));
    try {
      expect(unbuiltPath(empty)).toBe('protocol/dist/token/index.js');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('npm test', () => {
  it('bootstraps node_modules, nats-server and Chromium before anything that needs them', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const [first] = manifest.scripts.test.split(' && ');
    expect(first).toBe('node scripts/bootstrap.mjs nats-server chromium');
  });
});
