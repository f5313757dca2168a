import sodium from 'sodium-native';
import { describe, expect, it } from 'vitest';
import { openXChaCha, sealXChaCha } from './aead.js';
import { ConnectTokenError } from './errors.js';
import { aead, chooseAead } from './sodium-binding.js';

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

describe('the sodium-native path', () => {
  it('calls the native binding directly: it agrees with the public API on this install', () => {
    // If this fails after a sodium-native upgrade, the codec still works (through the public
    // API) but loses about a fifth of a seal per token: check the binding's new signature.
    expect(aead.path).toBe('binding');
  });

  it.each<[string, unknown]>([
    ['no binding', undefined],
    ['a binding without the AEAD pair', { crypto_aead_xchacha20poly1305_ietf_encrypt: () => 0 }],
    [
      'a binding whose seal gives other bytes',
      {
        crypto_aead_xchacha20poly1305_ietf_encrypt: () => 0,
        crypto_aead_xchacha20poly1305_ietf_decrypt: () => 0,
      },
    ],
    [
      'a binding that opens a tampered box',
      {
        crypto_aead_xchacha20poly1305_ietf_encrypt: publicEncrypt,
        crypto_aead_xchacha20poly1305_ietf_decrypt: () => 0,
      },
    ],
    [
      'a binding that throws',
      {
        crypto_aead_xchacha20poly1305_ietf_encrypt: () => {
          throw new TypeError('changed signature');
        },
        crypto_aead_xchacha20poly1305_ietf_decrypt: () => 0,
      },
    ],
  ])('falls back to the public API given %s', (_name, binding) => {
    expect(chooseAead(binding).path).toBe('public-api');
  });

  it('refuses sizes the native code would read or write past', () => {
    const sealed = new Uint8Array(plaintext.length + 16);
    for (const [s, n, k] of [
      [sealed.subarray(1), nonce, key],
      [sealed, nonce.subarray(1), key],
      [sealed, nonce, key.subarray(1)],
    ] as const) {
      expect(() => sealXChaCha(s, plaintext, aad, n, k)).toThrow(
        expect.objectContaining({ code: 'TOKEN_INVALID_ARGUMENT' }),
      );
    }
    expect(() =>
      openXChaCha(new Uint8Array(plaintext.length), sealed, aad, nonce, key.subarray(1)),
    ).toThrow(expect.objectContaining({ code: 'TOKEN_INVALID_ARGUMENT' }));
  });
});

function publicEncrypt(c: Uint8Array, m: Uint8Array, ad: Uint8Array, n: Uint8Array, k: Uint8Array) {
  return sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(c, m, ad, null, n, k);
}
