/** Process entry of the `playgap` CLI (bin/playgap.js): run, set the exit code, nothing else. */
import { runCli } from './cli.js';

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
});
