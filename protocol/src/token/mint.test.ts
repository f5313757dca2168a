import { describe, expect, it } from 'vitest';
import { NEVER_EXPIRES } from './constants.js';
import {
  expectTokenError,
  hex,
  vectorKey,
  vectorMintOptions,
  vectorProtocolId,
} from './fixtures.test-helper.js';
import { generatePrivateKey } from './keys.js';
import { type MintOptions, mintConnectToken } from './mint.js';
import { readPublicToken } from './public-token.js';
import { decodeUserData, encodeUserData } from './user-data.js';
import { verifyConnectToken } from './verify.js';

const NOW_MS = 1_800_000_000_500;
const privateKey = generatePrivateKey();
const base: MintOptions = {
  protocolId: 99n,
  privateKey,
  clientId: 7n,
  serverAddresses: ['203.0.113.7:31500'],
  now: () => NOW_MS,
};
const verifyAt = (ms: number) => ({ protocolId: 99n, privateKey, now: () => ms });

describe('mintConnectToken', () => {
  it('mints with Bevygap defaults: create = now in seconds, expire +30 s, timeout 15 s', () => {
    const minted = mintConnectToken(base);
    expect(minted.bytes).toHaveLength(2048);
    expect(minted.createTimestamp).toBe(1_800_000_000n);
    expect(minted.expireTimestamp).toBe(1_800_000_030n);
    expect(minted.clientId).toBe(7n);
    expect(minted.base64).toHaveLength(2732);
    expect(minted.base64.startsWith('TkVUQ09ERSAxLjAy')).toBe(true);
    const token = readPublicToken(minted.base64);
    expect(token.timeoutSeconds).toBe(15);
    expect(hex(token.nonce)).toBe(hex(minted.nonce));
    expect(minted.bytes.subarray(1089 + 4 + 7 + 64).every((b) => b === 0)).toBe(true);
  });

  it('round-trips client id, timeout, addresses, keys and user data through verify', () => {
    const userData = encodeUserData({ playerId: 'p-1', team: 'blue' });
    const minted = mintConnectToken({
      ...base,
      clientId: 2n ** 64n - 1n,
      timeoutSeconds: -1,
      userData,
    });
    const verified = verifyConnectToken(minted.bytes, {
      ...verifyAt(NOW_MS),
      serverAddress: '203.0.113.7:31500',
    });
    const token = readPublicToken(minted.bytes);
    expect(verified.clientId).toBe(2n ** 64n - 1n);
    expect(verified.timeoutSeconds).toBe(-1);
    expect(verified.serverAddresses).toEqual(['203.0.113.7:31500']);
    expect(hex(verified.clientToServerKey)).toBe(hex(token.clientToServerKey));
    expect(hex(verified.serverToClientKey)).toBe(hex(token.serverToClientKey));
    expect(decodeUserData(verified.userData)).toEqual({ playerId: 'p-1', team: 'blue' });
  });

  it('zero-pads short user data and carries none as 256 zero bytes', () => {
    const verified = verifyConnectToken(
      mintConnectToken({ ...base, userData: Uint8Array.of(9, 8) }).bytes,
      verifyAt(NOW_MS),
    );
    expect(Array.from(verified.userData.subarray(0, 3))).toEqual([9, 8, 0]);
    expect(verified.userData).toHaveLength(256);
    const none = verifyConnectToken(mintConnectToken(base).bytes, verifyAt(NOW_MS));
    expect(none.userData.every((b) => b === 0)).toBe(true);
  });

  it('draws a fresh nonce and fresh session keys for every token', () => {
    const a = readPublicToken(mintConnectToken(base).bytes);
    const b = readPublicToken(mintConnectToken(base).bytes);
    expect(hex(a.nonce)).not.toBe(hex(b.nonce));
    expect(hex(a.clientToServerKey)).not.toBe(hex(b.clientToServerKey));
    expect(hex(a.serverToClientKey)).not.toBe(hex(b.serverToClientKey));
    expect(hex(a.clientToServerKey)).not.toBe(hex(a.serverToClientKey));
  });

  it('writes an all-ones expiry for a negative expireSeconds, and such a token never expires', () => {
    const minted = mintConnectToken({ ...base, expireSeconds: -1 });
    expect(minted.expireTimestamp).toBe(NEVER_EXPIRES);
    expect(hex(minted.bytes.subarray(29, 37))).toBe('ff'.repeat(8));
    expect(verifyConnectToken(minted.bytes, verifyAt(4_000_000_000_000)).clientId).toBe(7n);
  });

  it('seals the internal address list and shows the public one to the client', () => {
    const minted = mintConnectToken({
      ...base,
      internalServerAddresses: ['10.0.0.5:7777', '[fd00::5]:7777'],
    });
    expect(readPublicToken(minted.bytes).serverAddresses).toEqual(['203.0.113.7:31500']);
    const verified = verifyConnectToken(minted.bytes, {
      ...verifyAt(NOW_MS),
      serverAddress: '[fd00:0::5]:7777',
    });
    expect(verified.serverAddresses).toEqual(['10.0.0.5:7777', '[fd00::5]:7777']);
    expectTokenError(
      () =>
        verifyConnectToken(minted.bytes, {
          ...verifyAt(NOW_MS),
          serverAddress: '203.0.113.7:31500',
        }),
      'TOKEN_ADDRESS_NOT_LISTED',
    );
  });

  it('does not let a caller mutating the result or options change later tokens', () => {
    const addresses = ['1.1.1.1:1'];
    const first = mintConnectToken({ ...base, serverAddresses: addresses });
    first.bytes.fill(0);
    addresses[0] = '2.2.2.2:2';
    expect(
      readPublicToken(mintConnectToken({ ...base, serverAddresses: addresses }).bytes)
        .serverAddresses,
    ).toEqual(['2.2.2.2:2']);
    addresses.push('3.3.3.3:3');
    expect(
      readPublicToken(mintConnectToken({ ...base, serverAddresses: addresses }).bytes)
        .serverAddresses,
    ).toEqual(['2.2.2.2:2', '3.3.3.3:3']);
    addresses.length = 1;
    addresses[0] = 'not an address';
    expectTokenError(
      () => mintConnectToken({ ...base, serverAddresses: addresses }),
      'TOKEN_INVALID_ARGUMENT',
    );
  });

  it('mints each token as if it were the first, whatever was minted before it', () => {
    // The template kept between mints must not leak one token's fields into the next.
    const fixed = {
      nonce: new Uint8Array(24).fill(1),
      clientToServerKey: new Uint8Array(32).fill(2),
      serverToClientKey: new Uint8Array(32).fill(3),
    };
    const target: MintOptions = { ...base, ...fixed, userData: Uint8Array.of(5) };
    const alone = mintConnectToken(target).base64;
    const before: Partial<MintOptions>[] = [
      { serverAddresses: ['[2001:db8::1]:1', '10.0.0.1:2', '10.0.0.2:3'] },
      { internalServerAddresses: ['[fd00::9]:9', '10.9.9.9:9'] },
      { protocolId: 100n },
      { timeoutSeconds: 99 },
      { dialect: 'lightyear' },
      { ipv6Layout: 'octets', serverAddresses: ['[2001:db8::1]:1'] },
      { userData: new Uint8Array(256).fill(7), clientId: 2n ** 63n },
    ];
    for (const change of before) {
      mintConnectToken({ ...base, ...change });
      expect(mintConnectToken(target).base64).toBe(alone);
    }
    const verified = verifyConnectToken(alone, verifyAt(NOW_MS));
    expect(Array.from(verified.userData.subarray(0, 2))).toEqual([5, 0]);
    expect(verified.userData.subarray(1).every((b) => b === 0)).toBe(true);
  });

  it('refuses an invalid address list even right after a valid list it resembles', () => {
    mintConnectToken({ ...base, serverAddresses: ['1.2.3.4:5000', '5.6.7.8:5000'] });
    expectTokenError(
      () => mintConnectToken({ ...base, serverAddresses: ['1.2.3.4:5000 5.6.7.8:5000'] }),
      'TOKEN_INVALID_ARGUMENT',
    );
    mintConnectToken({ ...base, serverAddresses: ['1.2.3.4:5000'] });
    expectTokenError(
      () => mintConnectToken({ ...base, serverAddresses: ['["1.2.3.4:5000"]'] }),
      'TOKEN_INVALID_ARGUMENT',
    );
  });

  it('never lets a subclass fake the size of a key, nonce or user data', () => {
    class Liar extends Uint8Array {
      override get length(): number {
        return 32;
      }
    }
    expectTokenError(() => mintConnectToken({ ...base, privateKey: new Liar(1) }), 'KEY_INVALID');
    expectTokenError(
      () => mintConnectToken({ ...base, nonce: new Liar(1) as Uint8Array }),
      'TOKEN_INVALID_ARGUMENT',
    );
    class BigLiar extends Uint8Array {
      override get length(): number {
        return 8;
      }
    }
    expectTokenError(
      () => mintConnectToken({ ...base, userData: new BigLiar(300) }),
      'USER_DATA_TOO_LARGE',
    );
  });

  it('hands out bytes that are the base64 decoded, each token its own copy', () => {
    const a = mintConnectToken(base);
    const b = mintConnectToken(base);
    expect(Buffer.from(a.bytes).toString('base64')).toBe(a.base64);
    expect(a.bytes).toBe(a.bytes);
    expect(hex(a.bytes)).not.toBe(hex(b.bytes));
    expect(hex(a.nonce)).toBe(hex(a.bytes.subarray(37, 61)));
  });

  it.each<[string, Partial<MintOptions> | Record<string, unknown>, string]>([
    ['protocolId above u64', { protocolId: 2n ** 64n }, 'TOKEN_INVALID_ARGUMENT'],
    ['protocolId as a number', { protocolId: 5 }, 'TOKEN_INVALID_ARGUMENT'],
    ['a negative clientId', { clientId: -1n }, 'TOKEN_INVALID_ARGUMENT'],
    ['no server address', { serverAddresses: [] }, 'TOKEN_INVALID_ARGUMENT'],
    [
      '33 server addresses',
      { serverAddresses: new Array(33).fill('1.2.3.4:5') },
      'TOKEN_INVALID_ARGUMENT',
    ],
    ['a host name', { serverAddresses: ['game.example.com:5000'] }, 'TOKEN_INVALID_ARGUMENT'],
    ['serverAddresses as a string', { serverAddresses: '1.2.3.4:5000' }, 'TOKEN_INVALID_ARGUMENT'],
    ['a bad internal address', { internalServerAddresses: ['10.0.0.1'] }, 'TOKEN_INVALID_ARGUMENT'],
    ['a fractional expireSeconds', { expireSeconds: 1.5 }, 'TOKEN_INVALID_ARGUMENT'],
    [
      'an expiry past u64',
      { expireSeconds: Number.MAX_SAFE_INTEGER, now: () => 18_446_744_073_709e9 },
      'TOKEN_INVALID_ARGUMENT',
    ],
    ['a create time past u64', { expireSeconds: -1, now: () => 1e23 }, 'TOKEN_INVALID_ARGUMENT'],
    ['a timeout above i32', { timeoutSeconds: 2 ** 31 }, 'TOKEN_INVALID_ARGUMENT'],
    ['257 bytes of user data', { userData: new Uint8Array(257) }, 'USER_DATA_TOO_LARGE'],
    ['user data as text', { userData: 'player' }, 'TOKEN_INVALID_ARGUMENT'],
    ['an unknown dialect', { dialect: 'netcode-rs' }, 'TOKEN_INVALID_ARGUMENT'],
    ['an unknown IPv6 layout', { ipv6Layout: 'swapped' }, 'TOKEN_INVALID_ARGUMENT'],
    ['a 23-byte nonce', { nonce: new Uint8Array(23) }, 'TOKEN_INVALID_ARGUMENT'],
    ['a 31-byte session key', { clientToServerKey: new Uint8Array(31) }, 'TOKEN_INVALID_ARGUMENT'],
    ['a clock returning NaN', { now: () => Number.NaN }, 'TOKEN_INVALID_ARGUMENT'],
    ['a clock that is not a function', { now: 5 }, 'TOKEN_INVALID_ARGUMENT'],
    ['a 16-byte private key', { privateKey: new Uint8Array(16) }, 'KEY_INVALID'],
    ['a hex-string private key', { privateKey: 'ab'.repeat(32) }, 'KEY_INVALID'],
  ])('refuses %s', (_name, change, code) => {
    expectTokenError(() => mintConnectToken({ ...base, ...change } as MintOptions), code);
  });

  it('refuses a missing options object as TOKEN_INVALID_ARGUMENT', () => {
    expectTokenError(
      () => mintConnectToken(undefined as unknown as MintOptions),
      'TOKEN_INVALID_ARGUMENT',
    );
  });

  it('never puts the private key in an error message', () => {
    const error = expectTokenError(
      () =>
        mintConnectToken({
          ...vectorMintOptions('netcode'),
          privateKey: vectorKey.subarray(0, 31),
        }),
      'KEY_INVALID',
    );
    expect(error.message).not.toContain(hex(vectorKey).slice(0, 8));
    expect(vectorProtocolId).toBeGreaterThan(0n);
  });
});
