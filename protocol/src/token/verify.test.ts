import { describe, expect, it } from 'vitest';
import type { TokenDialect } from './constants.js';
import {
  expectTokenError,
  fromHex,
  hex,
  inputs,
  vectorCreateMs,
  vectorFile,
  vectorKey,
  vectorNow,
  vectorProtocolId,
} from './fixtures.test-helper.js';
import { generatePrivateKey } from './keys.js';
import { mintConnectToken } from './mint.js';
import { openPrivateToken } from './private-token.js';
import { connectionRequestFromToken, readPublicToken } from './public-token.js';
import { type VerifyOptions, verifyConnectToken } from './verify.js';

const CREATE = BigInt(inputs.createTs);
const EXPIRE = BigInt(inputs.expireTs);
const tokenOf = (dialect: TokenDialect) => fromHex(vectorFile.vectors[dialect].connect_token);
const packetOf = (dialect: TokenDialect) =>
  fromHex(vectorFile.vectors[dialect].connection_request_packet);
const optionsFor = (dialect: TokenDialect, more: Partial<VerifyOptions> = {}): VerifyOptions => ({
  protocolId: vectorProtocolId,
  privateKey: vectorKey,
  dialect,
  now: vectorNow,
  serverAddress: '127.0.0.1:40000',
  ...more,
});

function writeU64(
  bytes: Uint8Array,
  offset: number,
  value: bigint,
  dialect: TokenDialect,
): Uint8Array {
  new DataView(bytes.buffer, bytes.byteOffset).setBigUint64(offset, value, dialect === 'netcode');
  return bytes;
}
function flip(bytes: Uint8Array, offset: number, mask = 0x01): Uint8Array {
  bytes[offset]! ^= mask;
  return bytes;
}
function put(bytes: Uint8Array, value: Uint8Array, offset: number): Uint8Array {
  bytes.set(value, offset);
  return bytes;
}
function setByte(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  bytes[offset] = value;
  return bytes;
}

