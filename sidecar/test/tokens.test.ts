// Verify-and-consume with real netcode connect tokens minted by protocol, and the verifier config.
import { ErrorCode } from '@playgap/protocol';
import {
  connectionRequestFromToken,
  encodeUserData,
  generatePrivateKey,
  mintConnectToken,
} from '@playgap/protocol/token';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/errors.js';
import { createTokenVerifier } from '../src/token-check.js';
import { harnessPerTest, PUBLIC_IP } from './harness.js';

const privateKey = generatePrivateKey();
const keyHex = Buffer.from(privateKey).toString('hex');
const protocolId = 0x1234n;
const verifier = createTokenVerifier({
  protocolIdText: '0x1234',
  privateKeyText: keyHex,
  tokenDialect: 'netcode',
});

const sidecars = harnessPerTest(verifier);

function mint(clientId: bigint, extra: Partial<Parameters<typeof mintConnectToken>[0]> = {}) {
  return mintConnectToken({
    protocolId,
    privateKey,
    clientId,
    serverAddresses: [`${PUBLIC_IP}:31000`],
    userData: encodeUserData({ playerId: `p-${clientId}`, name: 'Ada', mode: 'duel' }),
    ...extra,
  });
}

describe('verify-and-consume with real connect tokens', () => {
  it('accepts a token once with client id and user data, and refuses its replay with TOKEN_REPLAYED', async () => {
    const h = await sidecars.startReady();
    await h.reserve(1001n, 0);
    const token = mint(1001n);
    const first = await h.verify(token.base64);
    expect(first.statusCode).toBe(200);
    const body = first.json();
    expect(body).toMatchObject({
      clientId: '1001',
      seat: 0,
      player: { playerId: 'p-1001', name: 'Ada', mode: 'duel' },
    });
    expect(Buffer.from(body.userData, 'base64')).toHaveLength(256);
    expect(body.expiresAt).toBe(Number(token.expireTimestamp) * 1000);
    const replay = await h.verify(token.base64);
    expect(replay.statusCode).toBe(401);
    expect(replay.json().code).toBe(ErrorCode.TOKEN_REPLAYED);
  });

  it('accepts the 1078-byte connection request packet form', async () => {
    const h = await sidecars.startReady();
    await h.reserve(1002n, 1);
    const packet = connectionRequestFromToken(mint(1002n).bytes);
    const res = await h.verify(Buffer.from(packet).toString('base64'));
    expect(res.statusCode).toBe(200);
    expect(res.json().clientId).toBe('1002');
  });

  it('refuses a token minted for another server with TOKEN_ADDRESS_NOT_LISTED', async () => {
    const h = await sidecars.startReady();
    await h.reserve(1003n, 0);
    const res = await h.verify(mint(1003n, { serverAddresses: ['198.51.100.4:31000'] }).base64);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe(ErrorCode.TOKEN_ADDRESS_NOT_LISTED);
  });

  it('refuses an expired token with TOKEN_EXPIRED', async () => {
    const h = await sidecars.startReady();
    await h.reserve(1004n, 0);
    const old = mint(1004n, { now: () => Date.now() - 120_000, expireSeconds: 30 });
    const res = await h.verify(old.base64);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe(ErrorCode.TOKEN_EXPIRED);
  });

  it('refuses a tampered token with TOKEN_BAD_MAC', async () => {
    const h = await sidecars.startReady();
    await h.reserve(1005n, 0);
    const bytes = Buffer.from(mint(1005n).bytes);
    bytes[100] = (bytes[100] ?? 0) ^ 0xff; // inside the sealed private part
    const res = await h.verify(bytes.toString('base64'));
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe(ErrorCode.TOKEN_BAD_MAC);
  });

  it('refuses a token of another protocol id with TOKEN_WRONG_PROTOCOL', async () => {
    const h = await sidecars.startReady();
    const res = await h.verify(mint(1006n, { protocolId: 99n }).base64);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe(ErrorCode.TOKEN_WRONG_PROTOCOL);
  });

  it('refuses a token signed with another key with TOKEN_BAD_MAC', async () => {
    const h = await sidecars.startReady();
    const res = await h.verify(mint(1007n, { privateKey: generatePrivateKey() }).base64);
    expect(res.json().code).toBe(ErrorCode.TOKEN_BAD_MAC);
  });

  it.each([
    ['not base64 at all', '%%%%'],
    ['truncated', mint(1008n).base64.slice(0, 2000)],
    ['base64 of the wrong size', Buffer.alloc(1500).toString('base64')],
  ])('refuses a %s token with TOKEN_MALFORMED', async (_what, token) => {
    const h = await sidecars.startReady();
    const res = await h.verify(token);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe(ErrorCode.TOKEN_MALFORMED);
  });

  it('refuses a valid token without a reservation with NO_RESERVATION, and takes it once reserved', async () => {
    const h = await sidecars.startReady();
    const token = mint(1009n);
    const res = await h.verify(token.base64);
    expect(res.json().code).toBe(ErrorCode.NO_RESERVATION);
    await h.reserve(1009n, 2);
    expect((await h.verify(token.base64)).statusCode).toBe(200);
  });
});

describe('createTokenVerifier', () => {
  it('names PLAYGAP_PRIVATE_KEY for a bad key without echoing it', () => {
    const bad = 'zz'.repeat(32);
    try {
      createTokenVerifier({ protocolIdText: '1', privateKeyText: bad, tokenDialect: 'netcode' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain('PLAYGAP_PRIVATE_KEY');
      expect((error as Error).message).not.toContain(bad);
    }
  });

  it('names PLAYGAP_PROTOCOL_ID for a bad protocol id', () => {
    expect(() =>
      createTokenVerifier({
        protocolIdText: 'twelve',
        privateKeyText: keyHex,
        tokenDialect: 'netcode',
      }),
    ).toThrow(/PLAYGAP_PROTOCOL_ID/);
  });

  it('verifies lightyear-dialect tokens when configured for them', () => {
    const ly = createTokenVerifier({
      protocolIdText: '0x1234',
      privateKeyText: keyHex,
      tokenDialect: 'lightyear',
    });
    const token = mint(5n, { dialect: 'lightyear' });
    expect(ly(token.base64, Date.now()).clientId).toBe(5n);
    expect(() => verifier(token.base64, Date.now())).toThrow();
  });
});
