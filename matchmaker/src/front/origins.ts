/**
 * Browser origin allowlist: exact origins, `*`, and wildcard subdomains such as
 * `https://*.example.com` (which does not match `https://example.com` itself).
 */

/**
 * Build a predicate; an empty list allows every origin. A request without Origin (not a
 * browser) is always allowed: CORS protects browsers, not the API.
 *
 * @example
 * const allowed = originMatcher(['https://*.example.com']);
 * allowed('https://play.example.com'); // true
 */
export function originMatcher(allowed: readonly string[]): (origin: string | undefined) => boolean {
  if (allowed.length === 0 || allowed.includes('*')) return () => true;
  const exact = new Set(allowed.filter((o) => !o.includes('*')).map((o) => o.toLowerCase()));
  const wildcards = allowed
    .filter((o) => o.includes('://*.'))
    .map((o) => {
      const [scheme, rest] = o.toLowerCase().split('://*.') as [string, string];
      return { prefix: `${scheme}://`, suffix: `.${rest}` };
    });
  return (origin) => {
    if (origin === undefined) return true;
    const o = origin.toLowerCase();
    if (exact.has(o)) return true;
    return wildcards.some(
      (w) =>
        o.startsWith(w.prefix) &&
        o.endsWith(w.suffix) &&
        o.length > w.prefix.length + w.suffix.length &&
        !o.slice(w.prefix.length, o.length - w.suffix.length).includes('/'),
    );
  };
}
