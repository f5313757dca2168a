/**
 * `edgegap-local` CLI: parse flags, start the server, print its URL, and on SIGINT/SIGTERM
 * stop every deployment before exiting.
 *
 *   edgegap-local --config <file.json> [--port N] [--host H] [--port-mode same|mapped] [--api-key K]
 *
 * The key may also come from EDGEGAP_LOCAL_API_KEY (then it is never printed).
 */
import { parseArgs } from 'node:util';
import type { EdgegapLocalOptions } from './local/config.js';
import { startEdgegapLocal } from './local/start.js';

const USAGE =
  'usage: edgegap-local --config <file.json> [--port N] [--host H] [--port-mode same|mapped] [--api-key K]';

/** Parse CLI flags into options; throws with a usage message on bad input. */
export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv): EdgegapLocalOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'port-mode': { type: 'string' },
      'api-key': { type: 'string' },
      'public-ip': { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) throw new Error(USAGE);
  const options: EdgegapLocalOptions = {};
  if (values.config) options.configFile = values.config;
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: ${USAGE}`);
    options.port = port;
  }
  if (values.host) options.host = values.host;
  if (values['public-ip']) options.publicIp = values['public-ip'];
  const mode = values['port-mode'];
  if (mode !== undefined) {
    if (mode !== 'same' && mode !== 'mapped') throw new Error(`--port-mode: ${USAGE}`);
    options.portMode = mode;
  }
  const key = values['api-key'] ?? env.EDGEGAP_LOCAL_API_KEY;
  if (key) options.apiKey = key;
  return options;
}

/** Run the CLI; resolves once it is listening. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
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
