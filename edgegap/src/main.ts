/**
 * `edgegap-local` CLI: parse flags, start the server, print its URL, and on SIGINT/SIGTERM
 * stop every deployment before exiting.
 *
 *   edgegap-local [--config <file.json>] [--port N] [--host H] [--port-mode same|mapped] [--api-key K]
 *                 [--locations demo|<json>|<file.json>]
 *
 * The key may also come from EDGEGAP_LOCAL_API_KEY (then it is never printed).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { EdgegapConfigError } from './errors.js';
import type { EdgegapLocalOptions } from './local/config.js';
import { startEdgegapLocal } from './local/start.js';

/**
 * `edgegap-local --help`.
 *
 * @example
 * console.log(USAGE);
 */
export const USAGE = `Usage: edgegap-local [--config FILE] [--port N] [--host H] [--port-mode same|mapped]
                     [--public-ip IP] [--api-key KEY] [--locations demo|JSON|FILE]

A local Edgegap API on 127.0.0.1: each deployment of an app version in FILE runs as a process.

Flags:
  --config FILE            JSON {"apps": [...], "faults"?: [...]} (docs/edgegap.md)
  --port N                 listen port, 0 = a free one (0)
  --host H                 listen address (127.0.0.1)
  --port-mode same|mapped  mapped: external ports differ from internal ones, as on Edgegap (same)
  --public-ip IP           the public_ip deployments report (127.0.0.1)
  --api-key KEY            key clients must send [EDGEGAP_LOCAL_API_KEY] (local-dev-key)
  --locations L            regions with ping endpoints: demo (Montreal, Frankfurt, Tokyo), a JSON
                           list or a JSON file [EDGEGAP_LOCAL_LOCATIONS] (none: one "Localhost")
  -h, --help               this text`;

const HELP_HINT = 'Run `edgegap-local --help`.';

/**
 * Whether argv asks for help (`--help` or `-h`), answered before any validation.
 *
 * @example
 * wantsHelp(['--port', 'x', '-h']); // true
 */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

function usageError(problem: string): EdgegapConfigError {
  return new EdgegapConfigError(`edgegap-local: ${problem}. ${HELP_HINT}`);
}

function parseFlags(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'port-mode': { type: 'string' },
        'api-key': { type: 'string' },
        'public-ip': { type: 'string' },
        locations: { type: 'string' },
      },
      strict: true,
    });
  } catch (error) {
    const message = (error as Error).message;
    const flag = /'(-[^' ]*)/.exec(message)?.[1] ?? 'a flag';
    if ((error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
      throw usageError(`unknown flag ${flag}`);
    if ((error as { code?: string }).code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
      throw usageError(`unexpected argument ${/'([^']*)'/.exec(message)?.[1] ?? ''}`.trim());
    throw usageError(`${flag} needs a value`);
  }
}

/**
 * Parse CLI flags into options; throws EdgegapConfigError with a one-line usage message.
 *
 * @example
 * parseCliArgs(['--config', 'apps.json', '--port', '0'], process.env).port; // 0
 */
export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv): EdgegapLocalOptions {
  const { values } = parseFlags(argv);
  const options: EdgegapLocalOptions = {};
  if (values.config) options.configFile = values.config;
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535)
      throw usageError(`--port must be an integer from 0 to 65535 (got "${values.port}")`);
    options.port = port;
  }
  if (values.host) options.host = values.host;
  if (values['public-ip']) options.publicIp = values['public-ip'];
  const mode = values['port-mode'];
  if (mode !== undefined) {
    if (mode !== 'same' && mode !== 'mapped')
      throw usageError(`--port-mode must be same or mapped (got "${mode}")`);
    options.portMode = mode;
  }
  const key = values['api-key'] ?? env.EDGEGAP_LOCAL_API_KEY;
  if (key) options.apiKey = key;
  const locations = values.locations ?? env.EDGEGAP_LOCAL_LOCATIONS;
  if (locations) options.locations = parseLocationsFlag(locations);
  return options;
}

/**
 * `--locations`: `demo`, a JSON list, or the path of a JSON file holding one (checked later by
 * the config's validation).
 *
 * @example
 * parseLocationsFlag('demo'); // 'demo'
 */
export function parseLocationsFlag(value: string): EdgegapLocalOptions['locations'] {
  if (value === 'demo') return 'demo';
  let text = value;
  if (!value.trimStart().startsWith('[')) {
    try {
      text = readFileSync(value, 'utf8');
    } catch (error) {
      throw usageError(
        `--locations must be demo, a JSON list or a JSON file (cannot read ${value}: ${(error as NodeJS.ErrnoException).code})`,
      );
    }
  }
  try {
    return JSON.parse(text) as EdgegapLocalOptions['locations'];
  } catch {
    throw usageError('--locations is not valid JSON');
  }
}

/** Run the CLI; resolves once it is listening. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  if (wantsHelp(argv)) {
    console.log(USAGE);
    return;
  }
  let options: EdgegapLocalOptions;
  try {
    options = parseCliArgs(argv, process.env);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  let local: Awaited<ReturnType<typeof startEdgegapLocal>>;
  try {
    local = await startEdgegapLocal(options);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
  const keyHint =
    argv.includes('--api-key') || !process.env.EDGEGAP_LOCAL_API_KEY
      ? `EDGEGAP_API_KEY=${local.apiKey}`
      : 'EDGEGAP_API_KEY=<the key in EDGEGAP_LOCAL_API_KEY>';
  console.log(`edgegap-local listening on ${local.url}`);
  console.log(`use: EDGEGAP_API_URL=${local.url} ${keyHint}`);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`edgegap-local: ${signal}, stopping every deployment`);
    local.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
