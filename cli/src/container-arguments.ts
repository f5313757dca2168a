/**
 * The Edgegap app version's `arguments`: one string that replaces the image's CMD (the
 * ENTRYPOINT stays). Edgegap splits it into words like a POSIX shell does (edgegap-local runs
 * `command arguments` through /bin/sh), so every word here is single-quoted, and the string is
 * kept on one line: a PEM's newlines travel as the two characters `\n`, which the sidecar turns
 * back into newlines (`--ca-contents`). This is Bevygap's `set-caroot-argument.sh`, done by the
 * CLI.
 */
import { ArgumentsSyntaxError, splitArguments as splitEdgegapArguments } from '@playgap/edgegap';
import { ErrorCode } from '@playgap/protocol';
import { CliError, ExitCode, usageError } from './errors.js';

/**
 * Cap on the whole `arguments` string (bytes). Edgegap documents none; this keeps the version
 * body small and a P-256 or RSA-4096 CA (~0.6-2 KB) fits with room to spare.
 */
export const EDGEGAP_ARGUMENTS_MAX_BYTES = 8192;

/** The game server the game-server image's CMD runs after `run --` (docker/gameserver.Dockerfile). */
export const DEFAULT_SERVER_COMMAND: readonly string[] = [
  'node',
  '/app/server-template/dist/main.js',
];

/**
 * Quote one word for a POSIX shell: `'...'`, with a single quote written as `'\''`.
 *
 * @example
 * shellQuote("it's"); // => 'it'\''s'
 */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The `arguments` string that gives the sidecar the NATS CA and still runs the game server:
 * `'--ca-contents=<pem, newlines as \n>' 'run' '--' '<server>' '<args>'...`.
 * The image's ENTRYPOINT must be the sidecar alone (no `run --`), as in docker/gameserver.Dockerfile.
 * Throws PAYLOAD_TOO_LARGE (exit 2) past {@link EDGEGAP_ARGUMENTS_MAX_BYTES}.
 *
 * @example
 * const args = caArguments(pem, ['node', '/app/server-template/dist/main.js']);
 */
export function caArguments(pem: string, serverCommand: readonly string[]): string {
  const oneLine = pem.trim().replace(/\r?\n/g, '\\n');
  if (/[\r\n\0]/.test(oneLine) || oneLine.includes("'")) {
    throw usageError('The NATS CA must be a plain PEM certificate (no quotes or NUL bytes).');
  }
  if (serverCommand.length === 0 || serverCommand.some((w) => w === '' || w.includes('\0'))) {
    throw usageError('serverCommand must be a non-empty list of non-empty strings.');
  }
  // One word `--ca-contents=<pem>`: as two words, a value starting with `-----` reads as a flag.
  const words = [`--ca-contents=${oneLine}`, 'run', '--', ...serverCommand];
  const text = words.map(shellQuote).join(' ');
  const bytes = Buffer.byteLength(text);
  if (bytes > EDGEGAP_ARGUMENTS_MAX_BYTES) {
    throw new CliError(
      ErrorCode.PAYLOAD_TOO_LARGE,
      `The version's arguments would be ${bytes} bytes, over the ${EDGEGAP_ARGUMENTS_MAX_BYTES}-byte cap: use a smaller CA (one certificate, not a bundle) or --nats-ca-as env.`,
      ExitCode.USAGE,
    );
  }
  return text;
}

/**
 * Split an `arguments` string into words as Edgegap does (edgegap's splitter); a string it
 * cannot split is a usage error (exit 2).
 *
 * @example
 * splitArguments(`'--ca-contents' 'a b' run`); // => ['--ca-contents', 'a b', 'run']
 */
export function splitArguments(text: string): string[] {
  try {
    return splitEdgegapArguments(text);
  } catch (error) {
    if (error instanceof ArgumentsSyntaxError) throw usageError(error.message);
    throw error;
  }
}
