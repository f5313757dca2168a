/**
 * Errors of the `playgap` CLI. Each carries a stable `code` (protocol's ErrorCode) printed with
 * the message, and the process exit code it maps to.
 */
import { ErrorCode, PlaygapError } from '@playgap/protocol';

/**
 * Exit codes of every command: scripts and the release workflow switch on them.
 *
 * @example
 * if ((await runCli(argv, io)) === ExitCode.USAGE) printHelp();
 */
export const ExitCode = {
  OK: 0,
  /** The operation failed (Edgegap refused, NATS unreachable, not found...). */
  FAILED: 1,
  /** Bad usage: unknown command or flag, missing argument, invalid config file. */
  USAGE: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * A failure the CLI reports as `error <CODE>: <message>` (or `{"error":{code,message}}` with
 * `--json`) before exiting with `exitCode`.
 *
 * @example
 * throw new CliError(ErrorCode.BAD_REQUEST, 'Missing --config <file>.', ExitCode.USAGE);
 */
export class CliError extends PlaygapError {
  readonly exitCode: ExitCode;
  constructor(code: ErrorCode, message: string, exitCode: ExitCode, options?: ErrorOptions) {
    super(code, message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/**
 * A usage error (exit 2, BAD_REQUEST).
 *
 * @example
 * throw usageError('Unknown command "deploy". Run `playgap --help`.');
 */
export function usageError(message: string, options?: ErrorOptions): CliError {
  return new CliError(ErrorCode.BAD_REQUEST, message, ExitCode.USAGE, options);
}
