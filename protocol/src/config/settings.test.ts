import { describe, expect, it } from 'vitest';
import {
  checkValues,
  deepFreeze,
  durationMsSetting,
  enumSetting,
  integerSetting,
  listSetting,
  parseBoolean,
  parsePrivateKeySetting,
  parseProtocolIdSetting,
  readSetting,
  SettingError,
  tokenDialectSetting,
} from './index.js';

function failure(run: () => unknown): SettingError {
  try {
    run();
  } catch (error) {
    if (error instanceof SettingError) return error;
    throw error;
  }
  throw new Error('the value was accepted');
}

const capacity = integerSetting({
  env: 'PLAYGAP_CAPACITY',
  flag: 'seats-per-server',
  min: 1,
  max: 1024,
  default: 16,
  unit: 'seats',
  doc: 'seats',
});

describe('integer settings', () => {
  it('take decimal text and safe integers within the bounds', () => {
    expect(capacity.parse(' 16 ', 'PLAYGAP_CAPACITY')).toBe(16);
    expect(capacity.parse(1024, 'PLAYGAP_CAPACITY')).toBe(1024);
    expect(capacity.parse('0001', 'PLAYGAP_CAPACITY')).toBe(1);
  });

  it.each([
    ['an exponent form', '1e2'],
    ['a hex form', '0x10'],
    ['an upper-case hex form', '0X10'],
    ['a sign', '+3'],
    ['a negative number', '-1'],
    ['a fraction', '16.0'],
    ['over the bound', '2000'],
    ['under the bound', '0'],
    ['words', 'lots'],
    ['a fractional number', 16.5],
    ['a boolean', true],
    ['an array', [16]],
    ['an unsafe integer', 2 ** 60],
  ])('refuses %s, naming the variable and the bounds', (_why, raw) => {
    const error = failure(() => capacity.parse(raw, 'PLAYGAP_CAPACITY'));
    expect(error.variable).toBe('PLAYGAP_CAPACITY');
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/^PLAYGAP_CAPACITY must be an integer from 1 to 1024 \(got /);
  });

  it('carry kind, bounds, unit and default for the docs', () => {
    expect(capacity).toMatchObject({
      kind: 'integer',
      min: 1,
      max: 1024,
      unit: 'seats',
      default: 16,
    });
    const ready = durationMsSetting({ env: 'X_MS', min: 1, max: 10, default: 5, doc: 'x' });
    expect(ready).toMatchObject({ kind: 'duration', unit: 'ms' });
    expect(Object.isFrozen(capacity)).toBe(true);
  });
});

describe('reading a setting', () => {
  it('takes the flag over the variable, then the default', () => {
    const env = { PLAYGAP_CAPACITY: '8' };
    expect(readSetting(capacity, { env })).toBe(8);
    expect(readSetting(capacity, { env, flags: { 'seats-per-server': '4' } })).toBe(4);
    expect(readSetting(capacity, { env: { PLAYGAP_CAPACITY: ' ' } })).toBe(16);
  });

  it('names the flag when a flag needs a value and got none', () => {
    const error = failure(() =>
      readSetting(capacity, { env: {}, flags: { 'seats-per-server': true } }),
    );
    expect(error.message).toBe('--seats-per-server needs a value');
  });

  it('names every name of a required setting that is missing', () => {
    const versions = listSetting({
      env: 'PLAYGAP_VERSIONS',
      flag: 'app-version',
      required: true,
      doc: 'versions',
    });
    expect(failure(() => readSetting(versions, { env: {} })).message).toBe(
      '--app-version/PLAYGAP_VERSIONS is required: versions',
    );
  });
});

describe('enum, boolean and list settings', () => {
  it('refuse an unknown word, listing the allowed ones', () => {
    const dialect = tokenDialectSetting();
    expect(dialect.parse('lightyear', 'PLAYGAP_TOKEN_DIALECT')).toBe('lightyear');
    expect(failure(() => dialect.parse('bevy', 'PLAYGAP_TOKEN_DIALECT')).message).toBe(
      'PLAYGAP_TOKEN_DIALECT must be netcode or lightyear',
    );
    expect(failure(() => dialect.parse(1, 'PLAYGAP_TOKEN_DIALECT')).variable).toBe(
      'PLAYGAP_TOKEN_DIALECT',
    );
    const level = enumSetting({ env: 'L', values: ['a', 'b', 'c'], doc: 'l' });
    expect(failure(() => level.parse('d', 'L')).message).toBe('L must be one of a, b, c');
  });

  it('read switches and refuse other words', () => {
    expect(parseBoolean('YES', '--x')).toBe(true);
    expect(parseBoolean('0', '--x')).toBe(false);
    expect(failure(() => parseBoolean('maybe', '--x')).message).toBe('--x must be true or false');
    expect(failure(() => parseBoolean(1, '--x')).variable).toBe('--x');
  });

  it('split comma lists and check each item', () => {
    const versions = listSetting({
      env: 'V',
      pattern: /^[a-z0-9.]+$/,
      problem: 'must be versions',
      nonEmpty: true,
      doc: 'v',
    });
    expect(versions.parse(' 1.0, 2.0 ,', 'V')).toEqual(['1.0', '2.0']);
    expect(versions.parse(['1.0'], 'V')).toEqual(['1.0']);
    expect(failure(() => versions.parse(',', 'V')).message).toBe('V must be versions');
    expect(failure(() => versions.parse('1.0,BAD!', 'V')).message).toBe('V must be versions');
    expect(failure(() => versions.parse([1], 'V')).variable).toBe('V');
    expect(failure(() => versions.parse({}, 'V')).variable).toBe('V');
  });
});

