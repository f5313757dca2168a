#!/usr/bin/env node
// `npm start`: build what is needed and run the whole playgap system on this machine —
// nats-server, edgegap-local with the arena app, the matchmaker serving the arena — then print
// the URL. Ctrl-C stops everything it started.
//
//   npm start                          # http://127.0.0.1:8080/
//   npm start -- --port 0 --idle-timeout-ms 10000 --port-mode mapped --no-build
//   npm start -- --runtime docker       # game servers as containers (npm run images, engine.mjs)
//   npm start -- --help
//
// Order: the whole configuration is checked first (scripts/lib/start-config.mjs), then a bare
// clone is bootstrapped (scripts/bootstrap.mjs: npm ci, nats-server), then it builds and runs.
// With EDGEGAP_API_KEY and NATS_URL set it targets real Edgegap instead (docs/quick-start.md).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BootstrapError, ensureDependencies, ensureSystemPackages } from './bootstrap.mjs';
import { buildClient } from './lib/client-build.mjs';
import { ROOT, startStack } from './lib/stack.mjs';
import { START_USAGE, StartConfigError, startConfig, unbuiltPath } from './lib/start-config.mjs';
import { terminalLogger } from './lib/terminal.mjs';

function fail(message, code = 1) {
  console.error(`playgap: ${message}`);
  process.exit(code);
}

let config;
try {
  config = startConfig(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof StartConfigError)) throw error;
  fail(error.message, 2);
}
if (config.help) {
  console.log(START_USAGE);
  process.exit(0);
}
const options = config.stack;

if (!config.build) {
  const missing = unbuiltPath(ROOT);
  if (missing)
    fail(`--no-build: ${missing} is not built yet; run npm start without --no-build.`, 2);
}

function run(what, command, args, env = process.env) {
  console.log(`playgap: ${what}…`);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env });
  if (result.status !== 0) fail(`${what} failed (${command} ${args.join(' ')})`);
}

try {
  ensureDependencies(ROOT, { log: (line) => console.log(`playgap: ${line}`) });
  ensureSystemPackages(config.systemPackages);
} catch (error) {
  if (!(error instanceof BootstrapError)) throw error;
  fail(error.message);
}
if (config.build) {
  run('building the packages', process.execPath, [
    join(ROOT, 'node_modules/typescript/bin/tsc'),
    '-b',
  ]);
  // The page asks for the app and version it was built for.
  console.log('playgap: building the arena client…');
  const client = buildClient(ROOT, {
    VITE_PLAYGAP_GAME: options.app,
    VITE_PLAYGAP_VERSION: options.version,
  });
  if (client.status !== 0) fail('building the arena client failed (vite build client-template)');
}

if (options.runtime === 'docker') {
  // Game servers run as containers: an engine (a private dockerd as root) and the image.
  const { EngineUnavailableError, findEngine } = await import('./images/engine.mjs');
  try {
    const engine = findEngine();
    if (engine.dockerHost) process.env.DOCKER_HOST = engine.dockerHost;
  } catch (error) {
    if (!(error instanceof EngineUnavailableError)) throw error;
    fail(`--runtime docker: ${error.message}`);
  }
  if (config.build) {
    run('building the game-server image', process.execPath, [
      join(ROOT, 'scripts/images/build.mjs'),
      'gameserver',
    ]);
  } else {
    const image = 'playgap/gameserver:local';
    const found = spawnSync('docker', ['image', 'inspect', image], { stdio: 'ignore' });
    if (found.status !== 0)
      fail(`--no-build --runtime docker: ${image} is missing; run npm run images.`, 2);
  }
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
  const logger = await terminalLogger({ level: process.env.PLAYGAP_LOG_LEVEL });
  stack = await startStack({
    ...options,
    logger,
    serverLogs: process.env.PLAYGAP_SERVER_LOGS !== '0',
  });
} catch (error) {
  fail(`could not start: ${error.message}`);
}
console.log(`
  playgap is running: open ${stack.url}${options.locations ? '?latency=1' : ''} in two tabs and click Connect.${
    stack.dashboardUrl
      ? `\n  Dashboard: ${stack.dashboardUrl}${stack.dashboardToken ? '?token=<your PLAYGAP_DASHBOARD_TOKEN>' : ''}`
      : ''
  }
  ${modesLine()}
  Game servers start on the first Connect and stop ${Math.round(options.idleTimeoutMs / 1000)} s after the last player leaves.
  Ctrl-C stops everything.
`);
/** Which modes the page's picker offers, and from which file (the matchmaker has checked it). */
function modesLine() {
  const file =
    process.env.PLAYGAP_MATCHMAKING_CONFIG ?? join(ROOT, 'client-template/matchmaking.json');
  try {
    const modes = Object.keys(JSON.parse(readFileSync(file, 'utf8')).modes ?? {});
    return `Modes: ${modes.join(', ')} (${relative(ROOT, file)}); "Create party" on the page queues friends together.`;
  } catch {
    return `Modes: from ${file}.`;
  }
}

// One machine-readable line for scripts and tests.
console.log(
  `PLAYGAP_READY ${JSON.stringify({ url: stack.url, natsUrl: stack.natsUrl, edgegapUrl: stack.edgegapUrl, ...(stack.dashboardUrl ? { dashboardUrl: stack.dashboardUrl } : {}) })}`,
);
