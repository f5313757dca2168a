/**
 * The WebTransport certificate: ECDSA P-256, SHA-256 signature, X.509 v3, valid at most 13 days
 * (browsers refuse more than 14 for `serverCertificateHashes`), SANs localhost, 127.0.0.1, the
 * public IP and fqdn. Files are written with the key at mode 0600; the digest is SHA-256 of the
 * DER (colon hex as Bevygap, and base64 of the raw bytes).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/** Longest validity a browser accepts for serverCertificateHashes, minus a day of margin. */
export const MAX_CERT_VALIDITY_DAYS = 13;

/** A certificate on disk and its digests. */
export interface ServerCertificate {
  certFile: string;
  keyFile: string;
  certPem: string;
  /** Colon hex SHA-256 of the DER, upper case: `AB:CD:...`. */
  certDigest: string;
  /** Base64 of the 32 raw SHA-256 bytes (for `serverCertificateHashes`). */
  certHashBase64: string;
  notBefore: number;
  notAfter: number;
}

export interface CertificateOptions {
  dir: string;
  publicIp: string;
  fqdn?: string;
  /** Validity in ms; at most 13 days. */
  validityMs: number;
  /** Unix ms; the certificate starts one minute earlier (clock skew). */
  now: number;
}

/**
 * Digest of a PEM certificate: colon hex and raw base64 of SHA-256(DER).
 *
 * @example
 * const { certDigest } = certificateDigest(pem); // 'AB:01:...'
 */
export function certificateDigest(pem: string): { certDigest: string; certHashBase64: string } {
  const der = new X509Certificate(pem).raw;
  const hash = createHash('sha256').update(der).digest();
  const hex = hash.toString('hex').toUpperCase();
  return { certDigest: hex.match(/../g)?.join(':') ?? '', certHashBase64: hash.toString('base64') };
}

/**
 * Generate a certificate and write `cert.pem` / `key.pem` (0600) into `dir` atomically.
 *
 * @example
 * const cert = await createCertificate({ dir: '/tmp/c', publicIp: '1.2.3.4', validityMs: 13 * 86_400_000, now: Date.now() });
 */
export async function createCertificate(options: CertificateOptions): Promise<ServerCertificate> {
  if (options.validityMs <= 0 || options.validityMs > MAX_CERT_VALIDITY_DAYS * 86_400_000) {
    throw new RangeError(`certificate validity must be 1 ms to ${MAX_CERT_VALIDITY_DAYS} days`);
  }
  const altNames: { type: 2 | 7; value?: string; ip?: string }[] = [
    { type: 2, value: 'localhost' },
    { type: 7, ip: '127.0.0.1' },
  ];
  for (const name of [options.publicIp, options.fqdn]) {
    if (!name || name === 'localhost' || name === '127.0.0.1') continue;
    altNames.push(isIP(name) ? { type: 7, ip: name } : { type: 2, value: name });
  }
  const notBefore = options.now - 60_000;
  const notAfter = options.now + options.validityMs;
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: options.fqdn ?? options.publicIp }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(notBefore),
    notAfterDate: new Date(notAfter),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  const certFile = join(options.dir, 'cert.pem');
  const keyFile = join(options.dir, 'key.pem');
  // Write beside and rename, so a game server never reads a half-written pair.
  await writeFile(`${keyFile}.tmp`, pems.private, { mode: 0o600 });
  await chmod(`${keyFile}.tmp`, 0o600);
  await writeFile(`${certFile}.tmp`, pems.cert, { mode: 0o644 });
  await rename(`${keyFile}.tmp`, keyFile);
  await rename(`${certFile}.tmp`, certFile);
  const x509 = new X509Certificate(pems.cert);
  return {
    certFile,
    keyFile,
    certPem: pems.cert,
    ...certificateDigest(pems.cert),
    notBefore: Date.parse(x509.validFrom),
    notAfter: Date.parse(x509.validTo),
  };
}

/**
 * Like createCertificate, but in a worker thread when the compiled worker file exists (dist),
 * so the X.509 libraries never stay loaded in the sidecar; in place otherwise (tests on src).
 *
 * @example
 * const cert = await createCertificateIsolated({ dir, publicIp, validityMs, now: Date.now() });
 */
export async function createCertificateIsolated(
  options: CertificateOptions,
): Promise<ServerCertificate> {
  const workerUrl = new URL('./certificate-worker.js', import.meta.url);
  if (!import.meta.url.endsWith('.js')) return createCertificate(options);
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerUrl, { workerData: options });
    worker.once(
      'message',
      (m: { ok: true; cert: ServerCertificate } | { ok: false; message: string }) => {
        void worker.terminate();
        if (m.ok) resolve(m.cert);
        else reject(new Error(m.message));
      },
    );
    worker.once('error', reject);
  });
}
