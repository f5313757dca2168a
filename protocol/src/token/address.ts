/**
 * Server addresses: "1.2.3.4:5000" / "[::1]:5000" strings to and from token address entries
 * (type u8, 4 or 16 address bytes, port u16).
 */
import { ErrorCode } from '../error-codes.js';
import { ADDRESS_IPV4, ADDRESS_IPV6, type Ipv6Layout, MAX_SERVER_ADDRESSES } from './constants.js';
import { ConnectTokenError } from './errors.js';

/** A parsed address: IPv4 (4 octets) or IPv6 (16 octets), network order, plus port. */
export interface ServerAddress {
  readonly octets: Uint8Array;
  readonly port: number;
}

const DECIMAL_OCTET = /^(?:0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;
const PORT = /^[1-9][0-9]{0,4}$/;

function invalidAddress(input: unknown, why: string): ConnectTokenError {
  const shown = typeof input === 'string' ? JSON.stringify(input.slice(0, 60)) : typeof input;
  return new ConnectTokenError(
    ErrorCode.TOKEN_INVALID_ARGUMENT,
    `Invalid server address ${shown} (${why}): use an IP address and port like "1.2.3.4:5000" or "[::1]:5000".`,
  );
}

function parseIpv4(text: string, into: Uint8Array, at: number): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (!DECIMAL_OCTET.test(part)) return false;
    const value = Number(part);
    if (value > 255) return false;
    into[at + i] = value;
  }
  return true;
}

function parseGroups(text: string, into: number[]): boolean {
  if (text === '') return true;
  for (const group of text.split(':')) {
    if (!HEX_GROUP.test(group)) return false;
    into.push(Number.parseInt(group, 16));
  }
  return true;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const octets = new Uint8Array(16);
  let body = text;
  let tail: number[] = [];
  const lastColon = body.lastIndexOf(':');
  if (body.includes('.', lastColon)) {
    const v4 = new Uint8Array(4);
    if (!parseIpv4(body.slice(lastColon + 1), v4, 0)) return undefined;
    tail = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    body = body.slice(0, lastColon + 1);
    // Keep a trailing "::" (it stands for zero groups); drop a single separating ":".
    if (!body.endsWith('::') && body.endsWith(':')) body = body.slice(0, -1);
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const head: number[] = [];
  const rest: number[] = [];
  if (!parseGroups(halves[0]!, head)) return undefined;
  if (halves.length === 2 && !parseGroups(halves[1]!, rest)) return undefined;
  rest.push(...tail);
  const count = head.length + rest.length;
  if (halves.length === 1 ? count !== 8 : count > 7) return undefined;
  const groups = [...head, ...new Array<number>(8 - count).fill(0), ...rest];
  for (let i = 0; i < 8; i++) {
    octets[2 * i] = groups[i]! >> 8;
    octets[2 * i + 1] = groups[i]! & 0xff;
  }
  return octets;
}

/**
 * Parse "1.2.3.4:5000" or "[::1]:5000"; TOKEN_INVALID_ARGUMENT otherwise (host names, zone
 * ids and port 0 are refused: a token names IP addresses a client can reach).
 *
 * @example
 * parseServerAddress('[2001:db8::1]:7777'); // { octets: <16 bytes>, port: 7777 }
 */
export function parseServerAddress(input: string): ServerAddress {
  if (typeof input !== 'string') throw invalidAddress(input, 'not a string');
  const colon = input.lastIndexOf(':');
  if (colon < 0) throw invalidAddress(input, 'no port');
  const portText = input.slice(colon + 1);
  const port = Number(portText);
  if (!PORT.test(portText) || port > 65535) throw invalidAddress(input, 'port must be 1-65535');
  const host = input.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) {
    const octets = parseIpv6(host.slice(1, -1));
    if (!octets) throw invalidAddress(input, 'not an IPv6 address');
    return { octets, port };
  }
  const octets = new Uint8Array(4);
  if (!parseIpv4(host, octets, 0)) throw invalidAddress(input, 'not an IPv4 address');
  return { octets, port };
}

/**
 * Canonical text of an address: dotted IPv4, or RFC 5952 IPv6 in brackets, then ":port".
 *
 * @example
 * formatServerAddress(parseServerAddress('[0:0::1]:80')); // '[::1]:80'
 */