describe.each<TokenDialect>(['netcode', 'lightyear'])(
  'verifyConnectToken, %s dialect',
  (dialect) => {
    const le = dialect === 'netcode';
    const u32 = (n: number) => {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setUint32(0, n, le);
      return b;
    };
    const verify = (bytes: Uint8Array | string, more?: Partial<VerifyOptions>) =>
      verifyConnectToken(bytes, optionsFor(dialect, more));

    it.each<[string, (t: Uint8Array) => Uint8Array, string]>([
      ['the version text', (t) => flip(t, 0), 'TOKEN_WRONG_VERSION'],
      ['the version terminator', (t) => setByte(t, 12, 0x31), 'TOKEN_WRONG_VERSION'],
      ['the protocol id', (t) => flip(t, 13 + 3), 'TOKEN_WRONG_PROTOCOL'],
      [
        'the create timestamp (after expiry)',
        (t) => writeU64(t, 21, EXPIRE + 1n, dialect),
        'TOKEN_NOT_YET_VALID',
      ],
      [
        'the create timestamp (in the future)',
        (t) => writeU64(t, 21, CREATE + 25n, dialect),
        'TOKEN_NOT_YET_VALID',
      ],
      [
        'the expire timestamp (later)',
        (t) => writeU64(t, 29, EXPIRE + 1n, dialect),
        'TOKEN_BAD_MAC',
      ],
      [
        'the expire timestamp (passed)',
        (t) => writeU64(t, 29, CREATE + 5n, dialect),
        'TOKEN_EXPIRED',
      ],
      ['the nonce', (t) => flip(t, 37 + 23), 'TOKEN_BAD_MAC'],
      ['the ciphertext', (t) => flip(t, 61 + 500), 'TOKEN_BAD_MAC'],
      ['the MAC', (t) => flip(t, 1084, 0x80), 'TOKEN_BAD_MAC'],
      ['the timeout', (t) => flip(t, le ? 1085 : 1088), 'TOKEN_MALFORMED'],
      ['the address count (0)', (t) => put(t, u32(0), 1089), 'TOKEN_MALFORMED'],
      ['the address count (33)', (t) => put(t, u32(33), 1089), 'TOKEN_MALFORMED'],
      ['the address count (2)', (t) => put(t, u32(2), 1089), 'TOKEN_MALFORMED'],
      ['the address type (3)', (t) => setByte(t, 1093, 3), 'TOKEN_MALFORMED'],
      ['the address type (IPv6)', (t) => setByte(t, 1093, 2), 'TOKEN_MALFORMED'],
      ['the client-to-server key', (t) => flip(t, 1100), 'TOKEN_MALFORMED'],
      ['the server-to-client key', (t) => flip(t, 1163), 'TOKEN_MALFORMED'],
    ])('rejects a token with %s altered as %s', (_field, tamper, code) => {
      expectTokenError(() => verify(tamper(tokenOf(dialect))), code);
    });

    it('ignores an altered public address or port and the padding: the server trusts only the sealed list', () => {
      const token = flip(flip(flip(tokenOf(dialect), 1094), 1099), 2000);
      expect(readPublicToken(token, { dialect }).serverAddresses).not.toEqual(
        inputs.serverAddresses,
      );
      expect(verify(token).serverAddresses).toEqual(inputs.serverAddresses);
    });

    it('ignores an earlier create timestamp, which no reader can authenticate', () => {
      expect(verify(writeU64(tokenOf(dialect), 21, CREATE - 1000n, dialect)).createTimestamp).toBe(
        CREATE - 1000n,
      );
    });

    it.each<[string, (p: Uint8Array) => Uint8Array, string]>([
      ['the packet type', (p) => setByte(p, 0, 1), 'TOKEN_MALFORMED'],
      ['the version', (p) => flip(p, 1), 'TOKEN_WRONG_VERSION'],
      ['the protocol id', (p) => flip(p, 14), 'TOKEN_WRONG_PROTOCOL'],
      ['the expire timestamp', (p) => writeU64(p, 22, EXPIRE + 1n, dialect), 'TOKEN_BAD_MAC'],
      ['the nonce', (p) => flip(p, 30), 'TOKEN_BAD_MAC'],
      ['the sealed private token', (p) => flip(p, 1077), 'TOKEN_BAD_MAC'],
    ])('rejects a request packet with %s altered as %s', (_field, tamper, code) => {
      expectTokenError(() => verify(tamper(packetOf(dialect))), code);
    });

    it('accepts a token until its expire second and rejects it from then on', () => {
      const expireMs = Number(EXPIRE) * 1000;
      expect(verify(tokenOf(dialect), { now: () => expireMs - 1 }).clientId).toBe(
        BigInt(inputs.clientId),
      );
      expectTokenError(() => verify(tokenOf(dialect), { now: () => expireMs }), 'TOKEN_EXPIRED');
      expectTokenError(
        () => verify(packetOf(dialect), { now: () => expireMs + 60_000 }),
        'TOKEN_EXPIRED',
      );
    });

    it('allows 10 s of clock skew on the create time by default and what clockSkewSeconds says', () => {
      expect(verify(tokenOf(dialect), { now: () => vectorCreateMs - 10_000 }).form).toBe(
        'connect-token',
      );
      expectTokenError(
        () => verify(tokenOf(dialect), { now: () => vectorCreateMs - 11_000 }),
        'TOKEN_NOT_YET_VALID',
      );
      expectTokenError(
        () => verify(tokenOf(dialect), { now: () => vectorCreateMs - 1_000, clockSkewSeconds: 0 }),
        'TOKEN_NOT_YET_VALID',
      );
      // The request packet carries no create time: only expiry applies.
      expect(verify(packetOf(dialect), { now: () => vectorCreateMs - 3_600_000 }).form).toBe(
        'request-packet',
      );
    });

    it('rejects a token sealed with another private key as TOKEN_BAD_MAC', () => {
      const otherKey = vectorKey.map((b) => b ^ 0xff);
      expectTokenError(() => verify(tokenOf(dialect), { privateKey: otherKey }), 'TOKEN_BAD_MAC');
      expectTokenError(() => verify(packetOf(dialect), { privateKey: otherKey }), 'TOKEN_BAD_MAC');
    });

    it('rejects a token for another protocol id as TOKEN_WRONG_PROTOCOL', () => {
      expectTokenError(
        () => verify(tokenOf(dialect), { protocolId: vectorProtocolId + 1n }),
        'TOKEN_WRONG_PROTOCOL',
      );
    });

    it('rejects a token of the other dialect as TOKEN_BAD_MAC naming both dialects', () => {
      const other: TokenDialect = dialect === 'netcode' ? 'lightyear' : 'netcode';
      for (const input of [tokenOf(other), packetOf(other)]) {
        const error = expectTokenError(() => verify(input), 'TOKEN_BAD_MAC');
        expect(error.message).toContain(`minted in the ${other} dialect`);
      }
    });

    it('rejects a token that does not list this server as TOKEN_ADDRESS_NOT_LISTED', () => {
      for (const serverAddress of [
        '127.0.0.1:40001',
        '127.0.0.2:40000',
        '[::ffff:127.0.0.1]:40000',
      ]) {
        expectTokenError(
          () => verify(tokenOf(dialect), { serverAddress }),
          'TOKEN_ADDRESS_NOT_LISTED',
        );
      }
      expect(verify(tokenOf(dialect), { serverAddress: undefined }).clientId).toBe(
        BigInt(inputs.clientId),
      );
    });
  },
);

