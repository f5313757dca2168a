/**
 * playgap's layout of the 256 bytes of user data: the player facts a game server can trust
 * because the matchmaker sealed them. Byte 0 is the layout version (1); then entries of
 * tag u8 + length-prefixed UTF-8 (tags 1 playerId, 2 name, 3 mode, 4 team; tag 5 is an extra
 * key/value pair); tag 0 (or the end) closes the list and zeros follow. All zeros = {}.
 */
import { ErrorCode } from '../error-codes.js';
import { invalidArgument } from './arguments.js';
import { USER_DATA_BYTES } from './constants.js';
import { ConnectTokenError } from './errors.js';

/**
 * Player facts carried in a token's user data.
 *
 * @example
 * const info: PlayerInfo = { playerId: 'p-42', name: 'Ada', mode: 'duel', team: 'red', extra: { skin: 'fox' } };
 */
export interface PlayerInfo {
  playerId?: string;
  name?: string;
  mode?: string;
  team?: string;
  extra?: Record<string, string>;
}

const LAYOUT_VERSION = 1;
const TAG_END = 0;
const TAG_EXTRA = 5;
const FIELDS = ['playerId', 'name', 'mode', 'team'] as const;
type Field = (typeof FIELDS)[number];

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function tooLarge(what: string): ConnectTokenError {
  return new ConnectTokenError(
    ErrorCode.USER_DATA_TOO_LARGE,
    `The player info does not fit in ${USER_DATA_BYTES} bytes (${what}): shorten the name or other fields.`,
  );
}

function malformed(why: string): ConnectTokenError {
  return new ConnectTokenError(
    ErrorCode.USER_DATA_MALFORMED,
    `The token's user data is not playgap player info (${why}): mint tokens with the playgap version that reads them.`,
  );
}

class Writer {
  readonly bytes = new Uint8Array(USER_DATA_BYTES);
  at = 1;

  byte(value: number): void {
    if (this.at >= USER_DATA_BYTES) throw tooLarge(`${this.at + 1} bytes`);
    this.bytes[this.at++] = value;
  }

  text(value: unknown, name: string): void {
    if (typeof value !== 'string') throw invalidArgument(`Player info ${name} must be a string.`);
    const encoded = encoder.encode(value);
    if (encoded.length > 255)
      throw tooLarge(`${name} has ${encoded.length} UTF-8 bytes, at most 255`);
    this.byte(encoded.length);
    if (this.at + encoded.length > USER_DATA_BYTES)
      throw tooLarge(`more than ${USER_DATA_BYTES} bytes at ${name}`);
    this.bytes.set(encoded, this.at);
    this.at += encoded.length;
  }
}

/**
 * Encode player info into 256 bytes of user data. USER_DATA_TOO_LARGE when it does not fit;
 * TOKEN_INVALID_ARGUMENT when a field is not a string.
 *
 * @example
 * mintConnectToken({ ...options, userData: encodeUserData({ playerId: 'p-42', team: 'red' }) });
 */
export function encodeUserData(info: PlayerInfo): Uint8Array {
  if (typeof info !== 'object' || info === null)
    throw invalidArgument('Player info must be an object.');
  const writer = new Writer();
  writer.bytes[0] = LAYOUT_VERSION;
  FIELDS.forEach((field, index) => {
    const value = info[field];
    if (value === undefined) return;
    writer.byte(index + 1);
    writer.text(value, field);
  });
  if (info.extra !== undefined) {
    if (typeof info.extra !== 'object' || info.extra === null || Array.isArray(info.extra)) {
      throw invalidArgument('Player info extra must be an object of strings.');
    }
    for (const [key, value] of Object.entries(info.extra)) {
      if (key === '') throw invalidArgument('Player info extra keys must not be empty.');
      writer.byte(TAG_EXTRA);
      writer.text(key, 'an extra key');
      writer.text(value, `extra.${key.slice(0, 40)}`);
    }
  }
  return writer.bytes;
}

class Reader {
  at = 1;
  constructor(private readonly bytes: Uint8Array) {}

  byte(): number {
    if (this.at >= this.bytes.length) throw malformed('an entry runs past the end');
    return this.bytes[this.at++]!;
  }

  text(): string {
    const length = this.byte();
    if (this.at + length > this.bytes.length) throw malformed('a string runs past the end');
    const slice = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    try {
      return decoder.decode(slice);
    } catch {
      throw malformed('a string is not UTF-8');
    }
  }
}

/**
 * Decode user data written by encodeUserData; all zeros gives `{}`. USER_DATA_MALFORMED for
 * anything else (another layout, a truncated entry, bytes after the end marker...).
 *
 * @example
 * const { playerId, team } = decodeUserData(verified.userData);
 */
export function decodeUserData(bytes: Uint8Array): PlayerInfo {
  if (!(bytes instanceof Uint8Array)) throw malformed('not bytes');
  if (bytes.length !== USER_DATA_BYTES)
    throw malformed(`${bytes.length} bytes instead of ${USER_DATA_BYTES}`);
  if (bytes[0] === 0) {
    if (bytes.every((b) => b === 0)) return {};
    throw malformed('no layout version');
  }
  if (bytes[0] !== LAYOUT_VERSION) throw malformed(`unknown layout version ${bytes[0]}`);
  const reader = new Reader(bytes);
  const info: PlayerInfo = {};
  const extra: [string, string][] = [];
  const extraKeys = new Set<string>();
  while (reader.at < bytes.length) {
    const tag = reader.byte();
    if (tag === TAG_END) break;
    if (tag === TAG_EXTRA) {
      const key = reader.text();
      if (key === '' || extraKeys.has(key)) throw malformed('an empty or repeated extra key');
      extraKeys.add(key);
      extra.push([key, reader.text()]);
      continue;
    }
    const field: Field | undefined = FIELDS[tag - 1];
    if (field === undefined) throw malformed(`unknown entry tag ${tag}`);
    if (info[field] !== undefined) throw malformed(`${field} appears twice`);
    info[field] = reader.text();
  }
  for (let i = reader.at; i < bytes.length; i++) {
    if (bytes[i] !== 0) throw malformed('bytes after the end marker');
  }
  if (extra.length > 0) info.extra = Object.fromEntries(extra);
  return info;
}
