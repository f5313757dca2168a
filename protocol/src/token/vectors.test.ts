import { createHash } from 'node:crypto';
import sodium from 'sodium-native';
import { describe, expect, it } from 'vitest';
import {
  DIALECTS,
  fromHex,
  hex,
  inputs,
  vectorFile,
  vectorKey,
  vectorMintOptions,
  vectorNow,
  vectorProtocolId,
} from './fixtures.test-helper.js';
import { mintConnectToken } from './mint.js';
import { buildAad, openPrivateToken } from './private-token.js';
import { connectionRequestFromToken, readPublicToken } from './public-token.js';
import { verifyConnectToken } from './verify.js';

describe.each(DIALECTS)('netcode vectors, %s dialect', (dialect) => {
  const expected = vectorFile.vectors[dialect];
  const littleEndian = dialect === 'netcode';

  it('mints the connect token byte for byte', () => {
    const minted = mintConnectToken(vectorMintOptions(dialect));
    expect(hex(minted.bytes)).toBe(expected.connect_token);
    expect(minted.base64).toBe(expected.connect_token_base64);
    expect(createHash('sha256').update(minted.bytes).digest('hex')).toBe(
      expected.sha256_connect_token,
    );
    expect(minted.createTimestamp).toBe(BigInt(inputs.createTs));
    expect(minted.expireTimestamp).toBe(BigInt(inputs.expireTs));
    expect(hex(minted.nonce)).toBe(inputs.nonce);
  });

  it('builds the AAD as version, protocol id and expire timestamp', () => {
    expect(hex(buildAad(vectorProtocolId, BigInt(inputs.expireTs), littleEndian))).toBe(
      expected.aad,
    );
  });

  it('seals the private plaintext to the vector ciphertext and MAC', () => {
    const token = fromHex(expected.connect_token);
    const sealed = hex(token.subarray(61, 1085));
    expect(sealed).toBe(expected.private_encrypted);
    expect(sealed.slice(-32)).toBe(expected.mac);
    const opened = openPrivateToken(token.slice(61, 1085), {
      privateKey: vectorKey,
      protocolId: vectorProtocolId,
      expireTimestamp: BigInt(inputs.expireTs),
      nonce: fromHex(inputs.nonce),
      dialect,
    });
    expect(opened.clientId).toBe(BigInt(inputs.clientId));
    expect(opened.timeoutSeconds).toBe(inputs.timeout);
    expect(opened.serverAddresses).toEqual(inputs.serverAddresses);
    expect(hex(opened.clientToServerKey)).toBe(inputs.c2s);
    expect(hex(opened.serverToClientKey)).toBe(inputs.s2c);
    expect(hex(opened.userData)).toBe(inputs.userData);
  });

  it('seals the private plaintext byte for byte', () => {
    const minted = mintConnectToken(vectorMintOptions(dialect));
    const plain = new Uint8Array(1008);
    sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      plain,
      null,
      minted.bytes.subarray(61, 1085),
      fromHex(expected.aad),
      minted.nonce,
      vectorKey,
    );
    // The C reference keeps the plaintext in a 1024-byte buffer: 1008 bytes + room for the tag.
    expect(expected.private_plain).toHaveLength(2048);
    expect(hex(plain) + '00'.repeat(16)).toBe(expected.private_plain);
  });

  it('reads every public field of the vector token', () => {
    const token = readPublicToken(expected.connect_token_base64, { dialect });
    expect(token).toMatchObject({
      version: 'NETCODE 1.02',
      protocolId: vectorProtocolId,
      createTimestamp: BigInt(inputs.createTs),
      expireTimestamp: BigInt(inputs.expireTs),
      timeoutSeconds: inputs.timeout,
      serverAddresses: inputs.serverAddresses,
    });
    expect(hex(token.nonce)).toBe(inputs.nonce);
    expect(hex(token.encryptedPrivateToken)).toBe(expected.private_encrypted);
    expect(hex(token.clientToServerKey)).toBe(inputs.c2s);
    expect(hex(token.serverToClientKey)).toBe(inputs.s2c);
  });

  it('derives the connection request packet byte for byte', () => {
    expect(hex(connectionRequestFromToken(fromHex(expected.connect_token)))).toBe(
      expected.connection_request_packet,
    );
  });

  it('verifies the vector token, its base64, base64url and request packet', () => {
    const options = {
      protocolId: vectorProtocolId,
      privateKey: vectorKey,
      dialect,
      now: vectorNow,
      serverAddress: '127.0.0.1:40000',
    };
    const forms = [
      fromHex(expected.connect_token),
      expected.connect_token_base64,
      Buffer.from(expected.connect_token, 'hex').toString('base64url'),
      fromHex(expected.connection_request_packet),
      Buffer.from(expected.connection_request_packet, 'hex').toString('base64'),
    ];
    for (const input of forms) {
      const verified = verifyConnectToken(input, options);
      expect(verified.clientId).toBe(BigInt(inputs.clientId));
      expect(hex(verified.userData)).toBe(inputs.userData);
      expect(verified.expireTimestamp).toBe(BigInt(inputs.expireTs));
    }
    expect(verifyConnectToken(forms[0]!, options).form).toBe('connect-token');
    expect(verifyConnectToken(forms[0]!, options).createTimestamp).toBe(BigInt(inputs.createTs));
    expect(verifyConnectToken(forms[3]!, options).form).toBe('request-packet');
    expect(verifyConnectToken(forms[3]!, options).createTimestamp).toBeUndefined();
  });
});
