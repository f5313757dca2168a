// The shell blocks of docs/deploy-edgegap.md marked `<!-- guide-test: NAME -->` run here as
// written: the NATS certificate recipe must produce certificates that the compose NATS serves
// and that a client trusting only ca.crt accepts.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connect } from '@nats-io/transport-node';
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
});