describe('keys and protocol ids (protocol’s one parser for every component)', () => {
  it('take decimal and 0x/0X hex protocol ids up to 2^64-1', () => {
    expect(parseProtocolIdSetting('0X1F', 'P')).toBe(31n);
    expect(parseProtocolIdSetting('0x1f', 'P')).toBe(31n);
    expect(parseProtocolIdSetting('18446744073709551615', 'P')).toBe(2n ** 64n - 1n);
    expect(parseProtocolIdSetting(7n, 'P')).toBe(7n);
  });

  it.each(['1e2', '0x', '0x1ffffffffffffffff', '18446744073709551616', '-1', 'twelve', '1.5'])(
    'refuse the protocol id %j naming the variable',
    (raw) => {
      expect(failure(() => parseProtocolIdSetting(raw, 'PLAYGAP_PROTOCOL_ID')).message).toBe(
        'PLAYGAP_PROTOCOL_ID must be an unsigned 64-bit integer (decimal or 0x hex)',
      );
    },
  );

  it('take 64 hex characters with or without 0x, and a list of 32 numbers', () => {
    expect(parsePrivateKeySetting(`0x${'ab'.repeat(32)}`, 'K')[0]).toBe(0xab);
    expect(parsePrivateKeySetting('ab'.repeat(32), 'K')[31]).toBe(0xab);
    const list = Array.from({ length: 32 }, (_, i) => i).join(', ');
    expect(parsePrivateKeySetting(`[${list}]`, 'K')[31]).toBe(31);
  });

  it.each([
    ['too short', 'ab'.repeat(31)],
    ['not hex', 'zz'.repeat(32)],
    ['31 numbers', Array.from({ length: 31 }, () => 1).join(',')],
    ['a number over 255', Array.from({ length: 32 }, () => 256).join(',')],
    ['an exponent in the list', Array.from({ length: 32 }, () => '1e2').join(',')],
    ['a hex item in the list', Array.from({ length: 32 }, () => '0x1').join(',')],
  ])('refuse a key that is %s without echoing it', (_why, raw) => {
    const error = failure(() => parsePrivateKeySetting(raw, 'PLAYGAP_PRIVATE_KEY'));
    expect(error.variable).toBe('PLAYGAP_PRIVATE_KEY');
    expect(error.message).not.toContain(raw.slice(0, 8));
  });
});

describe('checking typed values (overrides) with the same schema', () => {
  const schema = { capacity, dialect: tokenDialectSetting() };

  it('parses each value with its setting', () => {
    expect(checkValues(schema, { capacity: 8, dialect: 'netcode' })).toEqual({
      capacity: 8,
      dialect: 'netcode',
    });
  });

  it('refuses an out-of-bounds or mistyped value and an unknown key', () => {
    expect(failure(() => checkValues(schema, { capacity: 2000 })).message).toMatch(
      /^capacity must be an integer from 1 to 1024/,
    );
    expect(
      failure(() => checkValues(schema, { capacity: '1e2' as unknown as number })).variable,
    ).toBe('capacity');
    expect(failure(() => checkValues(schema, { dialect: 'bevy' })).variable).toBe('dialect');
    expect(failure(() => checkValues(schema, { capasity: 8 })).message).toBe(
      'capasity is not a known setting',
    );
    expect(failure(() => checkValues(schema, { toString: 8 })).variable).toBe('toString');
  });
});

describe('deepFreeze', () => {
  it('freezes nested objects and arrays, leaving typed arrays as they are', () => {
    const config = deepFreeze({
      versions: ['1.0.0'],
      nats: Object.freeze({ servers: ['nats://a'] }),
      key: new Uint8Array(2),
    });
    expect(() => (config.versions as string[]).push('2')).toThrow(TypeError);
    expect(() => (config.nats.servers as string[]).push('x')).toThrow(TypeError);
    expect(() => {
      (config as { versions: string[] }).versions = [];
    }).toThrow(TypeError);
    expect(Object.isFrozen(config.nats.servers)).toBe(true);
    expect(config.key).toBeInstanceOf(Uint8Array);
  });

  it('handles a cycle', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(Object.isFrozen(deepFreeze(a))).toBe(true);
  });
});