describe('verifyConnectToken inputs', () => {
  const options = optionsFor('netcode');
  const token = tokenOf('netcode');
  const text = vectorFile.vectors.netcode.connect_token_base64;

  it('never lets a subclass fake the size of the token, key or sealed part', () => {
    class Liar extends Uint8Array {
      override get length(): number {
        return this.byteLength < 100 ? 32 : 2048;
      }
    }
    const short = new Liar(1500);
    short.set(token.subarray(0, 1500));
    expectTokenError(() => verifyConnectToken(short, options), 'TOKEN_MALFORMED');
    expectTokenError(
      () => verifyConnectToken(token, { ...options, privateKey: new Liar(1) }),
      'KEY_INVALID',
    );
    expectTokenError(
      () =>
        openPrivateToken(new Liar(1), {
          privateKey: vectorKey,
          protocolId: vectorProtocolId,
          expireTimestamp: EXPIRE,
          nonce: token.slice(37, 61),
        }),
      'TOKEN_MALFORMED',
    );
  });

  it('gives a token refused for its address no room next to later results', () => {
    const privateKey = generatePrivateKey();
    const mint = (secret: string, address: string) =>
      mintConnectToken({
        protocolId: 5n,
        privateKey,
        clientId: 1n,
        serverAddresses: [address],
        userData: new TextEncoder().encode(secret),
      }).base64;
    const elsewhere = mint('SECRET-OF-A-REFUSED-PLAYER', '10.0.0.1:1');
    const here = mint('ordinary', '10.0.0.2:2');
    const verifyHere = { protocolId: 5n, privateKey, serverAddress: '10.0.0.2:2' };
    expectTokenError(() => verifyConnectToken(elsewhere, verifyHere), 'TOKEN_ADDRESS_NOT_LISTED');
    const accepted = verifyConnectToken(here, verifyHere);
    // Results share slab memory (see VerifiedToken); a refused token never gets any of it.
    expect(Buffer.from(accepted.userData.buffer).includes('SECRET-OF-A-REFUSED-PLAYER')).toBe(
      false,
    );
  });

  it.each([0, 1, 1077, 1079, 2047, 2049, 4096])('rejects %i bytes as TOKEN_MALFORMED', (length) => {
    const bytes = new Uint8Array(length);
    bytes.set(token.subarray(0, Math.min(length, 2048)));
    expectTokenError(() => verifyConnectToken(bytes, options), 'TOKEN_MALFORMED');
  });

  it.each<[string, string]>([
    ['truncated base64', text.slice(0, -4)],
    ['base64 with one more character', `${text}A`],
    ['base64 with a space inside', `${text.slice(0, 100)} ${text.slice(101)}`],
    ['base64 with a bad character', `${text.slice(0, 100)}!${text.slice(101)}`],
    ['base64 with padding inside', `${text.slice(0, 100)}=${text.slice(101)}`],
    ['base64 whose padding is a letter', `${text.slice(0, -1)}A`],
    ['base64 with a line break inside', `${text.slice(0, 1000)}\n${text.slice(1001)}`],
    ['an empty string', ''],
    ['hex text', hex(token)],
  ])('rejects %s as TOKEN_MALFORMED', (_name, input) => {
    expectTokenError(() => verifyConnectToken(input, options), 'TOKEN_MALFORMED');
  });

  it('accepts padded and unpadded standard and url-safe base64, with surrounding whitespace', () => {
    const url = Buffer.from(token).toString('base64url');
    for (const input of [text, text.replace(/=+$/, ''), url, `${url}=`, ` ${text}\n`]) {
      expect(verifyConnectToken(input, options).clientId).toBe(BigInt(inputs.clientId));
    }
  });

  it.each([42, null, undefined, {}, [1, 2, 3], new Uint16Array(1024)])(
    'rejects %j as TOKEN_MALFORMED',
    (input) => {
      expectTokenError(
        () => verifyConnectToken(input as unknown as string, options),
        'TOKEN_MALFORMED',
      );
    },
  );

  it('reads a Buffer or a view into a larger buffer without copying its neighbours', () => {
    const big = new Uint8Array(3000).fill(7);
    big.set(token, 500);
    expect(verifyConnectToken(big.subarray(500, 2548), options).clientId).toBe(
      BigInt(inputs.clientId),
    );
    expect(verifyConnectToken(Buffer.from(token), options).clientId).toBe(BigInt(inputs.clientId));
  });

  it('returns copies: changing the input or verifying again leaves earlier results intact', () => {
    const input = tokenOf('netcode');
    const first = verifyConnectToken(input, options);
    const firstFromText = verifyConnectToken(text, options);
    input.fill(0);
    verifyConnectToken(vectorFile.vectors.lightyear.connect_token_base64, optionsFor('lightyear'));
    for (const result of [first, firstFromText]) {
      expect(hex(result.nonce)).toBe(inputs.nonce);
      expect(hex(result.clientToServerKey)).toBe(inputs.c2s);
      expect(hex(result.serverToClientKey)).toBe(inputs.s2c);
      expect(hex(result.userData)).toBe(inputs.userData);
    }
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a short private key', { privateKey: new Uint8Array(31) }, 'KEY_INVALID'],
    ['a protocol id as a number', { protocolId: 1 }, 'TOKEN_INVALID_ARGUMENT'],
    [
      'a host-name server address',
      { serverAddress: 'game.example.com:1' },
      'TOKEN_INVALID_ARGUMENT',
    ],
    ['a negative clock skew', { clockSkewSeconds: -1 }, 'TOKEN_INVALID_ARGUMENT'],
    ['an unknown dialect', { dialect: 'rust' }, 'TOKEN_INVALID_ARGUMENT'],
    ['a clock returning a string', { now: () => 'now' }, 'TOKEN_INVALID_ARGUMENT'],
  ])('rejects options with %s', (_name, change, code) => {
    expectTokenError(
      () => verifyConnectToken(token, { ...options, ...change } as VerifyOptions),
      code,
    );
  });

  it('rejects a missing options object as TOKEN_INVALID_ARGUMENT', () => {
    expectTokenError(
      () => verifyConnectToken(token, null as unknown as VerifyOptions),
      'TOKEN_INVALID_ARGUMENT',
    );
  });
});

