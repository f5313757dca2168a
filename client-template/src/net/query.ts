/**
 * Page query parameters the playgap wiring understands (handy for tests and debugging):
 * `?transport=websocket|webrtc|webtransport` forces one transport, `?name=Ada` sets the name
 * shown above your ship, `?matchmaker=ws://host/matchmaker/ws` points at another matchmaker,
 * `?connectTimeoutMs=30000` gives each transport attempt longer than the SDK's 10 s (a slow link,
 * or a busy test machine), `?party=<id>` plays with that party (the matchmaker seats a party on
 * one server: what "Copy link" shares), `?latency=1` pings the matchmaker's regions first so a
 * new server starts in the fastest one, `?partyCode=K7QF-2M` joins that party by code (what
 * "Copy party link" shares), `?mode=2v2` picks the mode.
 */
import type { TransportKind } from '@playgap/protocol';

export interface PageOptions {
  transports?: TransportKind[];
  name?: string;
  matchmakerUrl?: string;
  timeouts?: { transportMs: number };
  party?: string;
  measureLatency?: true;
  /** A party code to join at once (`?partyCode=`). */
  partyCode?: string;
  /** The mode picked at start (`?mode=`). */
  mode?: string;
}

/** What the matchmaker accepts as a party id. */
const PARTY = /^[A-Za-z0-9_.-]{1,64}$/;

/** Bounds of `?connectTimeoutMs=`; a value outside them (or not a number) is ignored. */
const CONNECT_TIMEOUT_MS = { min: 1_000, max: 120_000 };

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
  // Control and formatting characters are dropped: the matchmaker refuses names with them.
  const name = params
    .get('name')
    ?.replace(/[\p{Cc}\p{Cf}]/gu, '')
    .trim();
  if (name) options.name = name.slice(0, 32);
  const matchmaker = params.get('matchmaker');
  if (matchmaker) options.matchmakerUrl = matchmaker;
  const party = params.get('party');
  if (party && PARTY.test(party)) options.party = party;
  const rawTimeout = params.get('connectTimeoutMs') ?? '';
  const connectTimeoutMs = /^[0-9]{1,6}$/.test(rawTimeout) ? Number(rawTimeout) : Number.NaN;
  if (connectTimeoutMs >= CONNECT_TIMEOUT_MS.min && connectTimeoutMs <= CONNECT_TIMEOUT_MS.max) {
    options.timeouts = { transportMs: connectTimeoutMs };
  }
  if (params.get('latency') === '1') options.measureLatency = true;
  const partyCode = params.get('partyCode')?.trim();
  if (partyCode && /^[A-Za-z0-9-]{6,8}$/.test(partyCode)) options.partyCode = partyCode;
  const mode = params.get('mode');
  if (mode && PARTY.test(mode)) options.mode = mode;
  return options;
}

/**
 * The name to play under: the page's `?name=`, else a pilot number picked for this visit.
 *
 * @example
 * playerName({ name: 'Ada' }); // 'Ada'
 * playerName({}, () => 0.5); // 'Pilot 550'
 */
export function playerName(page: PageOptions, random: () => number = Math.random): string {
  return page.name ?? `Pilot ${100 + Math.floor(random() * 900)}`;
}
