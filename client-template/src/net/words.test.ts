import { describe, expect, it } from 'vitest';
import { readPageOptions } from './query.js';
import { errorWords, stageWords } from './words.js';

describe('connect stage and error words', () => {
  it('shows elapsed seconds while a server starts', () => {
    expect(stageWords({ stage: 'deploying', elapsedMs: 4200, message: '' })).toBe(
      'Starting a server… 4 s',
    );
    expect(
      stageWords({ stage: 'connecting', elapsedMs: 0, message: '', transport: 'webrtc' }),
    ).toBe('Connecting (webrtc)…');
  });

  it('says why a token was refused', () => {
    const text = errorWords({ code: 'TOKEN_REFUSED', reason: 'TOKEN_EXPIRED', message: '' });
    expect(text).toContain('expired');
    expect(text).toContain('TOKEN_EXPIRED');
  });

  it('explains a full fleet and an unreachable matchmaker', () => {
    expect(errorWords({ code: 'NO_CAPACITY', message: '', reason: undefined })).toMatch(/full/);
    expect(errorWords({ code: 'MATCHMAKER_UNREACHABLE', message: 'x', reason: undefined })).toMatch(
      /matchmaker/,
    );
  });
});

describe('readPageOptions', () => {
  it('forces a transport and sets the name', () => {
    expect(readPageOptions('?transport=websocket&name=Ada')).toEqual({
      transports: ['websocket'],
      name: 'Ada',
    });
  });

  it('ignores unknown transports', () => {
    expect(readPageOptions('?transport=carrier-pigeon')).toEqual({});
  });
});
