import { describe, expect, it } from 'vitest';
import { expectTokenError } from './fixtures.test-helper.js';
import { decodeUserData, encodeUserData, type PlayerInfo } from './user-data.js';

describe('user data', () => {
  it.each<[string, PlayerInfo]>([
    [
      'every field',
      {
        playerId: 'p-42',
        name: 'Ada',
        mode: 'duel',
        team: 'red',
        extra: { skin: 'fox', rank: '7' },
      },
    ],
    ['no field', {}],
    ['empty strings', { playerId: '', name: '' }],
    ['non-ASCII text', { name: 'Zoë 🦊 ナルト', team: 'ロケット' }],
    [
      'an extra key named __proto__ as a plain own key',
      { extra: { __proto__: 'x', constructor: 'y' } as unknown as Record<string, string> },
    ],
  ])('round-trips %s', (_name, info) => {
    const bytes = encodeUserData(info);
    expect(bytes).toHaveLength(256);
    const decoded = decodeUserData(bytes);
    expect(decoded).toEqual(info);
    expect(Object.getPrototypeOf(decoded.extra ?? {})).toBe(Object.prototype);
  });

  it('lays out version 1 then tag, length, UTF-8 per field and zero padding', () => {
    const bytes = encodeUserData({ playerId: 'ab', team: 'z' });
    expect(Array.from(bytes.subarray(0, 10))).toEqual([1, 1, 2, 0x61, 0x62, 4, 1, 0x7a, 0, 0]);
    expect(bytes.subarray(8).every((b) => b === 0)).toBe(true);
  });

  it('decodes 256 zero bytes (no user data) as {}', () => {
    expect(decodeUserData(new Uint8Array(256))).toEqual({});
  });

  it('fits exactly 256 bytes and refuses one byte more as USER_DATA_TOO_LARGE', () => {
    // 1 version + (1 tag + 1 length + 253 text) = 256
    const fits = { name: 'x'.repeat(253) };
    expect(decodeUserData(encodeUserData(fits))).toEqual(fits);
    expectTokenError(() => encodeUserData({ name: 'x'.repeat(254) }), 'USER_DATA_TOO_LARGE');
  });

  it('refuses a field over 255 UTF-8 bytes and too many extras as USER_DATA_TOO_LARGE', () => {
    expectTokenError(() => encodeUserData({ name: '🦊'.repeat(64) }), 'USER_DATA_TOO_LARGE');
    const extra = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'value']));
    const error = expectTokenError(() => encodeUserData({ extra }), 'USER_DATA_TOO_LARGE');
    expect(error.message).toContain('256');
  });

  it('refuses fields that are not strings as TOKEN_INVALID_ARGUMENT', () => {
    expectTokenError(
      () => encodeUserData({ name: 42 } as unknown as PlayerInfo),
      'TOKEN_INVALID_ARGUMENT',
    );
    expectTokenError(
      () => encodeUserData({ extra: { a: 1 } } as unknown as PlayerInfo),
      'TOKEN_INVALID_ARGUMENT',
    );
    expectTokenError(
      () => encodeUserData({ extra: ['a'] } as unknown as PlayerInfo),
      'TOKEN_INVALID_ARGUMENT',
    );
    expectTokenError(() => encodeUserData({ extra: { '': 'a' } }), 'TOKEN_INVALID_ARGUMENT');
    expectTokenError(() => encodeUserData(null as unknown as PlayerInfo), 'TOKEN_INVALID_ARGUMENT');
  });

  const valid = () => encodeUserData({ playerId: 'p', extra: { k: 'v' } });
  it.each<[string, () => Uint8Array]>([
    ['255 bytes', () => new Uint8Array(255)],
    ['257 bytes', () => new Uint8Array(257)],
    ['an unknown layout version', () => Object.assign(valid(), { 0: 2 })],
    ['zero version byte before non-zero bytes', () => Object.assign(new Uint8Array(256), { 5: 1 })],
    ['an unknown tag', () => Object.assign(valid(), { 1: 9 })],
    [
      'a string running past the end',
      () => Object.assign(new Uint8Array(256), { 0: 1, 253: 2, 254: 200 }),
    ],
    ['a tag in the last byte', () => Object.assign(new Uint8Array(256).fill(0), { 0: 1, 255: 5 })],
    ['invalid UTF-8', () => Object.assign(valid(), { 3: 0xff })],
    [
      'a repeated field',
      () => Uint8Array.from([1, 1, 1, 0x61, 1, 1, 0x62, ...new Array(249).fill(0)]),
    ],
    [
      'a repeated extra key',
      () =>
        Uint8Array.from([1, 5, 1, 0x6b, 1, 0x76, 5, 1, 0x6b, 1, 0x77, ...new Array(245).fill(0)]),
    ],
    ['bytes after the end marker', () => Object.assign(valid(), { 200: 1 })],
    [
      'arbitrary game bytes (the netcode vector user data)',
      () => Uint8Array.from({ length: 256 }, (_, i) => i),
    ],
  ])('refuses %s as USER_DATA_MALFORMED', (_name, make) => {
    expectTokenError(() => decodeUserData(make()), 'USER_DATA_MALFORMED');
  });

  it('refuses a non-byte value as USER_DATA_MALFORMED', () => {
    expectTokenError(() => decodeUserData('abc' as unknown as Uint8Array), 'USER_DATA_MALFORMED');
  });
});
