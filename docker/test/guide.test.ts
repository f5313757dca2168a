// The shell blocks of docs/deploy-edgegap.md marked `<!-- guide-test: NAME -->` run here as
// written: the NATS certificate recipe must produce certificates that the compose NATS serves
// and that a client trusting only ca.crt accepts.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { connect } from '@nats-io/transport-node';
import { runCli, splitArguments } from '@playgap/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startComposeNats } from './nats-from-compose.js';

const repo = join(import.meta.dirname, '..', '..');

async function guideBlock(name: string): Promise<string> {
  const guide = await readFile(join(repo, 'docs', 'deploy-edgegap.md'), 'utf8');
  const marker = `<!-- guide-test: ${name} -->\n\`\`\`sh\n`;
  const start = guide.indexOf(marker);
  if (start < 0) throw new Error(`no block ${name} in docs/deploy-edgegap.md`);
  const body = guide.slice(start + marker.length);
  return body.slice(0, body.indexOf('```'));
}

describe('docs/deploy-edgegap.md', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'playgap-guide-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('makes NATS certificates that the compose NATS serves over TLS', async () => {
    const script = await guideBlock('nats-certs');
    await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], { cwd: dir });
    const certDir = join(dir, 'docker', 'nats', 'certs');
    const cert = new X509Certificate(await readFile(join(certDir, 'server.crt')));
    expect(cert.subjectAltName).toContain('DNS:nats.example.com');
    expect(cert.subjectAltName).toContain('DNS:nats');
    expect(cert.checkIssued(new X509Certificate(await readFile(join(certDir, 'ca.crt'))))).toBe(
      true,
    );

    const nats = await startComposeNats('arena', { certDir });
    try {
      const nc = await connect({
        servers: nats.url,
        user: 'matchmaker',
        pass: nats.passwords.matchmaker,
        tls: { ca: nats.caPem },
        maxReconnectAttempts: 0,
      });
      expect(nc.info?.tls_required).toBe(true);
      await nc.close();
    } finally {
      await nats.stop();
    }
  });

  it('puts the CA the recipe made into the version arguments with the guide’s command', async () => {
    const cwd = join(dir, 'ca-argument');
    await mkdir(join(cwd, 'docker'), { recursive: true });
    await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', await guideBlock('nats-certs')], {
      cwd,
    });
    await copyFile(
      join(repo, 'docker', 'edgegap-version.yaml'),
      join(cwd, 'docker', 'edgegap-version.yaml'),
    );
    const words = splitArguments((await guideBlock('version-ca-argument')).replace(/\\\n/g, ' '));
    expect(words[0]).toBe('playgap');
    let stdout = '';
    const out = new PassThrough().on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    const code = await runCli([...words.slice(1), '--dry-run', '--json'], {
      stdout: out,
      stderr: out,
      cwd,
      env: {
        EDGEGAP_APP: 'arena',
        RELEASE_TAG: 'v0.1.0',
        EDGEGAP_PROJECT: 'studio',
        EDGEGAP_IMAGE: 'arena-server',
        EDGEGAP_REGISTRY_USERNAME: 'robot',
        EDGEGAP_REGISTRY_TOKEN: 'pull-token',
        PLAYGAP_PROTOCOL_ID: '42',
        PLAYGAP_PRIVATE_KEY: 'ab'.repeat(32),
        NATS_PUBLIC_URL: 'tls://nats.example.com:4222',
        NATS_GAMESERVER_PASSWORD: 'gs-password',
        NATS_CA_FILE: 'unused-when-nats-ca-is-given.pem',
      },
    });
    expect(code, JSON.stringify(stdout)).toBe(0);
    const body = (JSON.parse(stdout) as { body: { arguments: string; envs: { key: string }[] } })
      .body;
    const caPem = (await readFile(join(cwd, 'docker', 'nats', 'certs', 'ca.crt'), 'utf8')).trim();
    expect(splitArguments(body.arguments)).toEqual([
      `--ca-contents=${caPem.replaceAll('\n', '\\n')}`,
      'run',
      '--',
      'node',
      '/app/server-template/dist/main.js',
    ]);
    expect(body.envs.map((e) => e.key)).not.toContain('NATS_CA_CONTENTS');
  });
});
