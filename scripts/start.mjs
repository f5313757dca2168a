#!/usr/bin/env node
// `npm start`: build what is needed and run the whole playgap system on this machine —
// nats-server, edgegap-local with the arena app, the matchmaker serving the arena — then print
// the URL. Ctrl-C stops everything it started.
//
//   npm start                          # http://127.0.0.1:8080/
//   npm start -- --port 0 --idle-timeout-ms 10000 --port-mode mapped --no-build
//
// Env: PLAYGAP_PORT, PLAYGAP_IDLE_TIMEOUT_MS, PLAYGAP_PORT_MODE. With EDGEGAP_API_KEY and
// NATS_URL set it targets real Edgegap instead (see docs/quick-start.md).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, STACK_DEFAULTS, startStack } from './lib/stack.mjs';
import { terminalLogger } from './lib/terminal.mjs';

function fail(message) {
  console.error(`playgap: ${message}`);
  process.exit(2);
}

function intOption(name, raw, fallback, min, max) {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    fail(`${name} must be an integer ${min}-${max}`);
  return value;
}

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'idle-timeout-ms': { type: 'string' },
    'port-mode': { type: 'string' },
    capacity: { type: 'string' },
    'token-expire-seconds': { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(`Usage: npm start -- [--port 8080] [--host 127.0.0.1] [--idle-timeout-ms 30000]
  [--port-mode same|mapped] [--capacity 16] [--token-expire-seconds 30] [--no-build]`);
  process.exit(0);
}
const env = process.env;
const portMode = values['port-mode'] ?? env.PLAYGAP_PORT_MODE ?? STACK_DEFAULTS.portMode;
if (portMode !== 'same' && portMode !== 'mapped') fail('--port-mode must be same or mapped');
const options = {
  host: values.host ?? STACK_DEFAULTS.host,
  port: intOption('--port', values.port ?? env.PLAYGAP_PORT, STACK_DEFAULTS.port, 0, 65535),
  idleTimeoutMs: intOption(
    '--idle-timeout-ms',
    values['idle-timeout-ms'] ?? env.PLAYGAP_IDLE_TIMEOUT_MS,
    STACK_DEFAULTS.idleTimeoutMs,
    0,
    86_400_000,
  ),
  capacity: intOption('--capacity', values.capacity, STACK_DEFAULTS.capacity, 1, 1024),
  tokenExpireSeconds: intOption(
    '--token-expire-seconds',
    values['token-expire-seconds'],
    STACK_DEFAULTS.tokenExpireSeconds,
    5,
    3600,
  ),
  portMode,
};

function run(what, command, args) {
  console.log(`playgap: ${what}…`);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) fail(`${what} failed (${command} ${args.join(' ')})`);
}

run('checking system packages', 'bash', [join(ROOT, 'scripts/install-system-deps.sh')]);
if (!values['no-build']) {
  run('building the packages', process.execPath, [
    join(ROOT, 'node_modules/typescript/bin/tsc'),
    '-b',
  ]);
  run('building the arena client', process.execPath, [
    join(ROOT, 'node_modules/vite/bin/vite.js'),
    'build',
    join(ROOT, 'client-template'),
    '--logLevel',
    'warn',
  ]);
}

let stack;
let stopping = false;
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  console.log(
    `\nplaygap: ${signal}: stopping game servers, matchmaker, edgegap-local, nats-server…`,
  );
  await stack?.close();
  console.log('playgap: stopped.');
  process.exit(0);
}
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
process.once('SIGHUP', () => void stop('SIGHUP'));

try {
  // Placements, deployments, Edgegap errors, joins and every local server's output (unless
  // PLAYGAP_SERVER_LOGS=0), one readable line each; PLAYGAP_LOG_LEVEL=debug for more.
  const logger = await terminalLogger({ level: env.PLAYGAP_LOG_LEVEL });
  stack = await startStack({ ...options, logger, serverLogs: env.PLAYGAP_SERVER_LOGS !== '0' });
} catch (error) {
  fail(`could not start: ${error.message}`);
}
console.log(`
  playgap is running: open ${stack.url} in two tabs and click Connect.
  Game servers start on the first Connect and stop ${Math.round(options.idleTimeoutMs / 1000)} s after the last player leaves.
  Ctrl-C stops everything.
`);
// One machine-readable line for scripts and tests.
console.log(
  `PLAYGAP_READY ${JSON.stringify({ url: stack.url, natsUrl: stack.natsUrl, edgegapUrl: stack.edgegapUrl })}`,
);
