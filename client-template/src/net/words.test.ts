import { describe, expect, it } from 'vitest';
import { playerName, readPageOptions } from './query.js';
import { errorWords, stageWords } from './words.js';

describe('connect stage and error words', () => {
  it('shows elapsed seconds while a server starts', () => {
    expect(stageWords({ stage: 'deploying', elapsedMs: 4200, message: '' })).toBe(
      'Starting a server… 4 s',
    );
    expect(
      stageWords({ stage: 'connecting', elapsedMs: 0, message: '', transport: 'webrtc' }),
    ).toBe('Connecting (webrtc)…');
    expect(stageWords({ stage: 'retrying', elapsedMs: 0, message: '' })).toMatch(/stopping/);
    expect(stageWords({ stage: 'searching', elapsedMs: 7400, message: '' })).toBe(
      'Looking for players… 7 s',
    );
    expect(stageWords({ stage: 'match_found', elapsedMs: 0, message: '' })).toMatch(/Match found/);
  });

  it("shows a queued ticket's mode, seconds waited and widened search", () => {
    const ticket = { id: 't', mode: '2v2', expansion: 0, waitedSeconds: 12 };
    expect(stageWords({ stage: 'searching', elapsedMs: 12_000, message: '', ticket })).toBe(
      'Looking for players for 2v2… 12 s',
    );
    expect(
      stageWords({
        stage: 'searching',
        elapsedMs: 31_000,
        message: '',
        ticket: { ...ticket, expansion: 2, waitedSeconds: 31 },
      }),
    ).toBe('Looking for players for 2v2… 31 s (search widened, stage 2)');
    expect(
      stageWords({
        stage: 'match_found',
        elapsedMs: 0,
        message: '',
        ticket: { ...ticket, matchId: 'm' },
      }),
    ).toBe('Match found (2v2) — finding its server…');
  });

  it('reads a party code and a mode from the page address', () => {
    expect(readPageOptions('?partyCode=K7QF-2M&mode=2v2')).toMatchObject({
      partyCode: 'K7QF-2M',
      mode: '2v2',
    });
    expect(readPageOptions('?partyCode=<script>').partyCode).toBeUndefined();
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

  it('takes a connect timeout within bounds and ignores any other value', () => {
    expect(readPageOptions('?connectTimeoutMs=30000')).toEqual({
      timeouts: { transportMs: 30_000 },
    });
    for (const bad of ['999', '120001', '1e4', '2.5', 'abc', '', '-5000']) {
      expect(readPageOptions(`?connectTimeoutMs=${bad}`)).toEqual({});
    }
  });

  it('drops control and formatting characters from the name', () => {
    expect(readPageOptions('?name=%1B%5B31mAda%E2%80%AE')).toEqual({ name: '[31mAda' });
    expect(readPageOptions('?name=%E2%80%AE')).toEqual({});
  });
});

describe('playerName', () => {
  it("is the page's name, else a pilot number for this visit", () => {
    expect(playerName({ name: 'Ada' })).toBe('Ada');
    expect(playerName({}, () => 0.5)).toBe('Pilot 550');
    expect(playerName({}, () => 0.9999)).toBe('Pilot 999');
  });
});

describe('?latency=1', () => {
  it('turns latency measurement on and names its stage', () => {
    expect(readPageOptions('?latency=1')).toEqual({ measureLatency: true });
    expect(readPageOptions('?latency=yes')).toEqual({});
    expect(stageWords({ stage: 'measuring_latency', elapsedMs: 0, message: '' })).toMatch(
      /latency/,
    );
  });
});