export function formatServerAddress(address: ServerAddress): string {
  const o = address.octets;
  if (o.length === 4) return `${o[0]}.${o[1]}.${o[2]}.${o[3]}:${address.port}`;
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((o[2 * i]! << 8) | o[2 * i + 1]!);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  const text =
    bestStart < 0
      ? hex.join(':')
      : `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
  return `[${text}]:${address.port}`;
}

/**
 * Canonicalise an address string (TOKEN_INVALID_ARGUMENT when it does not parse).
 *
 * @example
 * canonicalAddress('[0::1]:5000'); // '[::1]:5000'
 */
export function canonicalAddress(input: string): string {
  return formatServerAddress(parseServerAddress(input));
}

/**
 * Parse and check a list of 1..32 addresses for minting.
 *
 * @example
 * parseAddressList(['127.0.0.1:5000'], 'serverAddresses');
 */
export function parseAddressList(list: unknown, name: string): ServerAddress[] {
  if (!Array.isArray(list) || list.length < 1 || list.length > MAX_SERVER_ADDRESSES) {
    throw new ConnectTokenError(
      ErrorCode.TOKEN_INVALID_ARGUMENT,
      `${name} must be a list of 1 to ${MAX_SERVER_ADDRESSES} addresses.`,
    );
  }
  return list.map((item) => parseServerAddress(item as string));
}

/** Bytes one entry takes in a token. */
export function entryBytes(address: ServerAddress): number {
  return address.octets.length === 4 ? 7 : 19;
}

/**
 * Write address entries at `offset` (count first, as u32); returns the offset after them.
 *
 * @example
 * offset = writeAddressEntries(view, bytes, offset, list, true, 'groups');
 */
export function writeAddressEntries(
  view: DataView,
  bytes: Uint8Array,
  offset: number,
  list: readonly ServerAddress[],
  littleEndian: boolean,
  ipv6Layout: Ipv6Layout,
): number {
  view.setUint32(offset, list.length, littleEndian);
  let at = offset + 4;
  for (const address of list) {
    const o = address.octets;
    if (o.length === 4) {
      bytes[at] = ADDRESS_IPV4;
      for (let i = 0; i < 4; i++) bytes[at + 1 + i] = o[i]!; // cheaper than set() for 4 bytes
      at += 5;
    } else {
      bytes[at] = ADDRESS_IPV6;
      if (ipv6Layout === 'octets') bytes.set(o, at + 1);
      else
        for (let g = 0; g < 8; g++)
          view.setUint16(at + 1 + 2 * g, (o[2 * g]! << 8) | o[2 * g + 1]!, littleEndian);
      at += 17;
    }
    view.setUint16(at, address.port, littleEndian);
    at += 2;
  }
  return at;
}

// A server sees its own address in every token it verifies: the last IPv4 text is kept.
let lastIpv4Key = -1;
let lastIpv4Text = '';

/** "a.b.c.d:port" of the four octets at `at`. */
function ipv4Text(bytes: Uint8Array, at: number, port: number): string {
  const key =
    (bytes[at]! * 0x100_0000 + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!)) *
      0x1_0000 +
    port;
  if (key !== lastIpv4Key) {
    lastIpv4Text = `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}:${port}`;
    lastIpv4Key = key;
  }
  return lastIpv4Text;
}

/**
 * Read a u32 count and that many address entries from `offset`, never past `end`, pushing
 * their canonical text to `addresses` (when given); returns the offset after them.
 * TOKEN_MALFORMED on a count outside 1..32, an unknown type or a truncated entry.
 *
 * @example
 * const addresses: string[] = [];
 * const next = readAddressEntries(view, bytes, 1089, 1984, true, 'groups', 'public', addresses);
 */
export function readAddressEntries(
  view: DataView,
  bytes: Uint8Array,
  offset: number,
  end: number,
  littleEndian: boolean,
  ipv6Layout: Ipv6Layout,
  part: 'public' | 'private',
  addresses: string[] | undefined,
): number {
  const count = view.getUint32(offset, littleEndian);
  if (count < 1 || count > MAX_SERVER_ADDRESSES) {
    throw new ConnectTokenError(
      ErrorCode.TOKEN_MALFORMED,
      `The ${part} token lists ${count} server addresses (must be 1-${MAX_SERVER_ADDRESSES}): send the token exactly as minted.`,
    );
  }
  let at = offset + 4;
  for (let i = 0; i < count; i++) {
    if (at >= end) {
      throw new ConnectTokenError(
        ErrorCode.TOKEN_MALFORMED,
        `The ${part} token's address list runs past its end.`,
      );
    }
    const type = bytes[at];
    const size = type === ADDRESS_IPV4 ? 7 : type === ADDRESS_IPV6 ? 19 : 0;
    if (size === 0) {
      throw new ConnectTokenError(
        ErrorCode.TOKEN_MALFORMED,
        `The ${part} token has server address ${i + 1} of unknown type ${type} (must be 1 = IPv4 or 2 = IPv6).`,
      );
    }
    if (at + size > end) {
      throw new ConnectTokenError(
        ErrorCode.TOKEN_MALFORMED,
        `The ${part} token's address list runs past its end.`,
      );
    }
    if (!addresses) {
      at += size; // checked only: the caller does not need the text
      continue;
    }
    const port = view.getUint16(at + size - 2, littleEndian);
    if (size === 7) {
      addresses.push(ipv4Text(bytes, at + 1, port));
      at += size;
      continue;
    }
    let octets: Uint8Array;
    if (ipv6Layout === 'octets') octets = bytes.subarray(at + 1, at + 17);
    else {
      octets = new Uint8Array(16);
      for (let g = 0; g < 8; g++) {
        const value = view.getUint16(at + 1 + 2 * g, littleEndian);
        octets[2 * g] = value >> 8;
        octets[2 * g + 1] = value & 0xff;
      }
    }
    addresses.push(formatServerAddress({ octets, port }));
    at += size;
  }
  return at;
}
