// Minimal typings for the parts of sodium-native (5.x) the token codec uses.
declare module 'sodium-native' {
  type Bytes = ArrayBufferView;
  const sodium: {
    crypto_aead_xchacha20poly1305_ietf_encrypt(
      ciphertext: Bytes,
      message: Bytes,
      additionalData: Bytes | null,
      nsec: null,
      nonce: Bytes,
      key: Bytes,
    ): number;
    crypto_aead_xchacha20poly1305_ietf_decrypt(
      message: Bytes,
      nsec: null,
      ciphertext: Bytes,
      additionalData: Bytes | null,
      nonce: Bytes,
      key: Bytes,
    ): number;
    randombytes_buf(buffer: Bytes): void;
    sodium_memzero(buffer: Bytes): void;
  };
  export default sodium;
}
