/**
 * `playgap-matchmaker` entry point: load and validate the config, create the one logger (JSON
 * lines on stdout at PLAYGAP_LOG_LEVEL), start, log the config with secrets redacted, stop
 * cleanly on SIGINT/SIGTERM, reload the matchmaking config on SIGHUP. A bad setting — a flag, or an Edgegap key Edgegap refuses — is
 * one line on stderr and exit code 2.
 */
import { describeConfig, loadConfig, MATCHMAKER_USAGE, wantsHelp } from './config.js';
import { ConfigError } from './errors.js';
import { createLogger } from './log.js';
import { startMatchmaker } from './matchmaker.js';

function refuse(error: ConfigError, pointAtHelp = false): never {
  const hint = pointAtHelp ? '\nRun `playgap-matchmaker --help` for its flags and variables.' : '';
  process.stderr.write(`playgap-matchmaker: ${error.message}${hint}\n`);
  process.exit(2);
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
    if (error instanceof ConfigError) refuse(error, true);
    throw error;
  }
  const log = createLogger({ level: config.logLevel });
  // Signals are taken from the start: a stop while it still waits for NATS ends the wait.
  const starting = new AbortController();
  let mm: Awaited<ReturnType<typeof startMatchmaker>> | undefined;
  const stop = async (signal: string) => {
    log.info({ event: 'stopping', signal }, 'stopping');
    starting.abort();
    await mm?.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  // SIGHUP reads the matchmaking config file again (a bad one is logged, the old one stays).
  process.on('SIGHUP', () => mm?.reloadMatchmaking());
  try {
    mm = await startMatchmaker(
      config,
      { logger: log },
      { listen: config.runFront, signal: starting.signal },
    );
  } catch (error) {
    if (starting.signal.aborted) return; // stop() exits
    if (error instanceof ConfigError) {
      log.fatal({ event: 'refused_to_start', variable: error.variable }, error.message);
      refuse(error);
    }
    throw error;
  }
  log.info({ event: 'started', url: mm.url, config: describeConfig(config) }, 'started');
}

main().catch((error: unknown) => {
  process.stderr.write(`playgap-matchmaker: ${(error as Error).message}\n`);
  process.exit(1);
});
