import { describe, expect, it } from 'vitest';
import { expectTokenError } from './fixtures.test-helper.js';
import { parseProtocolId } from './protocol-id.js';

describe('protocol ids', () => {
  it.each([
    ['0x1122334455667788', 0x1122334455667788n],
    [' 0XFFFFFFFFFFFFFFFF ', 0xffffffffffffffffn],
    ['18446744073709551615', 18446744073709551615n],
    ['0', 0n],
    [42, 42n],
    [Number.MAX_SAFE_INTEGER, BigInt(Number.MAX_SAFE_INTEGER)],
    [7n, 7n],
  ])('parses %s', (input, expected) => {
    expect(parseProtocolId(input)).toBe(expected);
  });

  it.each([
    '18446744073709551616',
    '0x10000000000000000',
    '-1',
    '12abc',
    '0x',
    '',
    '1e3',
    -1,
    1.5,
    Number.NaN,
    2 ** 64,
    -1n,
    2n ** 64n,
    null,
  ])('refuses %s as TOKEN_INVALID_ARGUMENT', (input) => {
    expectTokenError(() => parseProtocolId(input as string), 'TOKEN_INVALID_ARGUMENT');
  });
});
