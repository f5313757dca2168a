#!/usr/bin/env node
// The release's smoke test: deploy EDGEGAP_APP/RELEASE_TAG once, wait for READY, make sure it
// is still running a few seconds later (a server that crashes on start fails here, with its
// logs), then stop it and wait until it is gone. Exit 0 only if all of that held.
//
//   EDGEGAP_APP=arena RELEASE_TAG=v1.2.0 EDGEGAP_API_KEY=... node scripts/release/smoke.mjs
//
// SMOKE_READY_TIMEOUT_SECONDS (default 180), SMOKE_STAY_UP_SECONDS (default 5), SMOKE_PLAYER_IP
// (default 1.1.1.1: Edgegap places the deployment near this address).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { EdgegapClient } = await import(join(ROOT, 'edgegap/dist/index.js'));

const env = process.env;
const fail = (message) => {
  console.error(`smoke: ${message}`);
  process.exit(1);
};
for (const name of ['EDGEGAP_APP', 'RELEASE_TAG', 'EDGEGAP_API_KEY']) {
  if (!env[name]) fail(`${name} is required`);
}
const seconds = (name, fallback) => {
  const value = Number(env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0) fail(`${name} must be a number of seconds >= 0`);
  return value;
};
const readyTimeout = seconds('SMOKE_READY_TIMEOUT_SECONDS', 180);
const stayUp = seconds('SMOKE_STAY_UP_SECONDS', 5);
const edgegap = new EdgegapClient({
  apiUrl: env.EDGEGAP_API_URL ?? 'https://api.edgegap.com',
  apiKey: env.EDGEGAP_API_KEY,
});
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const started = Date.now();
const { requestId } = await edgegap.deploy({
  application: env.EDGEGAP_APP,
  version: env.RELEASE_TAG,
  users: [{ ipAddress: env.SMOKE_PLAYER_IP ?? '1.1.1.1' }],
  tags: ['smoke-test'],
});
console.log(`smoke: deployment ${requestId} requested`);

async function crashed(what) {
  const logs = await edgegap.getLogs(requestId).catch(() => ({ logs: '(no logs)' }));
  await edgegap.stopDeployment(requestId).catch(() => undefined);
  fail(`${what}\n--- container logs ---\n${logs.crashLogs ?? logs.logs}`);
}

for (;;) {
  const status = await edgegap.getStatus(requestId);
  if (status.ready) break;
  if (status.error || /TERMINATED|ERROR/.test(status.status)) {
    await crashed(
      `deployment ${requestId} ended ${status.status} before READY ${status.errorDetail ?? ''}`,
    );
  }
  if (Date.now() - started > readyTimeout * 1000) {
    await crashed(`deployment ${requestId} not READY within ${readyTimeout} s (${status.status})`);
  }
  await sleep(1000);
}
console.log(`smoke: READY after ${((Date.now() - started) / 1000).toFixed(1)} s`);
await sleep(stayUp * 1000);
const later = await edgegap.getStatus(requestId);
if (!later.ready) await crashed(`deployment ${requestId} did not stay up: ${later.status}`);
await edgegap.stopDeployment(requestId);
for (let i = 0; ; i++) {
  const status = await edgegap.getStatus(requestId).catch(() => undefined);
  if (!status || /TERMINATED/.test(status.status)) break;
  if (i > 120) fail(`deployment ${requestId} did not stop within 2 min`);
  await sleep(1000);
}
console.log(`smoke: ${requestId} stopped; the release works`);
