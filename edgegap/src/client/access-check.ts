/**
 * One check, before anything depends on it, that Edgegap accepts the API key and knows the app
 * and its versions: one cheap authenticated call, then the app, then each version. Only a
 * definite answer (401/403, 404) is an EdgegapAccessError; a network failure or a 5xx is
 * thrown as it came, since it says nothing about the key. The key itself is never in a message.
 */
import { EdgegapAccessError, EdgegapApiError } from '../errors.js';
import type { CallOptions, DeploymentSummary, EdgegapBody } from './types.js';

/** The part of EdgegapClient the check calls. */
export interface AccessCheckClient {
  readonly apiUrl: string;
  listDeployments(
    query?: { limit?: number },
    call?: CallOptions,
  ): Promise<{ items: DeploymentSummary[]; totalCount: number }>;
  getApp(name: string, call?: CallOptions): Promise<EdgegapBody>;
  getVersion(app: string, version: string, call?: CallOptions): Promise<EdgegapBody>;
}

/** What to check besides the key. @example { app: 'arena', versions: ['1.0.0'] } */
export interface AccessCheckTarget {
  app?: string;
  versions?: readonly string[];
}

/**
 * Check the key (and the app and versions when given); resolves with the number of
 * deployments the key can see.
 *
 * @example
 * try {
 *   await checkEdgegapAccess(client, { app: 'arena', versions: ['1.0.0'] });
 * } catch (e) {
 *   if (e instanceof EdgegapAccessError) console.error(e.message); // what Edgegap said, what to do
 * }
 */
export async function checkEdgegapAccess(
  client: AccessCheckClient,
  target: AccessCheckTarget = {},
  call?: CallOptions,
): Promise<{ deployments: number }> {
  let deployments: number;
  try {
    ({ totalCount: deployments } = await client.listDeployments({ limit: 1 }, call));
  } catch (error) {
    throw refusal(error, client.apiUrl) ?? error;
  }
  const { app } = target;
  if (app === undefined) return { deployments };
  try {
    await client.getApp(app, call);
  } catch (error) {
    throw refusal(error, client.apiUrl) ?? missing(error, 'app_missing', app) ?? error;
  }
  for (const version of target.versions ?? []) {
    try {
      await client.getVersion(app, version, call);
    } catch (error) {
      throw (
        refusal(error, client.apiUrl) ?? missing(error, 'version_missing', app, version) ?? error
      );
    }
  }
  return { deployments };
}

function refusal(error: unknown, apiUrl: string): EdgegapAccessError | undefined {
  if (!(error instanceof EdgegapApiError) || (error.status !== 401 && error.status !== 403)) {
    return undefined;
  }
  return new EdgegapAccessError(
    'key_refused',
    `Edgegap refused the API key (HTTP ${error.status}) at ${apiUrl}${requestIdNote(error)}: "${error.edgegapMessage}". ` +
      'Check EDGEGAP_API_KEY: it is a token from the Edgegap dashboard (User settings > Tokens), ' +
      'given with or without the "token " prefix, for the organisation that owns the app.',
    error,
  );
}

function missing(
  error: unknown,
  problem: 'app_missing' | 'version_missing',
  app: string,
  version?: string,
): EdgegapAccessError | undefined {
  if (!(error instanceof EdgegapApiError) || error.status !== 404) return undefined;
  const what = problem === 'app_missing' ? `app "${app}"` : `version "${version}" of app "${app}"`;
  const fix =
    problem === 'app_missing'
      ? 'Create the app on Edgegap, or fix the app name.'
      : 'Create the version (playgap version create), or fix the version list.';
  return new EdgegapAccessError(
    problem,
    `Edgegap has no ${what} (HTTP 404)${requestIdNote(error)}: "${error.edgegapMessage}". ${fix}`,
    error,
  );
}

function requestIdNote(error: EdgegapApiError): string {
  return error.requestId ? ` (request ${error.requestId})` : '';
}
