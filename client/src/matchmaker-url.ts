/**
 * Where the matchmaker front lives when the game does not say: the page's own host, with ws/wss
 * matching http/https, at `/matchmaker/ws` (Bevygap's path).
 */

/**
 * Path of the matchmaker front's WebSocket.
 *
 * @example
 * new WebSocket(`wss://${location.host}${MATCHMAKER_WS_PATH}`);
 */
export const MATCHMAKER_WS_PATH = '/matchmaker/ws';

/**
 * The matchmaker WebSocket URL for a page location.
 *
 * @example
 * matchmakerUrlFromLocation({ protocol: 'https:', host: 'game.example.com' });
 * // 'wss://game.example.com/matchmaker/ws'
 */
export function matchmakerUrlFromLocation(location: { protocol: string; host: string }): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${MATCHMAKER_WS_PATH}`;
}

/**
 * The matchmaker URL to use: the configured one (http(s) turned into ws(s), a bare origin given
 * the default path), else the page's location.
 *
 * @example
 * resolveMatchmakerUrl('http://127.0.0.1:8080'); // 'ws://127.0.0.1:8080/matchmaker/ws'
 */
export function resolveMatchmakerUrl(
  configured: string | undefined,
  location: { protocol: string; host: string } | undefined = globalThis.location,
): string {
  if (configured === undefined) {
    if (location === undefined) {
      throw new TypeError('matchmakerUrl is required outside a browser page.');
    }
    return matchmakerUrlFromLocation(location);
  }
  const url = new URL(configured, location ? `${location.protocol}//${location.host}` : undefined);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new TypeError(`matchmakerUrl must be ws(s):// or http(s)://, got ${url.protocol}`);
  }
  if (url.pathname === '/' || url.pathname === '') url.pathname = MATCHMAKER_WS_PATH;
  return url.toString();
}
