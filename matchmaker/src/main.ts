/**
 * `playgap-matchmaker` entry point: load and validate the config, start, log the config with
 * secrets redacted, stop cleanly on SIGINT/SIGTERM.
 */
import { describeConfig, loadConfig, MATCHMAKER_USAGE, wantsHelp } from './config.js';
import { ConfigError } from './errors.js';
import { startMatchmaker } from './matchmaker.js';

function log(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (wantsHelp(argv)) {
    process.stdout.write(`${MATCHMAKER_USAGE}\n`);
    return;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(argv, process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(
        `playgap-matchmaker: ${error.message}\nRun \`playgap-matchmaker --help\` for its flags and variables.\n`,
      );
      process.exit(2);
    }
    throw error;
  }
  // Signals are taken from the start: a stop while it still waits for NATS ends the wait.
  const starting = new AbortController();
  let mm: Awaited<ReturnType<typeof startMatchmaker>> | undefined;
  const stop = async (signal: string) => {
    log({ event: 'stopping', signal });
    starting.abort();
    await mm?.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  try {
    mm = await startMatchmaker(
      config,
      { log },
      { listen: config.runFront, signal: starting.signal },
    );
  } catch (error) {
    if (starting.signal.aborted) return; // stop() exits
    throw error;
  }
  log({ event: 'started', url: mm.url, config: describeConfig(config) });
}

main().catch((error: unknown) => {
  process.stderr.write(`playgap-matchmaker: ${(error as Error).message}\n`);
  process.exit(1);
});
