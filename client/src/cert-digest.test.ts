import { describe, expect, it } from 'vitest';
import { certDigestToBytes } from './cert-digest.js';

describe('certDigestToBytes', () => {
  it('decodes colon hex to the 32 digest bytes', () => {
    const hex = Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, '0'));
    const bytes = certDigestToBytes(hex.join(':').toUpperCase());
    expect([...bytes]).toEqual(Array.from({ length: 32 }, (_, i) => i));
  });

  it('accepts plain lowercase hex', () => {
    expect(certDigestToBytes('ff'.repeat(32))[31]).toBe(255);
  });

  it('refuses a truncated, oversized or non-hex digest', () => {
    expect(() => certDigestToBytes('AB:CD')).toThrow(TypeError);
    expect(() => certDigestToBytes('ab'.repeat(33))).toThrow(TypeError);
    expect(() => certDigestToBytes('zz'.repeat(32))).toThrow(TypeError);
  });
});
