/**
 * Page query parameters the playgap wiring understands (handy for tests and debugging):
 * `?transport=websocket|webrtc|webtransport` forces one transport, `?name=Ada` sets the name
 * shown above your ship, `?matchmaker=ws://host/matchmaker/ws` points at another matchmaker.
 */
import type { TransportKind } from '@playgap/protocol';

export interface PageOptions {
  transports?: TransportKind[];
  name?: string;
  matchmakerUrl?: string;
}

const KINDS: readonly string[] = ['webtransport', 'webrtc', 'websocket'];

/**
 * Read the options from a query string.
 *
 * @example
 * readPageOptions('?transport=websocket&name=Ada'); // { transports: ['websocket'], name: 'Ada' }
 */
export function readPageOptions(search: string): PageOptions {
  const params = new URLSearchParams(search);
  const options: PageOptions = {};
  const forced = params
    .getAll('transport')
    .flatMap((value) => value.split(','))
    .filter((value) => KINDS.includes(value)) as TransportKind[];
  if (forced.length > 0) options.transports = forced;
  const name = params.get('name')?.trim();
  if (name) options.name = name.slice(0, 32);
  const matchmaker = params.get('matchmaker');
  if (matchmaker) options.matchmakerUrl = matchmaker;
  return options;
}
