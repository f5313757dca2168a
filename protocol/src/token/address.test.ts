import { describe, expect, it } from 'vitest';
import { canonicalAddress, parseServerAddress } from './address.js';
import {
  expectTokenError,
  fromHex,
  hex,
  vectorKey,
  vectorMintOptions,
  vectorNow,
  vectorProtocolId,
} from './fixtures.test-helper.js';
import { mintConnectToken } from './mint.js';
import { readPublicToken } from './public-token.js';
import { verifyConnectToken } from './verify.js';

describe('server addresses', () => {
  it.each([
    ['1.2.3.4:5000', '1.2.3.4:5000'],
    ['255.255.255.255:65535', '255.255.255.255:65535'],
    ['[::1]:5000', '[::1]:5000'],
    ['[0:0:0:0:0:0:0:1]:80', '[::1]:80'],
    ['[2001:DB8:0:0:1:0:0:1]:7777', '[2001:db8::1:0:0:1]:7777'],
    ['[2001:db8::]:1', '[2001:db8::]:1'],
    ['[::]:9', '[::]:9'],
    ['[::ffff:10.0.0.1]:443', '[::ffff:a00:1]:443'],
    ['[1:2:3:4:5:6:1.2.3.4]:443', '[1:2:3:4:5:6:102:304]:443'],
    ['[1:0:1:0:1:0:1:0]:2', '[1:0:1:0:1:0:1:0]:2'],
  ])('canonicalises %s to %s', (input, canonical) => {
    expect(canonicalAddress(input)).toBe(canonical);
  });

  it.each([
    'localhost:5000',
    '1.2.3.4',
    '1.2.3.4:0',
    '1.2.3.4:65536',
    '1.2.3.4:05',
    '1.2.3:5000',
    '1.2.3.4.5:5000',
    '256.1.1.1:5000',
    '01.2.3.4:5000',
    '::1:5000',
    '[::1%eth0]:5000',
    '[1::2::3]:5000',
    '[1:2:3:4:5:6:7:8:9]:5000',
    '[1:2:3:4:5:6:7]:5000',
    '[12345::1]:5000',
    '[:1:2:3:4:5:6:7]:5000',
    '[::1.2.3]:5000',
    '[]:5000',
    ' 1.2.3.4:5000',
    '',
  ])('refuses %j as TOKEN_INVALID_ARGUMENT', (input) => {
    expectTokenError(() => parseServerAddress(input), 'TOKEN_INVALID_ARGUMENT');
  });
});

describe('IPv6 address bodies per dialect', () => {
  const body = (token: Uint8Array) => hex(token.subarray(1089, 1089 + 4 + 19));

  it('writes C-style u16 little-endian groups and a little-endian port in the netcode dialect', () => {
    const minted = mintConnectToken({
      ...vectorMintOptions('netcode'),
      serverAddresses: ['[2001:db8::1]:7777'],
    });
    // count 1 (u32 LE), type 2, groups 2001 0db8 0 0 0 0 0 0001 each LE, port 7777 = 0x1e61 LE
    expect(body(minted.bytes)).toBe(
      '01000000' + '02' + '0120b80d' + '0000'.repeat(5) + '0100' + '611e',
    );
  });

  it('writes raw network-order octets and a big-endian port in the lightyear dialect', () => {
    const minted = mintConnectToken({
      ...vectorMintOptions('lightyear'),
      serverAddresses: ['[2001:db8::1]:7777'],
    });
    expect(body(minted.bytes)).toBe(
      '00000001' + '02' + '20010db8' + '0000'.repeat(5) + '0001' + '1e61',
    );
  });

  it('writes raw octets in the netcode dialect with ipv6Layout "octets" (netcode-rs, Lightyear <= 0.19)', () => {
    const minted = mintConnectToken({
      ...vectorMintOptions('netcode'),
      serverAddresses: ['[::1]:5000'],
      ipv6Layout: 'octets',
    });
    expect(body(minted.bytes)).toBe('01000000' + '02' + '00'.repeat(15) + '01' + '8813');
    expect(readPublicToken(minted.bytes, { ipv6Layout: 'octets' }).serverAddresses).toEqual([
      '[::1]:5000',
    ]);
  });

  it('reads ::1 of the C reference (groups) and of netcode-rs (octets) each with its layout', () => {
    const token = fromHex(vectorFileToken());
    // Rewrite the vector's IPv4 entry as an IPv6 entry in each layout, then read it.
    const cStyle = withIpv6Entry(token, `${'00'.repeat(14)}0100`);
    const rsStyle = withIpv6Entry(token, `${'00'.repeat(15)}01`);
    expect(readPublicToken(cStyle).serverAddresses).toEqual(['[::1]:40000']);
    expect(readPublicToken(rsStyle, { ipv6Layout: 'octets' }).serverAddresses).toEqual([
      '[::1]:40000',
    ]);
    expect(readPublicToken(rsStyle).serverAddresses).toEqual(['[::100]:40000']);
  });

  it('matches the server address only with the layout the token was minted in', () => {
    const minted = mintConnectToken({
      ...vectorMintOptions('netcode'),
      serverAddresses: ['[2001:db8::7]:5000'],
      ipv6Layout: 'octets',
    });
    const options = {
      protocolId: vectorProtocolId,
      privateKey: vectorKey,
      now: vectorNow,
      serverAddress: '[2001:db8::7]:5000',
    };
    expect(
      verifyConnectToken(minted.bytes, { ...options, ipv6Layout: 'octets' }).serverAddresses,
    ).toEqual(['[2001:db8::7]:5000']);
    expectTokenError(() => verifyConnectToken(minted.bytes, options), 'TOKEN_ADDRESS_NOT_LISTED');
  });

  it('round-trips 32 IPv6 addresses, the largest address list, in both dialects', () => {
    const addresses = Array.from(
      { length: 32 },
      (_, i) => `[fd00::${(i + 1).toString(16)}]:${6000 + i}`,
    );
    for (const dialect of ['netcode', 'lightyear'] as const) {
      const minted = mintConnectToken({
        ...vectorMintOptions(dialect),
        serverAddresses: addresses,
      });
      expect(readPublicToken(minted.bytes, { dialect }).serverAddresses).toEqual(addresses);
      const verified = verifyConnectToken(minted.base64, {
        protocolId: vectorProtocolId,
        privateKey: vectorKey,
        dialect,
        now: vectorNow,
        serverAddress: '[fd00::20]:6031',
      });
      expect(verified.serverAddresses).toEqual(addresses);
    }
  });
});

function vectorFileToken(): string {
  return hex(mintConnectToken(vectorMintOptions('netcode')).bytes);
}

/** Replace the single IPv4 entry at 1089 by an IPv6 entry with `bodyHex`, port 40000 LE. */
function withIpv6Entry(token: Uint8Array, bodyHex: string): Uint8Array {
  const out = new Uint8Array(2048);
  out.set(token.subarray(0, 1089));
  out.set(fromHex(`01000000` + '02' + bodyHex + '409c'), 1089);
  out.set(token.subarray(1089 + 4 + 7, 1089 + 4 + 7 + 64), 1089 + 4 + 19);
  return out;
}
