// The Edgegap commands against edgegap-local (same API, deployments as local processes):
// key check, app versions from a config file, deployments list/inspect/stop, and the errors.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EdgegapClient, type EdgegapLocal, startEdgegapLocal } from '@playgap/edgegap';
import { loadConfig as loadSidecarConfig } from '@playgap/sidecar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_COMMAND, splitArguments } from '../src/index.js';
import { playgap } from './run.js';

const PRIVATE_KEY = 'ab'.repeat(32);
const NATS_PASSWORD = 'nats-gs-password-xyz';
const PULL_TOKEN = 'pull-token-123';
const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
const OTHER_CA_PEM =
  '-----BEGIN CERTIFICATE-----\nMIIBotherCAline1+/=\nMIIBotherCAline2\n-----END CERTIFICATE-----\n';

let local: EdgegapLocal;
let dir: string;
let env: NodeJS.ProcessEnv;
let edgegap: EdgegapClient;

const config = (overrides = '') => `app: arena
version: \${RELEASE_TAG}
image:
  repository: studio/arena-server
  pullUsername: robot
  pullToken: \${PULL_TOKEN}
ports:
  game: { port: 4000, protocol: TCP }
  rtc: { port: 4001, protocol: UDP }
  wt: { port: 4002, protocol: TCP/UDP }
sidecar:
  protocolId: "1234567890"
  privateKey: \${PLAYGAP_PRIVATE_KEY}
  capacity: 8
nats:
  url: tls://nats.example.com:4222
  password: \${NATS_GAMESERVER_PASSWORD}
  caFile: ca.crt
env:
  - { key: LOG_LEVEL, value: debug }
${overrides}`;