describe('readPublicToken, openPrivateToken and connectionRequestFromToken', () => {
  it('refuses a request packet where a connect token is needed', () => {
    expectTokenError(() => readPublicToken(packetOf('netcode')), 'TOKEN_MALFORMED');
    expectTokenError(() => connectionRequestFromToken(packetOf('netcode')), 'TOKEN_MALFORMED');
  });

  it('refuses a token created after its expiry and bad address lists', () => {
    expectTokenError(
      () => readPublicToken(writeU64(tokenOf('netcode'), 21, EXPIRE + 1n, 'netcode')),
      'TOKEN_NOT_YET_VALID',
    );
    expectTokenError(
      () => readPublicToken(setByte(tokenOf('netcode'), 1093, 0)),
      'TOKEN_MALFORMED',
    );
    expectTokenError(() => readPublicToken(flip(tokenOf('netcode'), 5)), 'TOKEN_WRONG_VERSION');
  });

  it('opens the sealed part only with the right nonce, expiry and size', () => {
    const token = readPublicToken(tokenOf('netcode'));
    const options = {
      privateKey: vectorKey,
      protocolId: token.protocolId,
      expireTimestamp: token.expireTimestamp,
      nonce: token.nonce,
    };
    expect(openPrivateToken(token.encryptedPrivateToken, options).clientId).toBe(
      BigInt(inputs.clientId),
    );
    expectTokenError(
      () =>
        openPrivateToken(token.encryptedPrivateToken, {
          ...options,
          nonce: token.nonce.map((b) => b ^ 1),
        }),
      'TOKEN_BAD_MAC',
    );
    expectTokenError(
      () =>
        openPrivateToken(token.encryptedPrivateToken, { ...options, expireTimestamp: EXPIRE + 1n }),
      'TOKEN_BAD_MAC',
    );
    expectTokenError(
      () => openPrivateToken(token.encryptedPrivateToken.subarray(1), options),
      'TOKEN_MALFORMED',
    );
    expectTokenError(
      () => openPrivateToken(token.encryptedPrivateToken, { ...options, nonce: new Uint8Array(8) }),
      'TOKEN_INVALID_ARGUMENT',
    );
  });
});
