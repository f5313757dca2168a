/**
 * Keeps the server's WebTransport certificate valid: makes one at start and a new one
 * renewBeforeMs before the current one expires (at most half-way through its validity). Each
 * certificate is made in a worker (createCertificateIsolated) so the event loop keeps serving.
 */
import { createCertificateIsolated, type ServerCertificate } from './certificate.js';
import type { Clock, TimerHandle } from './clock.js';

/** After a failed renewal, the next try comes this much later (the old certificate stays). */
export const RENEWAL_RETRY_MS = 60_000;

/** Where the certificate lives, what it names, and how long it lasts. */
export interface CertificateRenewalOptions {
  dir: string;
  publicIp: string;
  fqdn?: string;
  validityMs: number;
  renewBeforeMs: number;
  clock: Clock;
  /** Called with each renewed certificate (not the first one). */
  onRenewed: (cert: ServerCertificate) => void;
  log: (message: string, fields?: Record<string, unknown>) => void;
}

/**
 * The current certificate and its renewal timer.
 *
 * @example
 * const renewal = new CertificateRenewal({ dir, publicIp, validityMs, renewBeforeMs, clock, onRenewed, log });
 * await renewal.start(); renewal.current?.certDigest;
 */
export class CertificateRenewal {
  private cert: ServerCertificate | undefined;
  private timer: TimerHandle | undefined;
  private cancelled = false;

  constructor(private readonly options: CertificateRenewalOptions) {}

  /** The certificate in use; undefined until `start` resolves. */
  get current(): ServerCertificate | undefined {
    return this.cert;
  }

  /** Make the first certificate and schedule its renewal. */
  start(): Promise<void> {
    return this.renew(false);
  }

  /** Stop renewing; a renewal under way finishes without replacing or announcing anything. */
  cancel(): void {
    this.cancelled = true;
    this.timer?.cancel();
  }

  private async renew(announce: boolean): Promise<void> {
    const { clock } = this.options;
    const cert = await createCertificateIsolated({
      dir: this.options.dir,
      publicIp: this.options.publicIp,
      fqdn: this.options.fqdn,
      validityMs: this.options.validityMs,
      now: clock.now(),
    });
    if (this.cancelled) return;
    this.cert = cert;
    const renewBefore = Math.min(this.options.renewBeforeMs, this.options.validityMs / 2);
    this.renewIn(cert.notAfter - renewBefore - clock.now());
    if (announce) this.options.onRenewed(cert);
  }

  private renewIn(delayMs: number): void {
    this.timer = this.options.clock.setTimeout(() => {
      void this.renew(true).catch((error) => {
        if (this.cancelled) return;
        this.options.log('certificate renewal failed; retrying', {
          error: String(error),
          retryInMs: RENEWAL_RETRY_MS,
        });
        this.renewIn(RENEWAL_RETRY_MS);
      });
    }, delayMs);
  }
}
