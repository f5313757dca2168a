// Test-only: the netcode vectors (protocol/test/fixtures) and a few helpers shared by suites.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { TokenDialect } from './constants.js';
import { ConnectTokenError } from './errors.js';
import type { MintOptions } from './mint.js';

interface DialectVectors {
  private_plain: string;
  aad: string;
  private_encrypted: string;
  mac: string;
  connect_token: string;
  connect_token_base64: string;
  connection_request_packet: string;
  sha256_connect_token: string;
}

interface VectorFile {
  fixed_inputs: {
    privateKey: string;
    nonce: string;
    c2s: string;
    s2c: string;
    userData: string;
    protocolId: string;
    clientId: string;
    createTs: string;
    expireTs: string;
    timeout: number;
    serverAddresses: string[];
  };
  vectors: Record<TokenDialect, DialectVectors>;
}

export const vectorFile = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('../../test/fixtures/netcode-vectors.json', import.meta.url)),
    'utf8',
  ),
) as VectorFile;
export const inputs = vectorFile.fixed_inputs;
export const DIALECTS: TokenDialect[] = ['netcode', 'lightyear'];

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
export const fromHex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));

export const vectorKey = fromHex(inputs.privateKey);
export const vectorProtocolId = BigInt(inputs.protocolId);
export const vectorCreateMs = Number(BigInt(inputs.createTs)) * 1000;
/** A clock inside the vectors' validity window. */
export const vectorNow = () => vectorCreateMs + 5_000;

/** Mint options that reproduce the vectors exactly. */
export function vectorMintOptions(dialect: TokenDialect): MintOptions {
  return {
    protocolId: vectorProtocolId,
    privateKey: vectorKey,
    clientId: BigInt(inputs.clientId),
    serverAddresses: inputs.serverAddresses,
    expireSeconds: Number(BigInt(inputs.expireTs) - BigInt(inputs.createTs)),
    timeoutSeconds: inputs.timeout,
    userData: fromHex(inputs.userData),
    dialect,
    now: () => vectorCreateMs,
    nonce: fromHex(inputs.nonce),
    clientToServerKey: fromHex(inputs.c2s),
    serverToClientKey: fromHex(inputs.s2c),
  };
}

/** Run `fn`, expect a ConnectTokenError with `code`, and return it. */
export function expectTokenError(fn: () => unknown, code: string): ConnectTokenError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ConnectTokenError);
  expect((caught as ConnectTokenError).code).toBe(code);
  return caught as ConnectTokenError;
}
