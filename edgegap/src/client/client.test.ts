import { describe, expect, it } from 'vitest';
import { EdgegapConfigError } from '../errors.js';
import { authorizationFromKey, EdgegapClient } from './client.js';

describe('EdgegapClient options', () => {
  it('sends one token prefix whether or not the key has one', () => {
    expect(authorizationFromKey('abc')).toBe('token abc');
    expect(authorizationFromKey('token abc')).toBe('token abc');
    expect(authorizationFromKey('Token  abc ')).toBe('token abc');
  });

  it('defaults to the production API and names a bad env URL', () => {
    expect(EdgegapClient.fromEnv({}).apiUrl).toBe('https://api.edgegap.com');
    expect(() => EdgegapClient.fromEnv({ EDGEGAP_API_URL: 'not a url' })).toThrow(
      /EDGEGAP_API_URL/,
    );
  });

  it.each([
    [{ timeoutMs: 0 }, /timeoutMs/],
    [{ maxRetries: -1 }, /maxRetries/],
    [{ rateLimits: { deployPerSecond: 0 } }, /deployPerSecond/],
    [{ apiUrl: '/relative' }, /apiUrl/],
  ])('refuses %o with a config error naming the option', (options, message) => {
    expect(() => new EdgegapClient(options)).toThrow(EdgegapConfigError);
    expect(() => new EdgegapClient(options)).toThrow(message);
  });
});
