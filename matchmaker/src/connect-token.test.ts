import { readPublicToken } from '@playgap/protocol/token';
import { describe, expect, it } from 'vitest';
import { createTokenMinter, randomClientId } from './connect-token.js';

describe('randomClientId', () => {
  it('draws distinct non-zero ids across pool refills', () => {
    const ids = new Set<bigint>();
    for (let i = 0; i < 2_000; i++) ids.add(randomClientId());
    expect(ids.size).toBe(2_000);
    expect(ids.has(0n)).toBe(false);
  });
});

describe('createTokenMinter', () => {
  it('mints a token for the given addresses with a fresh client id each time', async () => {
    const mint = await createTokenMinter({
      protocolId: 7n,
      privateKey: new Uint8Array(32).fill(1),
      tokenDialect: 'netcode',
      tokenExpireSeconds: 30,
      tokenTimeoutSeconds: 15,
    });
    const a = mint({ serverAddresses: ['127.0.0.1:31000'], name: 'ada' });
    const b = mint({ serverAddresses: ['127.0.0.1:31000'], name: 'bob' });
    expect(a.clientId).not.toBe(b.clientId);
    expect(readPublicToken(a.base64).serverAddresses.map(String)).toEqual(['127.0.0.1:31000']);
  });
});
