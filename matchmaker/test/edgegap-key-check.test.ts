/**
 * The Edgegap check at start, against edgegap-local (it answers 401 to a key it was not
 * started with): a refused key, an app or a version Edgegap does not have stop the start with
 * a message that names the setting, says what Edgegap answered and what to do; an Edgegap that
 * cannot be asked right now does not.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { type EdgegapLocal, startEdgegapLocal } from '@playgap/edgegap';
import { trackChild } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, startMatchmaker } from '../src/index.js';
import { PRIVATE_KEY_HEX, startTestNats, type TestNats, testConfig } from './fake-fleet.js';
import { captureLogger } from './log-capture.js';

const BIN = fileURLToPath(new URL('../bin/playgap-matchmaker.js', import.meta.url));
const BOGUS_KEY = 'bogus-key-4242';

let nats: TestNats;
let local: EdgegapLocal;

beforeAll(async () => {
  nats = await startTestNats();
  local = await startEdgegapLocal({
    apps: [{ name: 'arena', versions: [{ name: '1.0.0', command: 'true', ports: [] }] }],
  });
});

afterAll(async () => {
  await local?.close();
  await nats?.stop();
});

function config(overrides: Record<string, unknown>) {
  return {
    ...testConfig(nats.url, { edgegapApiUrl: local.url, edgegapApiKey: local.apiKey }),
    versions: ['1.0.0'],
    ...overrides,
  };
}

describe('the Edgegap check at start', () => {
  it('refuses to start with a key Edgegap refuses, naming EDGEGAP_API_KEY and what Edgegap said', async () => {
    const starting = startMatchmaker(config({ edgegapApiKey: BOGUS_KEY }), {}, { listen: true });
    const error = (await starting.catch((e: unknown) => e)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.variable).toBe('EDGEGAP_API_KEY');
    expect(error.message).toContain('Edgegap refused the API key (HTTP 401)');
    expect(error.message).toContain(local.url);
    expect(error.message).toContain('"Unauthorized"');
    expect(error.message).toContain('User settings > Tokens');
    expect(error.message).not.toContain(BOGUS_KEY);
  });

  it('refuses to start when Edgegap has no such version', async () => {
    const error = (await startMatchmaker(config({ versions: ['1.0.0', '9.9.9'] })).catch(
      (e: unknown) => e,
    )) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.variable).toBe('PLAYGAP_VERSIONS');
    expect(error.message).toContain('Edgegap has no version "9.9.9" of app "arena" (HTTP 404)');
  });

  it('refuses to start when Edgegap has no such app', async () => {
    const error = (await startMatchmaker(config({ appName: 'nope' })).catch(
      (e: unknown) => e,
    )) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.variable).toBe('PLAYGAP_APP');
    expect(error.message).toContain('Edgegap has no app "nope"');
  });

  it('starts, and says so in the log, when Edgegap cannot be asked right now', async () => {
    const log = captureLogger();
    const mm = await startMatchmaker(config({ edgegapApiUrl: 'http://127.0.0.1:1' }), {
      logger: log.logger,
    });
    try {
      expect(log.events('edgegap_unchecked')).toHaveLength(1);
      expect(log.events('edgegap_unchecked')[0]).toMatchObject({ level: 'warn' });
    } finally {
      await mm.close();
    }
  });

  it('logs the check it passed', async () => {
    const log = captureLogger();
    const mm = await startMatchmaker(config({}), { logger: log.logger });
    try {
      expect(log.events('edgegap_checked')[0]).toMatchObject({
        app: 'arena',
        versions: ['1.0.0'],
        apiUrl: local.url,
      });
      expect(log.text()).not.toContain(local.apiKey);
    } finally {
      await mm.close();
    }
  });

  it('playgap-matchmaker exits 2 with the message on stderr and a fatal log line', async () => {
    const child = spawn(process.execPath, [BIN, '--all-in-one', '--listen', '127.0.0.1:0'], {
      env: {
        PATH: process.env.PATH,
        NATS_URL: nats.url,
        PLAYGAP_APP: 'arena',
        PLAYGAP_VERSIONS: '1.0.0',
        PLAYGAP_PROTOCOL_ID: '7',
        PLAYGAP_PRIVATE_KEY: PRIVATE_KEY_HEX,
        EDGEGAP_API_URL: local.url,
        EDGEGAP_API_KEY: BOGUS_KEY,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    trackChild(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const [code] = await once(child, 'exit');
    expect(code, stderr).toBe(2);
    expect(stderr).toMatch(
      /^playgap-matchmaker: EDGEGAP_API_KEY is not accepted: Edgegap refused the API key \(HTTP 401\)/,
    );
    expect(stdout).toContain('"event":"refused_to_start"');
    expect(stdout).not.toContain('"event":"started"');
    expect(stdout + stderr).not.toContain(BOGUS_KEY);
  });
});
