import { describe, expect, it } from 'vitest';
import {
  formatReconnectCredential,
  isReconnectCredential,
  MAX_RECONNECT_CREDENTIAL_LENGTH,
  parseReconnectCredential,
} from './reconnect-credential.js';

const secret = 'A'.repeat(42) + 'g';

describe('reconnect credential', () => {
  it('round-trips its parts', () => {
    const text = formatReconnectCredential({ serverId: 'srv_1-a', clientId: '42', secret });
    expect(text).toBe(`pgr1.srv_1-a.42.${secret}`);
    expect(parseReconnectCredential(text)).toEqual({ serverId: 'srv_1-a', clientId: '42', secret });
  });

  it('is told apart from a base64 connect token by its prefix', () => {
    expect(isReconnectCredential('pgr1.x')).toBe(true);
    expect(isReconnectCredential('AAAA+/==')).toBe(false);
  });

  it.each([
    ['no prefix', `pgr2.s.1.${secret}`],
    ['too few fields', `pgr1.s.${secret}`],
    ['too many fields', `pgr1.s.1.2.${secret}`],
    ['a client id that is not a number', `pgr1.s.abc.${secret}`],
    ['a client id longer than a u64', `pgr1.s.${'9'.repeat(21)}.${secret}`],
    ['a server id with a slash', `pgr1.s/x.1.${secret}`],
    ['a short secret', 'pgr1.s.1.abc'],
    ['a secret with padding', `pgr1.s.1.${'A'.repeat(42)}=`],
    ['an oversized text', `pgr1.s.1.${'A'.repeat(MAX_RECONNECT_CREDENTIAL_LENGTH)}`],
    ['an empty text', ''],
  ])('refuses %s', (_what, text) => {
    expect(parseReconnectCredential(text)).toBeUndefined();
  });
});
