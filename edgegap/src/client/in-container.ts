/**
 * Calls a game server makes from inside its deployment: read its context
 * (`ARBITRIUM_CONTEXT_URL` + `ARBITRIUM_CONTEXT_TOKEN`) and stop itself
 * (`ARBITRIUM_DELETE_URL` + `ARBITRIUM_DELETE_TOKEN`). The token goes raw in Authorization,
 * and the URLs embed secrets, so error messages show them redacted.
 */
import { type HttpTransport, shaped } from './http.js';
import { normalizeContext } from './normalize.js';
import type { CallOptions, DeploymentContext } from './types.js';

/** Keep scheme, host and the first path segments; hide the secret tail of the URL. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const parts = u.pathname.split('/');
    const keep = parts.slice(0, Math.max(1, parts.length - 1)).join('/');
    return `${u.origin}${keep}/***`;
  } catch {
    return '<invalid url>';
  }
}

export async function getContext(
  http: HttpTransport,
  opts: { url: string; token: string },
  call?: CallOptions,
): Promise<DeploymentContext> {
  const shownPath = redactUrl(opts.url);
  const result = await http.request(
    { method: 'GET', path: opts.url, shownPath, idempotent: true, rawAuthorization: opts.token },
    call,
  );
  return shaped('GET', shownPath, result.body, normalizeContext);
}

export async function selfStop(
  http: HttpTransport,
  opts: { url: string; token: string },
  call?: CallOptions,
): Promise<void> {
  const shownPath = redactUrl(opts.url);
  await http.request(
    {
      method: 'DELETE',
      path: opts.url,
      shownPath,
      idempotent: true,
      rawAuthorization: opts.token,
      allowStatuses: [410],
    },
    call,
  );
}
