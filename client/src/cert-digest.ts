/**
 * The matchmaker gives the server certificate's SHA-256 as colon hex (`AB:CD:...`); WebTransport's
 * `serverCertificateHashes` wants the 32 raw bytes.
 */

/**
 * Decode a colon-hex (or plain hex) SHA-256 digest to its 32 bytes.
 *
 * @example
 * certDigestToBytes('AB:'.repeat(31) + 'AB').length; // 32
 */
export function certDigestToBytes(digest: string): Uint8Array<ArrayBuffer> {
  const hex = digest.replaceAll(':', '').trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new TypeError('certDigest must be a SHA-256 digest: 32 bytes of hex, colons optional.');
  }
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}
