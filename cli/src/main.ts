/**
 * Process entry of the `playgap` CLI (bin/playgap.js): run, set the exit code, and treat a
 * closed stdout as the reader being done.
 */
import { runCli } from './cli.js';

// `playgap keygen | head -1`: once the reader has gone, nothing is left to print for; end
// quietly with 0 like other Unix tools instead of an unhandled EPIPE stack.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});
process.stderr.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
});
