/** A self-signed ECDSA P-256 certificate in a temp dir, like the sidecar's, for tests. */
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export async function makeTestCert(): Promise<{
  certFile: string;
  keyFile: string;
  hash: Uint8Array;
  cleanup(): Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'playgap-server-cert-'));
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + 10 * 86_400_000),
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  } as never);
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  await writeFile(certFile, pems.cert);
  await writeFile(keyFile, pems.private);
  const hash = createHash('sha256').update(new X509Certificate(pems.cert).raw).digest();
  return {
    certFile,
    keyFile,
    hash: new Uint8Array(hash),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
