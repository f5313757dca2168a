/**
 * The matchmaker's Edgegap client, checked once at start: Edgegap must accept the API key and
 * know the app and every version served, or the matchmaker refuses to start with a
 * ConfigError that says which setting, what Edgegap answered and what to do — instead of
 * running and telling every player "try again shortly". When Edgegap cannot be asked right now
 * (network, 5xx) it starts anyway and says so in the log: that answer is not about the key.
 */
import { checkEdgegapAccess, EdgegapAccessError, EdgegapClient } from '@playgap/edgegap';
import type { MatchmakerConfig } from './config.js';
import type { EdgegapApi } from './edgegap-api.js';
import { ConfigError } from './errors.js';
import { edgegapErrorFields, type Logger } from './log.js';

/** Which setting each definite "no" from Edgegap points at. */
const SETTING = {
  key_refused: ['EDGEGAP_API_KEY', 'is not accepted'],
  app_missing: ['PLAYGAP_APP', 'names an app Edgegap does not have'],
  version_missing: ['PLAYGAP_VERSIONS', 'lists a version Edgegap does not have'],
} as const;

/**
 * Create the Edgegap client of `config` and check it; undefined when no key is set (warm
 * placement only).
 *
 * @example
 * const edgegap = await connectEdgegap(config, log); // throws ConfigError on a refused key
 */
export async function connectEdgegap(
  config: Readonly<MatchmakerConfig>,
  log: Logger,
  signal?: AbortSignal,
): Promise<EdgegapApi | undefined> {
  if (!config.edgegapApiKey) return undefined;
  const client = new EdgegapClient({ apiUrl: config.edgegapApiUrl, apiKey: config.edgegapApiKey });
  const target = { app: config.appName, versions: config.versions };
  try {
    const { deployments } = await checkEdgegapAccess(client, target, signal ? { signal } : {});
    log.info(
      { event: 'edgegap_checked', apiUrl: client.apiUrl, ...target, deployments },
      'Edgegap accepts the API key and knows the app and versions',
    );
  } catch (error) {
    if (error instanceof EdgegapAccessError) {
      const [variable, problem] = SETTING[error.problem];
      throw new ConfigError(variable, `${problem}: ${error.message}`, { cause: error });
    }
    signal?.throwIfAborted();
    log.warn(
      { event: 'edgegap_unchecked', apiUrl: client.apiUrl, ...edgegapErrorFields(error) },
      'could not check the Edgegap API key now; starting anyway',
    );
  }
  return client;
}
