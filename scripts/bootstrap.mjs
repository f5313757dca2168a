#!/usr/bin/env node
// First contact on a bare clone: before anything needs node_modules, install the locked
// dependencies (`npm ci`) when they are missing or older than package-lock.json, and the system
// packages the command needs (scripts/install-system-deps.sh), each announced in one line before
// it happens. Dependency-free on purpose: it runs before node_modules exists.
//
//   node scripts/bootstrap.mjs                         # node_modules only
//   node scripts/bootstrap.mjs nats-server chromium    # and these Debian packages
//
// `npm test` and `npm start` (scripts/start.mjs) run it first.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The system packages a command may need; install-system-deps.sh knows each. */
export const SYSTEM_PACKAGES = Object.freeze(['nats-server', 'chromium']);

/**
 * Whether node_modules matches package-lock.json, from two modification times (ms, undefined
 * when the file is absent): npm writes node_modules/.package-lock.json on every install, so an
 * install older than the lockfile predates its last change.
 *
 * @example
 * dependencyState({ installedAtMs: undefined, lockedAtMs: 5 }); // 'missing'
 * dependencyState({ installedAtMs: 4, lockedAtMs: 5 }); // 'stale'
 */
export function dependencyState({ installedAtMs, lockedAtMs }) {
  if (installedAtMs === undefined) return 'missing';
  if (lockedAtMs !== undefined && installedAtMs < lockedAtMs) return 'stale';
  return 'fresh';
}

function modifiedAtMs(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/** The state of `root`'s node_modules (see dependencyState). */
export function dependencyStateOf(root) {
  return dependencyState({
    installedAtMs: modifiedAtMs(join(root, 'node_modules', '.package-lock.json')),
    lockedAtMs: modifiedAtMs(join(root, 'package-lock.json')),
  });
}

const REASONS = {
  missing: 'node_modules is missing',
  stale: 'node_modules is older than package-lock.json',
};

/** `npm ci` through the npm that runs this script when there is one (`npm start`, `npm test`). */
function npmCi(root) {
  const npmCli = process.env.npm_execpath;
  const [command, args] =
    npmCli && /\.[cm]?js$/.test(npmCli) ? [process.execPath, [npmCli]] : ['npm', []];
  return spawnSync(command, [...args, 'ci', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: 'inherit',
  });
}

/** A step of the bootstrap failed; the message says what to do. */
export class BootstrapError extends Error {
  constructor(message) {
    super(message);
    this.name = 'BootstrapError';
  }
}

/**
 * Install `root`'s locked dependencies unless they are fresh; says why in one line first.
 *
 * @example
 * ensureDependencies(ROOT, { log: (line) => console.log(`playgap: ${line}`) });
 */
export function ensureDependencies(root = ROOT, { log = console.log } = {}) {
  const state = dependencyStateOf(root);
  if (state === 'fresh') return state;
  log(`${REASONS[state]}: installing the locked dependencies (npm ci)…`);
  const result = npmCi(root);
  if (result.error || result.status !== 0) {
    throw new BootstrapError(
      `npm ci failed (${result.error?.message ?? `exit ${result.status}`}); fix what it printed above and run it again.`,
    );
  }
  if (dependencyStateOf(root) === 'missing')
    throw new BootstrapError('npm ci finished but left no node_modules/.package-lock.json.');
  return state;
}

/**
 * Make sure the given system packages are there (scripts/install-system-deps.sh installs them
 * with apt-get as root on Debian, announcing it first, or says what to install).
 *
 * @example
 * ensureSystemPackages(['nats-server']);
 */
export function ensureSystemPackages(packages, root = ROOT) {
  if (packages.length === 0) return;
  const result = spawnSync('bash', [join(root, 'scripts/install-system-deps.sh'), ...packages], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.error || result.status !== 0)
    throw new BootstrapError(`the system packages ${packages.join(', ')} are not installed.`);
}

function main(argv) {
  const unknown = argv.filter((name) => !SYSTEM_PACKAGES.includes(name));
  if (unknown.length > 0) {
    console.error(
      `playgap bootstrap: unknown system package ${unknown[0]} (known: ${SYSTEM_PACKAGES.join(', ')}).`,
    );
    return 2;
  }
  try {
    ensureDependencies(ROOT, { log: (line) => console.log(`playgap: ${line}`) });
    ensureSystemPackages(argv);
    return 0;
  } catch (error) {
    if (!(error instanceof BootstrapError)) throw error;
    console.error(`playgap: ${error.message}`);
    return 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  process.exitCode = main(process.argv.slice(2));
