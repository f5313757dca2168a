/**
 * `playgap check-key`: proves EDGEGAP_API_KEY works (one cheap authenticated call) and, with
 * `--app`, that the app exists — the first thing to run when a deploy fails with 401.
 */
import { checkEdgegapAccess } from '@playgap/edgegap';
import type { Command } from '../command.js';
import { edgegapCall } from '../edgegap-errors.js';
import { emit, line } from '../output.js';

/** `playgap check-key [--app NAME]` */
export const checkKey: Command = {
  name: 'check-key',
  summary: 'check the Edgegap API key (and that an app exists)',
  help: `Usage: playgap check-key [--app NAME] [--json]

Calls the Edgegap API with EDGEGAP_API_KEY (with or without the "token " prefix) and reports
whether it is accepted. With --app (or PLAYGAP_APP), also checks that the application exists.

Env: EDGEGAP_API_KEY (required), EDGEGAP_API_URL (default https://api.edgegap.com)
Exit codes: 0 valid, 1 refused or unreachable, 2 usage error.

Example:
  EDGEGAP_API_KEY=... playgap check-key --app arena`,
  options: { app: { type: 'string' } },
  async run({ out, edgegap, env }, flags) {
    const client = edgegap();
    const app = (flags.app as string | undefined) ?? env.PLAYGAP_APP;
    // The same check the matchmaker runs at start.
    const { deployments } = await edgegapCall(
      () => checkEdgegapAccess(client, app ? { app } : {}),
      'the API key check',
    );
    emit(out, { valid: true, apiUrl: client.apiUrl, deployments, ...(app ? { app } : {}) }, () => {
      line(out, `The Edgegap API key is valid (${client.apiUrl}).`);
      line(out, `Deployments visible: ${deployments}.`);
      if (app) line(out, `App "${app}" exists.`);
    });
  },
};
