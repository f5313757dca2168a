import { describe, expect, it } from 'vitest';
import { openXChaCha, sealXChaCha } from './aead.js';
import { ConnectTokenError } from './errors.js';

// draft-irtf-cfrg-xchacha-03, appendix A.3.1 (AEAD_XChaCha20_Poly1305), typed in.
const plaintext = new TextEncoder().encode(
  "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
);
const aad = Uint8Array.from([
  0x50, 0x51, 0x52, 0x53, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7,
]);
const key = Uint8Array.from({ length: 32 }, (_, i) => 0x80 + i);
const nonce = Uint8Array.from({ length: 24 }, (_, i) => 0x40 + i);
const ciphertext =
  'bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb' +
  '731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452' +
  '2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9' +
  '21f9664c97637da9768812f615c68b13b52e';
const tag = 'c0875924c1c7987947deafd8780acf49';

describe('XChaCha20-Poly1305 AEAD', () => {
  it('seals the draft-irtf-cfrg-xchacha A.3.1 vector to its ciphertext and tag', () => {
    const sealed = new Uint8Array(plaintext.length + 16);
    sealXChaCha(sealed, plaintext, aad, nonce, key);
    expect(Buffer.from(sealed).toString('hex')).toBe(ciphertext + tag);
  });

  it('opens the A.3.1 vector back to its plaintext', () => {
    const opened = new Uint8Array(plaintext.length);
    openXChaCha(opened, Buffer.from(ciphertext + tag, 'hex'), aad, nonce, key);
    expect(new TextDecoder().decode(opened)).toBe(new TextDecoder().decode(plaintext));
  });

  it('refuses the A.3.1 vector with one AAD bit flipped as TOKEN_BAD_MAC', () => {
    const badAad = aad.slice();
    badAad[0]! ^= 1;
    const opened = new Uint8Array(plaintext.length);
    expect(() =>
      openXChaCha(opened, Buffer.from(ciphertext + tag, 'hex'), badAad, nonce, key),
    ).toThrow(expect.objectContaining({ code: 'TOKEN_BAD_MAC' }));
    expect(() => openXChaCha(opened, Buffer.from(tag, 'hex'), aad, nonce, key)).toThrow(
      ConnectTokenError,
    );
  });
});
