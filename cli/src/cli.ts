/**
 * The `playgap` command line: finds the command, parses its flags, runs it, and turns every
 * failure into a coded message and an exit code. Runs in-process (tests call `runCli`).
 */
import { parseArgs } from 'node:util';
import { EdgegapClient } from '@playgap/edgegap';
import { ErrorCode, PlaygapError } from '@playgap/protocol';
import type { Command, CommandContext, EdgegapApi } from './command.js';
import { checkKey } from './commands/check-key.js';
import { deploymentsInspect, deploymentsList, deploymentsStop } from './commands/deployments.js';
import { keygen } from './commands/keygen.js';
import { players, reservations, servers } from './commands/live.js';
import { versionCreate, versionUpdate } from './commands/version.js';
import { CliError, ExitCode, usageError } from './errors.js';
import { emit, line, type Output } from './output.js';

/**
 * Every command, in the order `playgap --help` lists them.
 *
 * @example
 * COMMANDS.map((c) => c.name); // ['check-key', 'version create', ...]
 */
export const COMMANDS: readonly Command[] = [
  checkKey,
  versionCreate,
  versionUpdate,
  deploymentsList,
  deploymentsInspect,
  deploymentsStop,
  servers,
  players,
  reservations,
  keygen,
];

/**
 * What runCli needs from the outside; every field but the streams has a process default.
 *
 * @example
 * const io: CliEnvironment = { stdout: process.stdout, stderr: process.stderr, env: { PLAYGAP_APP: 'arena' } };
 */
export interface CliEnvironment {
  stdout: Output['stdout'];
  stderr: Output['stderr'];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  now?: () => number;
  /** Edgegap client factory (default: EdgegapClient.fromEnv(env)). */
  edgegap?: (env: NodeJS.ProcessEnv) => EdgegapApi;
}

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: playgap <command> [flags] [--json] [--help]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Every command takes --help and --json. Exit codes: 0 ok, 1 failed, 2 usage error.',
    'Guides: docs/deploy-edgegap.md, docs/configuration.md.',
  ].join('\n');
}

function findCommand(argv: string[]): { command?: Command; rest: string[]; group?: string } {
  const [first, second] = argv;
  const two = COMMANDS.find((c) => c.name === `${first} ${second}`);
  if (two) return { command: two, rest: argv.slice(2) };
  const one = COMMANDS.find((c) => c.name === first);
  if (one) return { command: one, rest: argv.slice(1) };
  const group = COMMANDS.some((c) => c.name.startsWith(`${first} `)) ? first : undefined;
  return { rest: argv.slice(1), ...(group ? { group } : {}) };
}

/**
 * Run `playgap` with `argv` (without node and script) and resolve to the exit code.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
 */
export async function runCli(argv: string[], environment: CliEnvironment): Promise<number> {
  const env = environment.env ?? process.env;
  const json = argv.includes('--json');
  const out: Output = { json, stdout: environment.stdout, stderr: environment.stderr };
  const wantsHelp = argv.includes('--help') || argv.includes('-h');
  const { command, rest, group } = findCommand(argv.filter((a) => a !== '--json'));
  try {
    if (!command) {
      if (wantsHelp || argv.length === 0 || group) {
        const text = group
          ? COMMANDS.filter((c) => c.name.startsWith(`${group} `))
              .map((c) => `playgap ${c.name}: ${c.summary}`)
              .join('\n')
          : topHelp();
        line(out, text);
        return argv.length === 0 || (group && !wantsHelp) ? ExitCode.USAGE : ExitCode.OK;
      }
      throw usageError(`Unknown command "${argv[0]}". Run \`playgap --help\`.`);
    }
    if (wantsHelp) {
      line(out, command.help);
      return ExitCode.OK;
    }
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({
        args: rest,
        options: command.options,
        allowPositionals: true,
        strict: true,
      });
    } catch (error) {
      throw usageError(`${flagProblem(error)}. Run \`playgap ${command.name} --help\`.`, {
        cause: error,
      });
    }
    const allowed = command.positionals?.length ?? 0;
    if (parsed.positionals.length > allowed) {
      throw usageError(
        `Unexpected argument "${parsed.positionals[allowed]}". Run \`playgap ${command.name} --help\`.`,
      );
    }
    let client: EdgegapApi | undefined;
    const context: CommandContext = {
      out,
      env,
      cwd: environment.cwd ?? process.cwd(),
      now: environment.now ?? Date.now,
      edgegap: () => {
        if (!client) {
          if (!env.EDGEGAP_API_KEY) {
            throw usageError(
              'EDGEGAP_API_KEY is not set (Edgegap dashboard: User settings > Tokens).',
            );
          }
          client = (environment.edgegap ?? ((e) => EdgegapClient.fromEnv(e)))(env);
        }
        return client;
      },
    };
    await command.run(context, parsed.values, parsed.positionals);
    return ExitCode.OK;
  } catch (error) {
    return report(out, error);
  }
}

/** node's parseArgs error in a few words naming the flag, e.g. `Unknown flag --bogus`. */
function flagProblem(error: unknown): string {
  const message = (error as Error).message;
  const flag = /'(-[^' ]*)/.exec(message)?.[1] ?? 'a flag';
  switch ((error as { code?: string }).code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `Unknown flag ${flag}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /does not take an argument/.test(message)
        ? `${flag} takes no value`
        : `${flag} needs a value`;
    default:
      return message.replace(/\.$/, '');
  }
}

function report(out: Output, error: unknown): number {
  const failure =
    error instanceof CliError
      ? error
      : error instanceof PlaygapError
        ? new CliError(error.code, error.message, ExitCode.FAILED, { cause: error })
        : new CliError(
            ErrorCode.INTERNAL,
            error instanceof Error ? error.message : String(error),
            ExitCode.FAILED,
            { cause: error },
          );
  emit(out, { error: failure.toJSON() }, () => {});
  if (!out.json) out.stderr.write(`error ${failure.code}: ${failure.message}\n`);
  return failure.exitCode;
}
