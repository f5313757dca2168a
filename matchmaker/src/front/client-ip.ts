/**
 * The player's IP: the socket's peer address, or the first `X-Forwarded-For` entry only when
 * that peer is one of the configured trusted proxies (anyone else could forge the header).
 */

/**
 * Strip the IPv4-mapped IPv6 prefix so `::ffff:1.2.3.4` compares as `1.2.3.4`.
 *
 * @example
 * normalizeIp('::ffff:10.0.0.2'); // '10.0.0.2'
 */
export function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

/**
 * @example
 * clientIp('10.0.0.2', '203.0.113.7, 10.0.0.2', ['10.0.0.2']); // '203.0.113.7'
 */
export function clientIp(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustedProxies: readonly string[],
): string {
  const socketIp = normalizeIp(peer ?? '0.0.0.0');
  if (!forwardedFor || !trustedProxies.includes(socketIp)) return socketIp;
  const header = Array.isArray(forwardedFor) ? forwardedFor[0] : forwardedFor;
  const first = header?.split(',')[0]?.trim();
  if (!first || !/^[0-9A-Fa-f:.]{2,45}$/.test(first)) return socketIp;
  return normalizeIp(first);
}
