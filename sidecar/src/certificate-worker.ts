/**
 * Worker-thread entry that makes the certificate, so the X.509 libraries (selfsigned,
 * @peculiar/x509, pkijs: ~15 MB) load in a short-lived isolate instead of staying resident in
 * the sidecar for its whole life.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type CertificateOptions, createCertificate } from './certificate.js';

createCertificate(workerData as CertificateOptions).then(
  (cert) => parentPort?.postMessage({ ok: true, cert }),
  (error: Error) => parentPort?.postMessage({ ok: false, message: error.message }),
);
