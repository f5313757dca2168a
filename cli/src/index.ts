/**
 * @playgap/cli — the `playgap` command line for what a studio does by hand: check the Edgegap
 * key, create/update app versions from a config file, list/inspect/stop deployments, list live
 * servers, players and reservations from NATS, generate keys. Runnable in-process for tests.
 *
 * @example
 * import { runCli } from '@playgap/cli';
 * const code = await runCli(['keygen', '--json'], { stdout: process.stdout, stderr: process.stderr });
 */
export { type CliEnvironment, COMMANDS, runCli } from './cli.js';
export type { Command, EdgegapApi } from './command.js';
export {
  caArguments,
  DEFAULT_SERVER_COMMAND,
  EDGEGAP_ARGUMENTS_MAX_BYTES,
  shellQuote,
  splitArguments,
} from './container-arguments.js';
export { CliError, ExitCode } from './errors.js';
export {
  loadVersionConfig,
  type NatsCaAs,
  redactPlan,
  type VersionOverrides,
  type VersionPlan,
} from './version-config.js';