async function writeConfig(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

beforeAll(async () => {
  local = await startEdgegapLocal({
    apps: [
      {
        name: 'arena',
        versions: [
          {
            name: 'idle',
            command: process.execPath,
            arguments: ['-e', 'setInterval(() => {}, 1000)'],
            ports: [{ name: 'game', port: 4000, protocol: 'UDP', to_check: false }],
          },
        ],
      },
    ],
  });
  dir = await mkdtemp(join(tmpdir(), 'playgap-cli-'));
  await writeFile(join(dir, 'ca.crt'), CA_PEM);
  env = {
    EDGEGAP_API_URL: local.url,
    EDGEGAP_API_KEY: local.apiKey,
    RELEASE_TAG: 'v1.0.0',
    PULL_TOKEN,
    PLAYGAP_PRIVATE_KEY: PRIVATE_KEY,
    NATS_GAMESERVER_PASSWORD: NATS_PASSWORD,
  };
  edgegap = new EdgegapClient({ apiUrl: local.url, apiKey: local.apiKey });
});

afterAll(async () => {
  await local?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('playgap check-key', () => {
  it('accepts the key edgegap-local was started with', async () => {
    const run = await playgap(['check-key', '--app', 'arena', '--json'], { env });
    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ valid: true, app: 'arena', apiUrl: local.url });
  });

  it('accepts a key given with the "token " prefix', async () => {
    const run = await playgap(['check-key'], {
      env: { ...env, EDGEGAP_API_KEY: `token ${local.apiKey}` },
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('The Edgegap API key is valid');
  });

  it('refuses a wrong key with EDGEGAP_ERROR, exit 1, without printing the key', async () => {
    const run = await playgap(['check-key'], { env: { ...env, EDGEGAP_API_KEY: 'wrong-key-987' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error EDGEGAP_ERROR: Edgegap refused the API key \(HTTP 401\)/);
    expect(run.stderr).not.toContain('wrong-key-987');
  });

  it('reports NOT_FOUND for an app that does not exist', async () => {
    const run = await playgap(['check-key', '--app', 'no-such-app'], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error NOT_FOUND: Edgegap has no app "no-such-app"/);
  });

  it('reports an unreachable API as an error, not a crash', async () => {
    const run = await playgap(['check-key'], {
      env: { ...env, EDGEGAP_API_URL: 'http://127.0.0.1:1' },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error [A-Z_]+: the API key check/);
  });
});

describe('playgap version create|update', () => {
  it('creates the version with ports, sidecar env, hidden secrets, CA and pull credentials', async () => {
    const path = await writeConfig('v1.yaml', config());
    const run = await playgap(['version', 'create', '--config', path, '--json'], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.json()).toEqual({ action: 'created', app: 'arena', version: 'v1.0.0' });

    const version = await edgegap.getVersion('arena', 'v1.0.0');
    expect(version).toMatchObject({
      docker_repository: 'registry.edgegap.com',
      docker_image: 'studio/arena-server',
      docker_tag: 'v1.0.0',
      private_username: 'robot',
    });
    expect(version.ports).toEqual([
      { name: 'game', port: 4000, protocol: 'TCP', to_check: true, tls_upgrade: false },
      { name: 'rtc', port: 4001, protocol: 'UDP', to_check: false, tls_upgrade: false },
      { name: 'wt', port: 4002, protocol: 'TCP/UDP', to_check: true, tls_upgrade: false },
    ]);
    const envs = Object.fromEntries(
      (version.envs as { key: string; value: string; is_hidden: boolean }[]).map((e) => [e.key, e]),
    );
    expect(envs.PLAYGAP_APP?.value).toBe('arena');
    expect(envs.PLAYGAP_VERSION?.value).toBe('v1.0.0');
    expect(envs.PLAYGAP_PROTOCOL_ID?.value).toBe('1234567890');
    expect(envs.PLAYGAP_CAPACITY?.value).toBe('8');
    expect(envs.PLAYGAP_PRIVATE_KEY?.is_hidden).toBe(true);
    expect(envs.NATS_PASSWORD?.is_hidden).toBe(true);
    expect(envs.NATS_USER?.value).toBe('gameserver');
    expect(envs.NATS_CA_CONTENTS?.value).toBe(CA_PEM.trim());
    expect(envs.LOG_LEVEL?.value).toBe('debug');
  });

  it('refuses to create a version that exists, and patches it with --update-existing', async () => {
    const path = await writeConfig('v1-again.yaml', config());
    const again = await playgap(['version', 'create', '--config', path], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error BAD_REQUEST: app version arena\/v1.0.0 already exists/);

    const upsert = await playgap(
      ['version', 'create', '--config', path, '--tag', 'v1.0.0-fix', '--update-existing'],
      { env },
    );
    expect(upsert.code, upsert.stderr).toBe(0);
    expect(upsert.stdout).toContain('App version arena/v1.0.0 updated.');
    expect((await edgegap.getVersion('arena', 'v1.0.0')).docker_tag).toBe('v1.0.0-fix');
  });

  it('updates an existing version with version update', async () => {
    const path = await writeConfig('v1-update.yaml', config());
    const run = await playgap(['version', 'update', '--config', path, '--tag', 'v1.0.1'], { env });
    expect(run.code, run.stderr).toBe(0);
    expect((await edgegap.getVersion('arena', 'v1.0.0')).docker_tag).toBe('v1.0.1');
  });

  it('puts the CA from --nats-ca into the version arguments with --nats-ca-as argument, not the env', async () => {
    await writeFile(join(dir, 'other-ca.crt'), OTHER_CA_PEM);
    const path = await writeConfig('ca-arg.yaml', config());
    const run = await playgap(
      [
        'version',
        'create',
        '--config',
        path,
        '--version',
        'v-ca-arg',
        '--nats-ca',
        join(dir, 'other-ca.crt'),
        '--nats-ca-as',
        'argument',
      ],
      { env },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Arguments: the NATS CA as --ca-contents');
    const version = await edgegap.getVersion('arena', 'v-ca-arg');
    const keys = (version.envs as { key: string }[]).map((e) => e.key);
    expect(keys).not.toContain('NATS_CA_CONTENTS');
    expect(typeof version.arguments).toBe('string');
    expect(splitArguments(version.arguments as string)).toEqual([
      `--ca-contents=${OTHER_CA_PEM.trim().replaceAll('\n', '\\n')}`,
      'run',
      '--',
      ...DEFAULT_SERVER_COMMAND,
    ]);
  });

  it('patches the arguments with version update and nats.caAs/serverCommand from the config', async () => {
    const path = await writeConfig(
      'ca-arg-update.yaml',
      config('serverCommand: [./arena.x86_64, --headless]\n').replace(
        'caFile: ca.crt',
        'caFile: ca.crt\n  caAs: argument',
      ),
    );
    const run = await playgap(['version', 'update', '--config', path, '--version', 'v-ca-arg'], {
      env,
    });
    expect(run.code, run.stderr).toBe(0);
    const version = await edgegap.getVersion('arena', 'v-ca-arg');
    expect(splitArguments(version.arguments as string)).toEqual([
      `--ca-contents=${CA_PEM.trim().replaceAll('\n', '\\n')}`,
      'run',
      '--',
      './arena.x86_64',
      '--headless',
    ]);
  });

  it.each([
    [['--nats-ca-as', 'file'], /^error BAD_REQUEST: --nats-ca-as must be env or argument/],
    [['--nats-ca', 'no-such.pem'], /^error BAD_REQUEST: Cannot read nats.caFile/],
  ])('refuses %j with BAD_REQUEST, exit 2', async (flags, message) => {
    const path = await writeConfig('ca-bad.yaml', config());
    const run = await playgap(['version', 'create', '--config', path, '--dry-run', ...flags], {
      env,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('refuses the CA as an argument when no CA is given', async () => {
    const path = await writeConfig('ca-none.yaml', config().replace('  caFile: ca.crt\n', ''));
    const run = await playgap(
      ['version', 'create', '--config', path, '--dry-run', '--nats-ca-as', 'argument'],
      { env },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error BAD_REQUEST: The NATS CA as an argument needs the CA/);
  });

  it('refuses a CA bundle too big for the arguments with PAYLOAD_TOO_LARGE, exit 2', async () => {
    await writeFile(join(dir, 'bundle.pem'), OTHER_CA_PEM.repeat(100));
    const path = await writeConfig('ca-big.yaml', config());
    const run = await playgap(
      [
        'version',
        'create',
        '--config',
        path,
        '--nats-ca',
        join(dir, 'bundle.pem'),
        '--nats-ca-as',
        'argument',
      ],
      { env },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^error PAYLOAD_TOO_LARGE: The version's arguments would be \d+ bytes/,
    );
  });

  it('reports NOT_FOUND when updating a version that does not exist', async () => {
    const path = await writeConfig('v9.yaml', config());
    const run = await playgap(['version', 'update', '--config', path, '--version', 'v9'], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error NOT_FOUND: Edgegap has no app version arena\/v9/);
  });

  it('prints the body with every secret masked on --dry-run and sends nothing', async () => {
    const path = await writeConfig('dry.yaml', config());
    const run = await playgap(
      ['version', 'create', '--config', path, '--version', 'v-dry', '--dry-run'],
      { env: { ...env, EDGEGAP_API_KEY: '' } },
    );
    expect(run.code, run.stderr).toBe(0);
    for (const secret of [PRIVATE_KEY, NATS_PASSWORD, PULL_TOKEN]) {
      expect(run.stdout).not.toContain(secret);
    }
    expect(JSON.parse(run.stdout).private_token).toBe('***');
    await expect(edgegap.getVersion('arena', 'v-dry')).rejects.toMatchObject({ status: 404 });
  });

  it('checks the shipped docker/edgegap-version.yaml', async () => {
    const path = join(import.meta.dirname, '..', '..', 'docker', 'edgegap-version.yaml');
    const run = await playgap(['version', 'create', '--config', path, '--dry-run', '--json'], {
      env: {
        ...env,
        EDGEGAP_APP: 'arena',
        EDGEGAP_PROJECT: 'studio',
        EDGEGAP_IMAGE: 'arena-server',
        EDGEGAP_REGISTRY_USERNAME: 'robot',
        EDGEGAP_REGISTRY_TOKEN: PULL_TOKEN,
        PLAYGAP_PROTOCOL_ID: '42',
        NATS_PUBLIC_URL: 'tls://nats.example.com:4222',
        NATS_CA_FILE: join(dir, 'ca.crt'),
      },
    });
    expect(run.code, run.stderr).toBe(0);
    const body = (
      run.json() as {
        body: {
          ports: { name: string; protocol: string; tls_upgrade: boolean }[];
          docker_image: string;
        };
      }
    ).body;
    expect(body.ports.map((p) => p.name)).toEqual(['game', 'rtc', 'wt']);
    // Browsers on https pages need wss:// (and https signaling): Edgegap's TLS upgrade on game.
    expect(body.ports[0]).toMatchObject({ name: 'game', protocol: 'WS', tls_upgrade: true });
    expect(body.docker_image).toBe('studio/arena-server');
  });

  it.each([
    [
      'a variable the config uses is not set',
      config(),
      { PULL_TOKEN: '' },
      /image\.pullToken uses \$\{PULL_TOKEN\}, but PULL_TOKEN is not set/,
    ],
    [
      'a port protocol is unknown',
      config().replace('protocol: UDP', 'protocol: QUIC'),
      {},
      /ports\.rtc\.protocol must be one of/,
    ],
    [
      'a port number is out of range',
      config().replace('port: 4000', 'port: 70000'),
      {},
      /ports\.game\.port must be an integer 1\.\.59999/,
    ],
    [
      'the private key is malformed',
      config(),
      { PLAYGAP_PRIVATE_KEY: 'short-secret' },
      /sidecar\.privateKey \(PLAYGAP_PRIVATE_KEY\) must be 64 hex/,
    ],
    ['the YAML is broken', 'app: [unclosed', {}, /is not valid YAML\/JSON/],
    ['the file is not a mapping', '- just\n- a list\n', {}, /must be a mapping/],
    [
      'the CA file is not PEM',
      config().replace('caFile: ca.crt', 'caFile: v1.yaml'),
      {},
      /nats\.caFile v1\.yaml is not a PEM certificate/,
    ],
    [
      'only half of the pull credentials is given',
      config().replace('  pullUsername: robot\n', ''),
      {},
      /pullUsername and image\.pullToken go together/,
    ],
    [
      'a number has the wrong type',
      config().replace('capacity: 8', 'capacity: lots'),
      {},
      /sidecar\.capacity \(PLAYGAP_CAPACITY\) must be an integer from 1 to 1024 \(got "lots"\)/,
    ],
    [
      "the capacity is over the sidecar's 1024 (the sidecar would exit at start)",
      config().replace('capacity: 8', 'capacity: 2000'),
      {},
      /sidecar\.capacity \(PLAYGAP_CAPACITY\) must be an integer from 1 to 1024 \(got "2000"\)\.\n$/,
    ],
    [
      'the capacity is in exponent form',
      config().replace('capacity: 8', 'capacity: "1e2"'),
      {},
      /sidecar\.capacity \(PLAYGAP_CAPACITY\) must be an integer from 1 to 1024 \(got "1e2"\)/,
    ],
    [
      'the capacity is a list',
      config().replace('capacity: 8', 'capacity: [8]'),
      {},
      /sidecar\.capacity \(PLAYGAP_CAPACITY\) must be an integer/,
    ],
    [
      'the ready timeout is in hex',
      config().replace('capacity: 8', 'capacity: 8\n  readyTimeoutMs: "0x10"'),
      {},
      /sidecar\.readyTimeoutMs \(PLAYGAP_READY_TIMEOUT_MS\) must be an integer from 1/,
    ],
    [
      'the protocol id is over 64 bits',
      config().replace('protocolId: "1234567890"', 'protocolId: "0x1ffffffffffffffff"'),
      {},
      /sidecar\.protocolId \(PLAYGAP_PROTOCOL_ID\) must be an unsigned 64-bit integer/,
    ],
    [
      'the token dialect is unknown',
      config().replace('capacity: 8', 'capacity: 8\n  tokenDialect: bevy'),
      {},
      /sidecar\.tokenDialect \(PLAYGAP_TOKEN_DIALECT\) must be netcode or lightyear/,
    ],
    [
      'TLS upgrade is asked on a UDP port',
      config().replace('protocol: UDP', 'protocol: UDP, tlsUpgrade: true'),
      {},
      /ports\.rtc\.tlsUpgrade works only with protocol WS or HTTP/,
    ],
    [
      'an extra env key is set twice',
      config().replace('value: debug }', 'value: debug }\n  - { key: LOG_LEVEL, value: x }'),
      {},
      /env\[1\]\.key LOG_LEVEL is set twice/,
    ],
    [
      'an extra env key is not a variable name',
      config().replace('key: LOG_LEVEL', 'key: 1-bad'),
      {},
      /env\[0\]\.key "1-bad" is not a valid variable name/,
    ],
    [
      'an env value is over Edgegap’s 4 KB',
      config().replace('value: debug', `value: ${'x'.repeat(5000)}`),
      {},
      /LOG_LEVEL is over Edgegap's 4096-byte limit/,
    ],
    [
      'the NATS URL is not one',
      config().replace('tls://nats.example.com:4222', 'http://nats'),
      {},
      /nats\.url must look like tls:\/\//,
    ],
    [
      'the version name has a slash',
      config(),
      { RELEASE_TAG: 'feature/x' },
      /version must be 1-64 letters/,
    ],
    [
      'a field is misspelt',
      config().replace('sidecar:', 'resouces: {}\nsidecar:'),
      {},
      /resouces is not a known field/,
    ],
    [
      'a port field is misspelt',
      config().replace('protocol: TCP }', 'protocol: TCP, tls_upgrade: true }'),
      {},
      /ports\.game\.tls_upgrade is not a known field/,
    ],
  ])('fails with BAD_REQUEST, exit 2, when %s', async (_why, text, extraEnv, message) => {
    const path = await writeConfig('bad.yaml', text);
    const run = await playgap(['version', 'create', '--config', path], {
      env: { ...env, ...extraEnv },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error BAD_REQUEST: /);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toContain('short-secret');
  });

  it("refuses a capacity the sidecar refuses, with the sidecar's own message", async () => {
    let sidecarMessage = '';
    try {
      loadSidecarConfig(
        {
          PLAYGAP_CAPACITY: '2000',
          PLAYGAP_PROTOCOL_ID: '1',
          PLAYGAP_PRIVATE_KEY: 'ab'.repeat(32),
        },
        ['--local', 'serve'],
      );
    } catch (error) {
      sidecarMessage = (error as Error).message;
    }
    expect(sidecarMessage).toMatch(/^PLAYGAP_CAPACITY must be an integer from 1 to 1024/);
    const path = await writeConfig(
      'too-big.yaml',
      config().replace('capacity: 8', 'capacity: 2000'),
    );
    const run = await playgap(['version', 'create', '--config', path], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `${sidecarMessage.replace('PLAYGAP_CAPACITY', 'sidecar.capacity (PLAYGAP_CAPACITY)')}.`,
    );
  });

  it('fails with exit 2 when the config file does not exist or is missing', async () => {
    expect(
      (await playgap(['version', 'create', '--config', join(dir, 'none.yaml')], { env })).code,
    ).toBe(2);
    expect((await playgap(['version', 'create'], { env })).stderr).toContain('Missing --config');
  });
});

describe('playgap deployments', () => {
  let requestId: string;

  beforeAll(async () => {
    ({ requestId } = await edgegap.deploy({
      application: 'arena',
      version: 'idle',
      users: [{ ipAddress: '1.2.3.4' }],
      tags: ['cli-test'],
    }));
  });

  it('lists the app’s deployments', async () => {
    const run = await playgap(['deployments', 'list', '--app', 'arena', '--json'], { env });
    expect(run.code, run.stderr).toBe(0);
    const items = run.json().items as { requestId: string }[];
    expect(items.map((d) => d.requestId)).toContain(requestId);
    const text = await playgap(['deployments', 'list'], { env });
    expect(text.stdout).toMatch(/^REQUEST ID\s+READY/);
    expect(text.stdout).toContain(requestId);
  });

  it('inspects one deployment', async () => {
    const run = await playgap(['deployments', 'inspect', requestId, '--json'], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.json()).toMatchObject({ requestId, status: expect.stringMatching(/^Status\./) });
    expect(run.json()).not.toHaveProperty('raw');
  });

  it('reports NOT_FOUND for an unknown deployment', async () => {
    const run = await playgap(['deployments', 'inspect', 'ffffffffffff'], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error NOT_FOUND: /);
  });

  it('refuses a request id that is not one, before calling Edgegap', async () => {
    const run = await playgap(['deployments', 'stop', '../../v1/app'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('A request id is 1-64 letters');
    expect((await playgap(['deployments', 'stop'], { env })).stderr).toContain(
      'Missing the request id',
    );
  });

  it('stops a deployment', async () => {
    const run = await playgap(['deployments', 'stop', requestId, '--json'], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.json()).toMatchObject({
      requestId,
      stopped: expect.stringMatching(/^(now|when-ready)$/),
    });
  });
});
