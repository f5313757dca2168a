import { describe, expect, it } from 'vitest';
import { toBase64Url, webTransportUrl } from './webtransport.js';

describe('WebTransport session URL', () => {
  it('carries the token as base64url without padding', () => {
    expect(toBase64Url('a+b/c==')).toBe('a-b_c');
    expect(webTransportUrl('https://1.2.3.4:4433/wt', 'ab+/==')).toBe(
      'https://1.2.3.4:4433/wt?token=ab-_',
    );
  });
});
