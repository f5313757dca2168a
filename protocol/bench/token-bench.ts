/**
 * Connect-token throughput on one core, one thread: mints/s, verifies/s (bytes and base64
 * input) against the raw sodium-native XChaCha20-Poly1305 seal/open rate on the same 1008
 * bytes, through sodium-native's public API (the yardstick). The codec calls sodium-native's
 * native binding directly (see src/token/sodium-binding.ts), so the bench also prints that
 * path's raw seal rate: the ratios against it show the codec's own overhead alone. Rates are per CPU second of this process (GC threads included), rounds are
 * interleaved and the median taken, so a busy machine skews all cases alike.
 * Runs against dist/ (build first): `npm run bench -w protocol`.
 */

import sodium from 'sodium-native';
import {
  encodeUserData,
  generatePrivateKey,
  mintConnectToken,
  parseProtocolId,
  verifyConnectToken,
} from '../dist/token/index.js';
import { aead } from '../dist/token/sodium-binding.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 50);

/** CPU time of this process in ms: on a shared machine wall time counts other people's work. */
function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Operations per CPU second of `fn`, run for ROUND_MS of CPU time. */
function rate(fn: () => void): number {
  let count = 0;
  const start = cpuMs();
  let elapsed = 0;
  do {
    for (let i = 0; i < 100; i++) fn();
    count += 100;
    elapsed = cpuMs() - start;
  } while (elapsed < ROUND_MS);
  return count / (elapsed / 1000);
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

const privateKey = generatePrivateKey();
const protocolId = parseProtocolId('0x1122334455667788');
const userData = encodeUserData({
  playerId: 'player-0123456789',
  name: 'Ada',
  mode: 'duel',
  team: 'red',
});
const serverAddress = '203.0.113.7:31500';
const mintOptions = {
  protocolId,
  privateKey,
  clientId: 42n,
  serverAddresses: [serverAddress],
  userData,
  expireSeconds: 3600, // the verify cases reuse one token for longer than the default 30 s
};
const verifyOptions = { protocolId, privateKey, serverAddress };
const token = mintConnectToken(mintOptions);

const plain = new Uint8Array(1008);
sodium.randombytes_buf(plain);
const sealed = new Uint8Array(1024);
const opened = new Uint8Array(1008);
const aad = new Uint8Array(29);
const nonce = new Uint8Array(24);
sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(sealed, plain, aad, null, nonce, privateKey);

const cases: Record<string, () => void> = {
  rawSeal: () => {
    sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(sealed, plain, aad, null, nonce, privateKey);
  },
  rawSealBinding: () => {
    aead.encrypt(sealed, plain, aad, nonce, privateKey);
  },
  rawOpen: () => {
    sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(opened, null, sealed, aad, nonce, privateKey);
  },
  mint: () => {
    mintConnectToken(mintOptions).base64;
  },
  verifyBytes: () => {
    verifyConnectToken(token.bytes, verifyOptions);
  },
  verifyBase64: () => {
    verifyConnectToken(token.base64, verifyOptions);
  },
};

for (const fn of Object.values(cases)) for (let i = 0; i < 20_000; i++) fn(); // warm up the JIT

const samples: Record<string, number[]> = Object.fromEntries(
  Object.keys(cases).map((name) => [name, []]),
);
const ratios = { mint: [] as number[], verifyBytes: [] as number[], verifyBase64: [] as number[] };
const bindingRatios = {
  mint: [] as number[],
  verifyBytes: [] as number[],
  verifyBase64: [] as number[],
};
for (let round = 0; round < ROUNDS; round++) {
  const r: Record<string, number> = {};
  for (const [name, fn] of Object.entries(cases)) {
    r[name] = rate(fn);
    samples[name]!.push(r[name]);
  }
  ratios.mint.push(r.mint! / r.rawSeal!);
  ratios.verifyBytes.push(r.verifyBytes! / r.rawSeal!);
  ratios.verifyBase64.push(r.verifyBase64! / r.rawSeal!);
  bindingRatios.mint.push(r.mint! / r.rawSealBinding!);
  bindingRatios.verifyBytes.push(r.verifyBytes! / r.rawSealBinding!);
  bindingRatios.verifyBase64.push(r.verifyBase64! / r.rawSealBinding!);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(10);
const pct = (n: number) => `${(n * 100).toFixed(0)}%`;
console.log(
  `connect-token bench: node ${process.version}, one thread, ${ROUNDS} rounds x ${ROUND_MS} ms CPU per case, medians of per-CPU-second rates`,
);
console.log(`raw sodium seal (1008 B)   ${fmt(median(samples.rawSeal!))} /s`);
console.log(
  `raw sodium seal, binding   ${fmt(median(samples.rawSealBinding!))} /s   (${aead.path}; what the codec calls)`,
);
console.log(`raw sodium open (1008 B)   ${fmt(median(samples.rawOpen!))} /s`);
console.log(
  `mintConnectToken + base64  ${fmt(median(samples.mint!))} /s   ${pct(median(ratios.mint))} of raw seal, ${pct(median(bindingRatios.mint))} of binding seal`,
);
console.log(
  `verifyConnectToken (bytes) ${fmt(median(samples.verifyBytes!))} /s   ${pct(median(ratios.verifyBytes))} of raw seal, ${pct(median(bindingRatios.verifyBytes))} of binding seal`,
);
console.log(
  `verifyConnectToken (base64)${fmt(median(samples.verifyBase64!))} /s   ${pct(median(ratios.verifyBase64))} of raw seal, ${pct(median(bindingRatios.verifyBase64))} of binding seal`,
);
