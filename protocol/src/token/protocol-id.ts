/**
 * Protocol ids (u64): the number that ties tokens to one game and version. Given as decimal
 * or `0x` hex text, a safe integer, or a bigint.
 */
import { ErrorCode } from '../error-codes.js';
import { U64_MAX } from './constants.js';
import { ConnectTokenError } from './errors.js';

const DECIMAL = /^[0-9]{1,20}$/;
const HEX = /^0[xX][0-9a-fA-F]{1,16}$/;

function invalid(name: string, why: string): ConnectTokenError {
  return new ConnectTokenError(
    ErrorCode.TOKEN_INVALID_ARGUMENT,
    `${name} ${why}: give an integer 0 to 2^64-1 (decimal or 0x hex).`,
  );
}

/**
 * Parse a protocol id; TOKEN_INVALID_ARGUMENT unless it is an integer in the u64 range.
 *
 * @example
 * parseProtocolId('0x1122334455667788'); // 1234605616436508552n
 * parseProtocolId(42); // 42n
 */
export function parseProtocolId(input: string | number | bigint): bigint {
  if (typeof input === 'bigint') return assertU64(input, 'The protocol id');
  if (typeof input === 'number') {
    if (!Number.isSafeInteger(input) || input < 0)
      throw invalid('The protocol id', 'is not a non-negative safe integer');
    return BigInt(input);
  }
  if (typeof input !== 'string')
    throw invalid('The protocol id', 'is not a string, number or bigint');
  const text = input.trim();
  if (!DECIMAL.test(text) && !HEX.test(text))
    throw invalid('The protocol id', 'is not a decimal or 0x hex integer');
  return assertU64(BigInt(text), 'The protocol id');
}

/**
 * Return `value` when it is a bigint in 0..2^64-1; TOKEN_INVALID_ARGUMENT naming `name` otherwise.
 *
 * @example
 * assertU64(options.clientId, 'clientId');
 */
export function assertU64(value: unknown, name: string): bigint {
  if (typeof value !== 'bigint') throw invalid(name, 'must be a bigint');
  if (value < 0n || value > U64_MAX) throw invalid(name, 'is outside the u64 range');
  return value;
}
