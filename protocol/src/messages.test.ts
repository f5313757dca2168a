import { describe, expect, it } from 'vitest';
import { ErrorCode, PlaygapError } from './error-codes.js';
import { MAX_PLAY_REQUEST_BYTES, parsePlayRequest } from './messages.js';

function codeOf(input: unknown): string | undefined {
  try {
    parsePlayRequest(input);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(PlaygapError);
    return (error as PlaygapError).code;
  }
}

describe('parsePlayRequest', () => {
  it('accepts a minimal request and every optional field', () => {
    expect(parsePlayRequest('{"game":"arena","version":"1.0.0"}')).toEqual({
      game: 'arena',
      version: '1.0.0',
    });
    expect(
      parsePlayRequest({
        game: 'arena',
        version: 'v2',
        mode: 'ffa',
        party: 'p-1',
        name: 'Ada ✨',
        transports: ['websocket', 'websocket'],
      }),
    ).toEqual({
      game: 'arena',
      version: 'v2',
      mode: 'ffa',
      party: 'p-1',
      name: 'Ada ✨',
      transports: ['websocket'],
    });
  });

  it.each([
    ['not JSON', 'hello'],
    ['a JSON array', '[]'],
    ['null', 'null'],
    ['a number', 42],
    ['missing game', { version: '1' }],
    ['missing version', { game: 'arena' }],
    ['game with a subject wildcard', { game: 'arena.*', version: '1' }],
    ['game with a space', { game: 'a b', version: '1' }],
    ['version of the wrong type', { game: 'arena', version: 1 }],
    ['empty game', { game: '', version: '1' }],
    ['an unknown field', { game: 'arena', version: '1', admin: true }],
    ['an unknown transport', { game: 'arena', version: '1', transports: ['carrier-pigeon'] }],
    ['an empty transport list', { game: 'arena', version: '1', transports: [] }],
    ['a control character in the name', { game: 'arena', version: '1', name: 'a\u0000b' }],
    [
      'a C1 control (terminal escape) in the name',
      { game: 'arena', version: '1', name: 'a\u009bb' },
    ],
    ['a direction override in the name', { game: 'arena', version: '1', name: 'a\u202eb' }],
    ['a blank name', { game: 'arena', version: '1', name: '   ' }],
    ['a too-long name', { game: 'arena', version: '1', name: 'x'.repeat(33) }],
  ])('refuses %s with BAD_REQUEST', (_label, input) => {
    expect(codeOf(input)).toBe(ErrorCode.BAD_REQUEST);
  });

  it('refuses an oversized message with PAYLOAD_TOO_LARGE', () => {
    const big = JSON.stringify({
      game: 'arena',
      version: '1',
      name: 'x'.repeat(MAX_PLAY_REQUEST_BYTES),
    });
    expect(codeOf(big)).toBe(ErrorCode.PAYLOAD_TOO_LARGE);
  });
});
