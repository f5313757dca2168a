import { describe, expect, it } from 'vitest';
import { webtransportTransport } from './webtransport.js';

describe('webtransportTransport', () => {
  it('is unsupported where the browser has no WebTransport', () => {
    expect(webtransportTransport(undefined).supported()).toBe(false);
  });
});
