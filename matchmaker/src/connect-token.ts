/**
 * Mints the connect token for a placed player through `@playgap/protocol/token`, with the
 * matchmaker's key, protocol id and dialect bound once.
 */
import { randomFillSync } from 'node:crypto';
import { ErrorCode } from '@playgap/protocol';
import type { MatchmakerConfig } from './config.js';
import { PlacementError } from './errors.js';

export interface MintedToken {
  base64: string;
  /** Unix seconds. */
  expireTimestamp: bigint;
  clientId: bigint;
}

export interface TokenRequest {
  serverAddresses: string[];
  playerId?: string;
  name?: string;
  mode?: string;
  /** Queued modes: the player's team and match, sealed for the game server. */
  team?: string;
  matchId?: string;
}

/** Mints a token for one placement. */
export type TokenMinter = (request: TokenRequest) => MintedToken;

interface TokenModule {
  mintConnectToken(input: {
    protocolId: bigint;
    privateKey: Uint8Array;
    clientId: bigint;
    serverAddresses: string[];
    expireSeconds?: number;
    timeoutSeconds?: number;
    userData?: Uint8Array;
    dialect?: 'netcode' | 'lightyear';
  }): MintedToken;
  encodeUserData(input: {
    playerId?: string;
    name?: string;
    mode?: string;
    team?: string;
    extra?: Record<string, string>;
  }): Uint8Array;
}

/**
 * A random non-zero u64 netcode client id.
 *
 * @example
 * const clientId = randomClientId(); // e.g. 9021370125631374218n
 */
export function randomClientId(): bigint {
  for (;;) {
    if (idPoolUsed === idPool.length) {
      randomFillSync(idPool);
      idPoolUsed = 0;
    }
    const id = idPool.readBigUInt64LE(idPoolUsed);
    idPoolUsed += 8;
    if (id !== 0n) return id;
  }
}

// One CSPRNG draw per 512 ids: a small draw costs as much as a big one (about 2% of a warm
// placement when drawn one id at a time).
const idPool = Buffer.alloc(8 * 512);
let idPoolUsed = idPool.length;

/**
 * Load the token codec and bind the config's key material.
 *
 * @example
 * const mint = await createTokenMinter(config);
 * const token = mint({ serverAddresses: ['1.2.3.4:31000'], name: 'ada' });
 */
export async function createTokenMinter(
  config: Pick<
    MatchmakerConfig,
    'protocolId' | 'privateKey' | 'tokenDialect' | 'tokenExpireSeconds' | 'tokenTimeoutSeconds'
  >,
): Promise<TokenMinter> {
  const codec = (await import('@playgap/protocol/token')) as unknown as Partial<TokenModule>;
  const { mintConnectToken, encodeUserData } = codec;
  if (typeof mintConnectToken !== 'function' || typeof encodeUserData !== 'function') {
    throw new Error('@playgap/protocol/token has no mintConnectToken; rebuild protocol');
  }
  return (request) => {
    try {
      const userData: Parameters<TokenModule['encodeUserData']>[0] = {};
      if (request.playerId) userData.playerId = request.playerId;
      if (request.name) userData.name = request.name;
      if (request.mode) userData.mode = request.mode;
      if (request.team) userData.team = request.team;
      if (request.matchId) userData.extra = { matchId: request.matchId };
      return mintConnectToken({
        protocolId: config.protocolId,
        privateKey: config.privateKey,
        clientId: randomClientId(),
        serverAddresses: request.serverAddresses,
        expireSeconds: config.tokenExpireSeconds,
        timeoutSeconds: config.tokenTimeoutSeconds,
        userData: encodeUserData(userData),
        dialect: config.tokenDialect,
      });
    } catch (error) {
      throw new PlacementError(ErrorCode.INTERNAL, 'Could not mint a connect token.', {
        cause: error,
      });
    }
  };
}
