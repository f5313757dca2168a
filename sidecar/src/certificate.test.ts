import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { certificateDigest, createCertificate } from './certificate.js';

const DAY = 86_400_000;
let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('createCertificate', () => {
  it('makes an X.509 v3 ECDSA P-256 certificate signed with SHA-256 for at most 13 days', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sidecar-cert-'));
    const now = Date.now();
    const cert = await createCertificate({
      dir,
      publicIp: '203.0.113.7',
      fqdn: 'abc.pr.edgegap.net',
      validityMs: 13 * DAY,
      now,
    });
    const x509 = new X509Certificate(await readFile(cert.certFile));
    const key = x509.publicKey;
    expect(key.asymmetricKeyType).toBe('ec');
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    // The signature algorithm OID is in the DER: ecdsa-with-SHA256 = 1.2.840.10045.4.3.2.
    const ecdsaSha256 = Buffer.from([0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]);
    expect(x509.raw.includes(ecdsaSha256)).toBe(true);
    const ecdsaSha1 = Buffer.from([0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01]);
    expect(x509.raw.includes(ecdsaSha1)).toBe(false);
    // Version field [0] INTEGER 2 (= v3) right at the start of tbsCertificate.
    expect(x509.raw.includes(Buffer.from([0xa0, 0x03, 0x02, 0x01, 0x02]))).toBe(true);
    expect(Date.parse(x509.validTo) - Date.parse(x509.validFrom)).toBeLessThanOrEqual(14 * DAY);
    expect(Date.parse(x509.validTo)).toBeLessThanOrEqual(now + 13 * DAY);
    expect(x509.verify(key)).toBe(true);
  });

  it('lists localhost, 127.0.0.1, the public IP and the fqdn as SANs', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sidecar-cert-'));
    const cert = await createCertificate({
      dir,
      publicIp: '203.0.113.7',
      fqdn: 'abc.pr.edgegap.net',
      validityMs: DAY,
      now: Date.now(),
    });
    const san = new X509Certificate(cert.certPem).subjectAltName ?? '';
    expect(san).toContain('DNS:localhost');
    expect(san).toContain('IP Address:127.0.0.1');
    expect(san).toContain('IP Address:203.0.113.7');
    expect(san).toContain('DNS:abc.pr.edgegap.net');
  });

  it('writes the key with mode 0600 and the digest as SHA-256 of the DER', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sidecar-cert-'));
    const cert = await createCertificate({
      dir,
      publicIp: '127.0.0.1',
      validityMs: DAY,
      now: Date.now(),
    });
    expect((await stat(cert.keyFile)).mode & 0o777).toBe(0o600);
    const fingerprint = new X509Certificate(cert.certPem).fingerprint256;
    expect(cert.certDigest).toBe(fingerprint);
    expect(cert.certDigest).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(Buffer.from(cert.certHashBase64, 'base64').toString('hex').toUpperCase()).toBe(
      fingerprint.replaceAll(':', ''),
    );
    expect(certificateDigest(cert.certPem)).toEqual({
      certDigest: cert.certDigest,
      certHashBase64: cert.certHashBase64,
    });
  });

  it('refuses a validity over 13 days', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sidecar-cert-'));
    await expect(
      createCertificate({ dir, publicIp: '127.0.0.1', validityMs: 14 * DAY, now: Date.now() }),
    ).rejects.toThrow(/13 days/);
  });
});
