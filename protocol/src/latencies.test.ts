import { describe, expect, it } from 'vitest';
import { ErrorCode } from './error-codes.js';
import { fastestRegion, MAX_LATENCY_ENTRIES, parseLatencies } from './latencies.js';
import { parsePlayRequest } from './messages.js';

const play = (latencies: unknown) => ({ game: 'arena', version: '1.0.0', latencies });

describe('play request latencies', () => {
  it('carries measured round trips per region id', () => {
    expect(parsePlayRequest(play({ montreal: 18.5, tokyo: 0, 'eu-west.2': 10_000 }))).toEqual({
      game: 'arena',
      version: '1.0.0',
      latencies: { montreal: 18.5, tokyo: 0, 'eu-west.2': 10_000 },
    });
    expect(parsePlayRequest(play({})).latencies).toEqual({});
  });

  const many = Object.fromEntries(
    Array.from({ length: MAX_LATENCY_ENTRIES + 1 }, (_, i) => [`r${i}`, 10]),
  );
  it.each([
    ['a list', [18], /must be an object/],
    ['a string', 'montreal:18', /must be an object/],
    ['null', null, /must be an object/],
    ['a string round trip', { montreal: '18' }, /"latencies.montreal" must be a number/],
    ['NaN', { montreal: Number.NaN }, /"latencies.montreal" must be a number/],
    ['Infinity', { montreal: Number.POSITIVE_INFINITY }, /must be a number/],
    ['a negative round trip', { montreal: -1 }, /from 0 to 10000/],
    ['more than 10 s', { montreal: 10_001 }, /from 0 to 10000/],
    ['too many regions', many, /at most 32 regions \(got 33\)/],
    ['an unsafe region id', { 'Mont real': 18 }, /bad region id "Mont real"/],
    ['an empty region id', { '': 18 }, /bad region id ""/],
    ['an upper-case region id', { Montreal: 18 }, /bad region id/],
  ])('refuses %s with LATENCIES_INVALID', (_what, latencies, message) => {
    const attempt = () => parsePlayRequest(play(latencies));
    expect(attempt).toThrow(message);
    expect(attempt).toThrow(expect.objectContaining({ code: ErrorCode.LATENCIES_INVALID }));
  });

  it('refuses an overflowing number in the JSON text (1e999 parses as Infinity)', () => {
    expect(() =>
      parsePlayRequest('{"game":"arena","version":"1.0.0","latencies":{"tokyo":1e999}}'),
    ).toThrow(expect.objectContaining({ code: ErrorCode.LATENCIES_INVALID }));
  });

  it('refuses a __proto__ key (region ids start with a letter or digit)', () => {
    expect(() => parseLatencies(JSON.parse('{"__proto__": 5, "tokyo": 3}'))).toThrow(
      /bad region id "__proto__"/,
    );
  });
});

describe('fastestRegion', () => {
  it('picks the lowest round trip among known regions, ties by id', () => {
    expect(fastestRegion({ tokyo: 160, montreal: 18, frankfurt: 95 })).toBe('montreal');
    expect(fastestRegion({ tokyo: 20, montreal: 20 })).toBe('montreal');
    expect(fastestRegion({ tokyo: 160, montreal: 18 }, (id) => id !== 'montreal')).toBe('tokyo');
    expect(fastestRegion({})).toBeUndefined();
    expect(fastestRegion(undefined)).toBeUndefined();
  });
});
