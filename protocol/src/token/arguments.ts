/**
 * Shared checks of caller-given options (dialect, clock, integers, fixed byte inputs). Every
 * failure is a ConnectTokenError naming the option.
 */
import { ErrorCode } from '../error-codes.js';
import { byteLengthOf } from './bytes.js';
import type { Ipv6Layout, TokenDialect } from './constants.js';
import { ConnectTokenError } from './errors.js';

export function invalidArgument(message: string): ConnectTokenError {
  return new ConnectTokenError(ErrorCode.TOKEN_INVALID_ARGUMENT, message);
}

/** Throw unless `options` is an object. */
export function assertOptions(
  options: unknown,
  fn: string,
): asserts options is Record<string, unknown> {
  if (typeof options !== 'object' || options === null) {
    throw invalidArgument(`${fn} needs an options object.`);
  }
}

/** `true` for little-endian (netcode, the default), `false` for lightyear. */
export function isLittleEndian(dialect: unknown): boolean {
  if (dialect === undefined || dialect === 'netcode') return true;
  if (dialect === 'lightyear') return false;
  throw invalidArgument('dialect must be "netcode" or "lightyear".');
}

/** The IPv6 layout to use: explicit, else `groups` (which is network order in lightyear). */
export function resolveIpv6Layout(layout: unknown): Ipv6Layout {
  if (layout === undefined || layout === 'groups') return 'groups';
  if (layout === 'octets') return 'octets';
  throw invalidArgument('ipv6Layout must be "groups" or "octets".');
}

/** Current Unix time in whole seconds (a number) from an injected ms clock (default Date.now). */
export function clockSeconds(now: unknown): number {
  const ms =
    now === undefined
      ? Date.now()
      : typeof now === 'function'
        ? (now as () => unknown)()
        : Number.NaN;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    throw invalidArgument('now must be a function returning Unix time in milliseconds.');
  }
  return Math.floor(ms / 1000);
}

/** Current Unix time in whole seconds as a u64 BigInt (see clockSeconds). */
export function nowSeconds(now: unknown): bigint {
  const seconds = clockSeconds(now);
  if (seconds !== lastSeconds) {
    lastSeconds = seconds;
    lastSecondsBig = BigInt(seconds);
  }
  return lastSecondsBig;
}

// The clock moves once a second: its BigInt is made once per second, not once per call.
let lastSeconds = 0;
let lastSecondsBig = 0n;

/** An integer option within [min, max], or its default when undefined. */
export function integerOption(
  value: unknown,
  fallback: number,
  name: string,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidArgument(`${name} must be an integer from ${min} to ${max}.`);
  }
  return value;
}

/** Fixed bytes of an exact size (a test input), or undefined. */
export function fixedBytes(value: unknown, size: number, name: string): Uint8Array | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof Uint8Array) || byteLengthOf(value) !== size) {
    throw invalidArgument(`${name} must be ${size} bytes.`);
  }
  return value;
}

export type { TokenDialect };
