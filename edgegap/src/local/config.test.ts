import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EdgegapConfigError } from '../errors.js';
import { parseCliArgs, wantsHelp } from '../main.js';
import { systemLocalClock } from './clock.js';
import { resolveLocalConfig } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'edgegap-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const version = {
  name: 'v1',
  command: 'node',
  ports: [{ name: 'game', port: 1, protocol: 'UDP' }],
};

describe('resolveLocalConfig', () => {
  it('applies named defaults', async () => {
    const config = await resolveLocalConfig({});
    expect(config).toMatchObject({
      apiKey: 'local-dev-key',
      host: '127.0.0.1',
      port: 0,
      publicIp: '127.0.0.1',
      portMode: 'same',
      statusStepMs: 50,
      readyPollMs: 25,
      webhookTimeoutMs: 10_000,
    });
    expect(config.clock).toBe(systemLocalClock);
  });

  it('loads a config file and resolves working_dir against its folder', async () => {
    const file = join(dir, 'ok.json');
    writeFileSync(
      file,
      JSON.stringify({ apps: [{ name: 'g', versions: [{ ...version, working_dir: 'srv' }] }] }),
    );
    const config = await resolveLocalConfig({ configFile: file });
    expect(config.apps[0]?.versions[0]?.working_dir).toBe(join(dir, 'srv'));
  });

  it.each([
    ['a missing file', { configFile: join(dir, 'missing.json') }, /cannot read config file/],
    ['a bad port mode', { portMode: 'weird' as never }, /portMode/],
    ['a negative step', { timing: { statusStepMs: -1 } }, /timing.statusStepMs/],
    ['a zero READY poll interval', { timing: { readyPollMs: 0 } }, /timing.readyPollMs/],
    ['a zero webhook timeout', { timing: { webhookTimeoutMs: 0 } }, /timing.webhookTimeoutMs/],
    ['a clock without timers', { clock: { now: () => 0 } }, /clock/],
    [
      'a version without command',
      { apps: [{ name: 'g', versions: [{ ...version, command: '' }] }] },
      /command/,
    ],
    [
      'an unknown protocol',
      {
        apps: [
          {
            name: 'g',
            versions: [{ ...version, ports: [{ name: 'p', port: 1, protocol: 'SCTP' }] }],
          },
        ],
      },
      /protocol/,
    ],
    [
      'a duplicated port name',
      {
        apps: [
          {
            name: 'g',
            versions: [
              {
                ...version,
                ports: [
                  { name: 'p', port: 1, protocol: 'TCP' },
                  { name: 'p', port: 2, protocol: 'UDP' },
                ],
              },
            ],
          },
        ],
      },
      /used twice/,
    ],
    [
      'a bad session kind',
      { apps: [{ name: 'g', versions: [{ ...version, session_config: { kind: 'Lobby' } }] }] },
      /kind/,
    ],
    ['a bad fault', { faults: [{ path: '(' }] }, /regular expression/],
  ])('refuses %s with the option name in the message', async (_what, options, message) => {
    const error = await resolveLocalConfig(options as never)
      .then(async (config) => {
        // Faults are checked when the app is built.
        const { buildEdgegapLocalApp } = await import('./app.js');
        await buildEdgegapLocalApp({ ...(options as object), faults: config.faults } as never);
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(EdgegapConfigError);
    expect(error.message).toMatch(message);
  });

  it('refuses a config file that is not JSON', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{ apps: ');
    await expect(resolveLocalConfig({ configFile: file })).rejects.toThrow(
      /cannot read config file/,
    );
  });
});

describe('parseCliArgs', () => {
  it('reads flags and the key from EDGEGAP_LOCAL_API_KEY', () => {
    expect(
      parseCliArgs(['--config', 'c.json', '--port', '8080', '--port-mode', 'mapped'], {
        EDGEGAP_LOCAL_API_KEY: 'k',
      }),
    ).toEqual({ configFile: 'c.json', port: 8080, portMode: 'mapped', apiKey: 'k' });
  });

  it('refuses a bad port, a bad port mode and an unknown flag', () => {
    expect(() => parseCliArgs(['--port', 'x'], {})).toThrow(/--port/);
    expect(() => parseCliArgs(['--port-mode', 'x'], {})).toThrow(/--port-mode/);
    expect(() => parseCliArgs(['--nope'], {})).toThrow(
      'edgegap-local: unknown flag --nope. Run `edgegap-local --help`.',
    );
    expect(() => parseCliArgs(['--port', '1.5'], {})).toThrow(/^edgegap-local: --port must be/);
    expect(() => parseCliArgs(['--config'], {})).toThrow('--config needs a value');
  });

  it('answers --help and -h before validating anything', () => {
    expect(wantsHelp(['--port', 'x', '--help'])).toBe(true);
    expect(wantsHelp(['-h'])).toBe(true);
    expect(wantsHelp(['--port', '0'])).toBe(false);
  });
});
