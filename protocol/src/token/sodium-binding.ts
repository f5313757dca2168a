/**
 * The XChaCha20-Poly1305 pair the codec calls. sodium-native's public functions check their
 * arguments with ten `assert` calls each, about a fifth of the time of a whole 1008-byte
 * seal; the codec only ever hands them buffers of the right sizes (its own scratch buffers
 * and a key it has checked), so it calls sodium-native's native binding directly. That
 * binding is an internal of sodium-native: it is used only when it loads and, at start-up,
 * agrees with the public API on a test seal, open and refused open (argument order and the
 * bad-MAC result; the cipher itself is checked against published vectors in the tests);
 * otherwise the public functions are used.
 */
import { createRequire } from 'node:module';
import sodium from 'sodium-native';

type Bytes = ArrayBufferView;

/** Seal and open with sodium-native's argument order minus `nsec`; open returns < 0 on a bad MAC. */
export interface AeadPair {
  encrypt(ciphertext: Bytes, message: Bytes, aad: Bytes, nonce: Bytes, key: Bytes): number;
  decrypt(message: Bytes, ciphertext: Bytes, aad: Bytes, nonce: Bytes, key: Bytes): number;
  /** `binding` when the native binding is used, `public-api` otherwise. */
  path: 'binding' | 'public-api';
}

const publicApi: AeadPair = {
  encrypt: (c, m, ad, npub, k) =>
    sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(c, m, ad, null, npub, k),
  decrypt: (m, c, ad, npub, k) => {
    try {
      return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(m, null, c, ad, npub, k);
    } catch {
      return -1;
    }
  },
  path: 'public-api',
};

const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

/**
 * The binding's pair when `binding` has both functions and they give the public API's
 * answers (seal, open, and refusing a flipped bit); the public API otherwise.
 *
 * @example
 * const aead = chooseAead(createRequire(import.meta.url)('sodium-native/binding'));
 */
export function chooseAead(binding: unknown): AeadPair {
  try {
    const b = binding as Record<string, unknown> | null | undefined;
    const encrypt = b?.crypto_aead_xchacha20poly1305_ietf_encrypt;
    const decrypt = b?.crypto_aead_xchacha20poly1305_ietf_decrypt;
    if (typeof encrypt !== 'function' || typeof decrypt !== 'function') return publicApi;
    const pair: AeadPair = {
      encrypt: encrypt as AeadPair['encrypt'],
      decrypt: decrypt as AeadPair['decrypt'],
      path: 'binding',
    };
    const key = new Uint8Array(32).fill(7);
    const nonce = new Uint8Array(24).fill(9);
    const aad = new Uint8Array(29).fill(3);
    const message = Uint8Array.from({ length: 61 }, (_, i) => i);
    const expected = new Uint8Array(77);
    publicApi.encrypt(expected, message, aad, nonce, key);
    const sealed = new Uint8Array(77);
    pair.encrypt(sealed, message, aad, nonce, key);
    const opened = new Uint8Array(61);
    if (!same(sealed, expected) || pair.decrypt(opened, sealed, aad, nonce, key) < 0)
      return publicApi;
    if (!same(opened, message)) return publicApi;
    sealed[0]! ^= 1;
    if (!(pair.decrypt(opened, sealed, aad, nonce, key) < 0)) return publicApi;
    return pair;
  } catch {
    return publicApi;
  }
}

function loadBinding(): unknown {
  try {
    return createRequire(import.meta.url)('sodium-native/binding');
  } catch {
    return undefined;
  }
}

/** The pair in use (see chooseAead). */
export const aead: AeadPair = chooseAead(loadBinding());
