/**
 * What every `playgap` command is: a name, a one-line summary, its help text, its flags (node's
 * parseArgs config) and a `run` that gets the parsed flags and a context with everything outside
 * (env, output, Edgegap client, clock) so tests can run commands in-process.
 */
import type { ParseArgsConfig } from 'node:util';
import type { EdgegapClient } from '@playgap/edgegap';
import type { Output } from './output.js';

/**
 * The Edgegap calls the CLI makes (EdgegapClient has them all).
 *
 * @example
 * const api: EdgegapApi = new EdgegapClient({ apiUrl: local.url, apiKey: local.apiKey });
 */
export type EdgegapApi = Pick<
  EdgegapClient,
  | 'apiUrl'
  | 'getApp'
  | 'getVersion'
  | 'createVersion'
  | 'patchVersion'
  | 'listDeployments'
  | 'getStatus'
  | 'stopDeployment'
>;

/** Everything a command may touch outside itself. */
export interface CommandContext {
  out: Output;
  env: NodeJS.ProcessEnv;
  /** Base dir of relative paths (config files). */
  cwd: string;
  /** Unix ms. */
  now: () => number;
  /** The Edgegap client, built on first use from EDGEGAP_API_URL / EDGEGAP_API_KEY. */
  edgegap: () => EdgegapApi;
}

export type Flags = Record<string, string | boolean | (string | boolean)[] | undefined>;

/**
 * One command of the CLI.
 *
 * @example
 * const hello: Command = { name: 'hello', summary: 'say hi', help: 'Usage: playgap hello', options: {},
 *   async run({ out }) { out.stdout.write('hi\n'); } };
 */
export interface Command {
  /** `check-key`, or `version create` for a subcommand. */
  name: string;
  summary: string;
  /** Full `--help` text (usage, flags, env, example). */
  help: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Positional arguments taken, by name (e.g. `['request-id']`). */
  positionals?: string[];
  run(context: CommandContext, flags: Flags, positionals: string[]): Promise<void>;
}
