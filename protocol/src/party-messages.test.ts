import { describe, expect, it } from 'vitest';
import { ErrorCode } from './error-codes.js';
import {
  formatPartyCode,
  newPartyCode,
  normalizePartyCode,
  PARTY_CODE_ALPHABET,
  parsePartyCommand,
  parsePartyOpening,
} from './party-messages.js';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
};

describe('party codes', () => {
  it('draws six letters of the alphabet and shows them with a dash', () => {
    for (let i = 0; i < 200; i++) {
      const code = newPartyCode();
      expect(code).toHaveLength(6);
      expect([...code].every((c) => PARTY_CODE_ALPHABET.includes(c))).toBe(true);
    }
    expect(formatPartyCode('K7QF2M')).toBe('K7QF-2M');
  });

  it('reads a typed code in any case, with or without dash and spaces', () => {
    expect(normalizePartyCode(' k7qf-2m ')).toBe('K7QF2M');
    expect(normalizePartyCode('K7QF2M')).toBe('K7QF2M');
  });

  it('refuses what cannot be a code', () => {
    expect(codeOf(() => normalizePartyCode('K7QF-2O'))).toBe(ErrorCode.PARTY_NOT_FOUND); // O is not used
    expect(codeOf(() => normalizePartyCode('K7Q'))).toBe(ErrorCode.PARTY_NOT_FOUND);
    expect(codeOf(() => normalizePartyCode(42))).toBe(ErrorCode.BAD_REQUEST);
  });
});

describe('party messages', () => {
  it('parses an opening as strictly as a play request', () => {
    expect(
      parsePartyOpening({ type: 'party_create', game: 'arena', version: '1.0.0', mode: '2v2' }),
    ).toEqual({ type: 'party_create', game: 'arena', version: '1.0.0', mode: '2v2' });
    expect(
      parsePartyOpening({ type: 'party_join', code: 'k7qf-2m', game: 'arena', version: '1.0.0' }),
    ).toMatchObject({ code: 'K7QF2M' });
    const bad = (value: Record<string, unknown>) =>
      codeOf(() => parsePartyOpening({ game: 'arena', version: '1.0.0', ...value }));
    expect(bad({ type: 'party_create', extra: 1 })).toBe(ErrorCode.BAD_REQUEST);
    expect(bad({ type: 'party_create', party: 'p1' })).toBe(ErrorCode.BAD_REQUEST);
    expect(bad({ type: 'party_join', code: 'K7QF2M', mode: '2v2' })).toBe(ErrorCode.BAD_REQUEST);
    expect(bad({ type: 'party_join' })).toBe(ErrorCode.BAD_REQUEST);
  });

  it('parses the commands a party socket sends, and refuses a second opening', () => {
    expect(parsePartyCommand('{"type":"party_queue","mode":"2v2"}')).toEqual({
      type: 'party_queue',
      mode: '2v2',
    });
    expect(parsePartyCommand('{"type":"party_leave"}')).toEqual({ type: 'party_leave' });
    expect(parsePartyCommand('{"type":"cancel"}')).toEqual({ type: 'cancel' });
    expect(codeOf(() => parsePartyCommand('{"type":"party_join","code":"K7QF2M"}'))).toBe(
      ErrorCode.PARTY_ALREADY_JOINED,
    );
    expect(codeOf(() => parsePartyCommand('nope'))).toBe(ErrorCode.BAD_REQUEST);
    expect(codeOf(() => parsePartyCommand('{"type":"party_leave","mode":"x"}'))).toBe(
      ErrorCode.BAD_REQUEST,
    );
    expect(codeOf(() => parsePartyCommand('{"type":"party_queue","mode":"a b"}'))).toBe(
      ErrorCode.BAD_REQUEST,
    );
  });
});
