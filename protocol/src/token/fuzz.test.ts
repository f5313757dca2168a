import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConnectTokenError } from './errors.js';
import {
  fromHex,
  vectorFile,
  vectorKey,
  vectorNow,
  vectorProtocolId,
} from './fixtures.test-helper.js';
import { parsePrivateKey } from './keys.js';
import { openPrivateToken } from './private-token.js';
import { parseProtocolId } from './protocol-id.js';
import { readPublicToken } from './public-token.js';
import { decodeUserData, encodeUserData } from './user-data.js';
import { verifyConnectToken } from './verify.js';

const RUNS = 400;

/** Run `fn`; it may return, or throw a ConnectTokenError — anything else fails the property. */
function onlyTokenErrors(fn: () => unknown): boolean {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof ConnectTokenError)) throw error;
    expect(error.code).toMatch(/^(TOKEN_|KEY_INVALID$|USER_DATA_)/);
  }
  return true;
}

const verifyBoth = (input: unknown) => {
  for (const dialect of ['netcode', 'lightyear'] as const) {
    onlyTokenErrors(() =>
      verifyConnectToken(input as string, {
        protocolId: vectorProtocolId,
        privateKey: vectorKey,
        dialect,
        now: vectorNow,
        serverAddress: '127.0.0.1:40000',
      }),
    );
    onlyTokenErrors(() => readPublicToken(input as string, { dialect }));
  }
  return true;
};

/** A valid token (or packet) with a few random bytes overwritten. */
const mutated = fc
  .tuple(
    fc.constantFrom(
      vectorFile.vectors.netcode.connect_token,
      vectorFile.vectors.lightyear.connect_token,
      vectorFile.vectors.netcode.connection_request_packet,
    ),
    fc.array(fc.tuple(fc.nat(2047), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 6,
    }),
  )
  .map(([text, edits]) => {
    const bytes = fromHex(text);
    for (const [offset, value] of edits) bytes[offset % bytes.length] = value;
    return bytes;
  });

describe('random input never crashes the codec', () => {
  it('verify and read throw only ConnectTokenError on random bytes of any length', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2100 }), verifyBoth), { numRuns: RUNS });
  });

  it('verify and read throw only ConnectTokenError on random bytes of token and packet length', () => {
    const sized = fc.oneof(
      fc.uint8Array({ minLength: 2048, maxLength: 2048 }),
      fc.uint8Array({ minLength: 1078, maxLength: 1078 }),
    );
    fc.assert(fc.property(sized, verifyBoth), { numRuns: RUNS });
  });

  it('verify and read throw only ConnectTokenError on valid tokens with random bytes overwritten', () => {
    fc.assert(fc.property(mutated, verifyBoth), { numRuns: RUNS });
  });

  it('verify and read throw only ConnectTokenError on random text, base64 text and values', () => {
    const texts = fc.oneof(
      fc.string({ maxLength: 3000 }),
      fc.base64String({ minLength: 2728, maxLength: 2736 }),
      fc.base64String({ minLength: 1436, maxLength: 1440 }),
      mutated.map((bytes) => Buffer.from(bytes).toString('base64')),
      fc.anything(),
    );
    fc.assert(fc.property(texts, verifyBoth), { numRuns: RUNS });
  });

  it('openPrivateToken throws only ConnectTokenError on random sealed bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1020, maxLength: 1028 }),
        fc.uint8Array({ minLength: 24, maxLength: 24 }),
        (sealed, nonce) =>
          onlyTokenErrors(() =>
            openPrivateToken(sealed, {
              privateKey: vectorKey,
              protocolId: 1n,
              expireTimestamp: 2n,
              nonce,
            }),
          ),
      ),
      { numRuns: RUNS },
    );
  });

  it('parsePrivateKey throws only KEY_INVALID on random text, never echoing it', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 200 }), fc.stringMatching(/^[0-9a-f, ]{40,120}$/)),
        (text) => {
          try {
            expect(parsePrivateKey(text)).toHaveLength(32);
          } catch (error) {
            expect(error).toBeInstanceOf(ConnectTokenError);
            expect((error as ConnectTokenError).code).toBe('KEY_INVALID');
            if (text.trim().length >= 8)
              expect((error as Error).message).not.toContain(text.trim());
          }
          return true;
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('parseProtocolId and decodeUserData throw only ConnectTokenError on random input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.bigInt(), fc.double(), fc.anything()), (value) =>
        onlyTokenErrors(() => parseProtocolId(value as string)),
      ),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: 256, maxLength: 256 }),
          fc.uint8Array({ maxLength: 300 }),
        ),
        (bytes) => onlyTokenErrors(() => decodeUserData(bytes)),
      ),
      { numRuns: RUNS },
    );
  });

  it('encodeUserData round-trips any player info that fits and refuses the rest as USER_DATA_TOO_LARGE', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 90 });
    const info = fc.record(
      {
        playerId: text,
        name: text,
        mode: text,
        team: text,
        extra: fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), text, { maxKeys: 6 }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(info, (value) => {
        try {
          expect(decodeUserData(encodeUserData(value))).toEqual(
            value.extra && Object.keys(value.extra).length === 0
              ? { ...value, extra: undefined }
              : value,
          );
        } catch (error) {
          expect((error as ConnectTokenError).code).toBe('USER_DATA_TOO_LARGE');
        }
        return true;
      }),
      { numRuns: RUNS },
    );
  });
});
