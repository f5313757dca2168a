import { describe, expect, it } from 'vitest';
import { expectTokenError, hex } from './fixtures.test-helper.js';
import { formatPrivateKey, generatePrivateKey, parsePrivateKey } from './keys.js';

const KEY_HEX = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const KEY_LIST = Array.from({ length: 32 }, (_, i) => i).join(', ');

describe('private keys', () => {
  it.each([
    ['64 hex characters', KEY_HEX],
    ['upper-case hex with 0x and spaces around', `  0x${KEY_HEX.toUpperCase()}\n`],
    ["Bevygap's list", KEY_LIST],
    ['a list in brackets without spaces', `[${KEY_LIST.replaceAll(' ', '')}]`],
  ])('parses %s', (_name, input) => {
    expect(hex(parsePrivateKey(input))).toBe(KEY_HEX);
  });

  it('copies 32 raw bytes instead of keeping the caller’s buffer', () => {
    const raw = Buffer.from(KEY_HEX, 'hex');
    const key = parsePrivateKey(raw);
    raw[0] = 99;
    expect(key[0]).toBe(0);
  });

  it('formats a key as hex and as a list that both parse back', () => {
    const key = generatePrivateKey();
    expect(formatPrivateKey(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(parsePrivateKey(formatPrivateKey(key))).toEqual(key);
    expect(formatPrivateKey(key, 'list').split(', ')).toHaveLength(32);
    expect(parsePrivateKey(formatPrivateKey(key, 'list'))).toEqual(key);
    expect(formatPrivateKey(parsePrivateKey(KEY_HEX), 'list')).toBe(KEY_LIST);
  });

  it('generates distinct 32-byte keys', () => {
    const a = generatePrivateKey();
    const b = generatePrivateKey();
    expect(a).toHaveLength(32);
    expect(hex(a)).not.toBe(hex(b));
  });

  it.each([
    ['63 hex characters', KEY_HEX.slice(1)],
    ['65 hex characters', `${KEY_HEX}f`],
    ['a non-hex character', `${KEY_HEX.slice(0, 63)}g`],
    ['31 numbers', KEY_LIST.split(', ').slice(1).join(', ')],
    ['33 numbers', `${KEY_LIST}, 7`],
    ['a number above 255', KEY_LIST.replace('31', '256')],
    ['a negative number', KEY_LIST.replace('31', '-1')],
    ['a fraction', KEY_LIST.replace('31', '1.5')],
    ['an empty item', KEY_LIST.replace('31', '')],
    ['a secret-looking sentence', 'correct horse battery staple secret'],
    ['an empty string', ''],
  ])('refuses %s as KEY_INVALID without echoing the key', (_name, input) => {
    const error = expectTokenError(() => parsePrivateKey(input), 'KEY_INVALID');
    for (let i = 0; i + 6 <= input.length; i++) {
      const piece = input.slice(i, i + 6);
      if (/[0-9a-f]{6}|[a-z]{6}/i.test(piece)) expect(error.message).not.toContain(piece);
    }
    expect(error.message).not.toContain(KEY_LIST.slice(0, 12));
    expect(error.message).toContain('playgap keygen');
  });

  it('refuses raw keys of the wrong size and non-key values as KEY_INVALID', () => {
    expectTokenError(() => parsePrivateKey(new Uint8Array(31)), 'KEY_INVALID');
    expectTokenError(() => parsePrivateKey(42 as unknown as string), 'KEY_INVALID');
    expectTokenError(() => formatPrivateKey(new Uint8Array(16)), 'KEY_INVALID');
  });
});
