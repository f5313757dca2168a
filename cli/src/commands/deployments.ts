/**
 * `playgap deployments list|inspect|stop`: the Edgegap deployments of a studio, one in detail,
 * and stopping one (a stop of an already-gone deployment is not an error).
 */
import type { DeploymentPort } from '@playgap/edgegap';
import type { Command } from '../command.js';
import { edgegapCall } from '../edgegap-errors.js';
import { usageError } from '../errors.js';
import { emit, line, table } from '../output.js';

const ENV_HELP =
  'Env: EDGEGAP_API_KEY (required), EDGEGAP_API_URL (default https://api.edgegap.com)';

function requestIdOf(positionals: string[], command: string): string {
  const id = positionals[0];
  if (!id) throw usageError(`Missing the request id: playgap deployments ${command} <request-id>.`);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
    throw usageError('A request id is 1-64 letters, digits, "_" or "-".');
  }
  return id;
}

function portsText(ports: Record<string, DeploymentPort>): string {
  return Object.entries(ports)
    .map(([name, p]) => `${name}:${p.internal}->${p.external}/${p.protocol}`)
    .join(' ');
}

/** `playgap deployments list [--app NAME]` */
export const deploymentsList: Command = {
  name: 'deployments list',
  summary: 'list Edgegap deployments (of one app with --app)',
  help: `Usage: playgap deployments list [--app NAME] [--limit N] [--json]

Lists deployments: request id, ready, public IP, FQDN, start time, tags.
--app (or PLAYGAP_APP) keeps only that application's deployments.

${ENV_HELP}

Example:
  playgap deployments list --app arena --json`,
  options: { app: { type: 'string' }, limit: { type: 'string', default: '100' } },
  async run({ out, edgegap, env }, flags) {
    const limit = Number(flags.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw usageError('--limit must be an integer 1..1000.');
    }
    const app = (flags.app as string | undefined) ?? env.PLAYGAP_APP;
    const client = edgegap();
    const result = await edgegapCall(
      () =>
        client.listDeployments({
          limit,
          ...(app ? { filters: [{ field: 'application', operator: 'eq', value: app }] } : {}),
        }),
      'the deployment list',
    );
    const items = result.items.map(({ raw: _raw, ...rest }) => rest);
    emit(out, { totalCount: result.totalCount, items }, () =>
      table(
        out,
        ['REQUEST ID', 'READY', 'PUBLIC IP', 'FQDN', 'STARTED', 'TAGS'],
        items.map((d) => [
          d.requestId,
          d.ready ? 'yes' : 'no',
          d.publicIp ?? '',
          d.fqdn ?? '',
          d.startTime ?? '',
          d.tags.join(','),
        ]),
      ),
    );
  },
};

/** `playgap deployments inspect <request-id>` */
export const deploymentsInspect: Command = {
  name: 'deployments inspect',
  summary: 'show one deployment: status, address, ports, location',
  help: `Usage: playgap deployments inspect <request-id> [--json]

Shows a deployment's status (Status.READY, Status.ERROR...), public IP, FQDN, port mapping,
location, app version and tags.

${ENV_HELP}

Example:
  playgap deployments inspect 9f2c1e0d8a7b`,
  options: {},
  positionals: ['request-id'],
  async run({ out, edgegap }, _flags, positionals) {
    const id = requestIdOf(positionals, 'inspect');
    const client = edgegap();
    const { raw: _raw, ...status } = await edgegapCall(
      () => client.getStatus(id),
      `deployment ${id}`,
    );
    emit(out, status, () => {
      line(out, `Request id:  ${status.requestId}`);
      line(
        out,
        `Status:      ${status.status}${status.errorDetail ? ` (${status.errorDetail})` : ''}`,
      );
      line(out, `App:         ${status.appName ?? '?'} ${status.appVersion ?? ''}`.trimEnd());
      line(out, `Public IP:   ${status.publicIp ?? ''}`);
      line(out, `FQDN:        ${status.fqdn ?? ''}`);
      line(out, `Ports:       ${portsText(status.ports)}`);
      const where = status.location;
      if (where)
        line(out, `Location:    ${[where.city, where.country].filter(Boolean).join(', ')}`);
      line(out, `Tags:        ${status.tags.join(', ')}`);
      if (status.startTime) line(out, `Started:     ${status.startTime}`);
    });
  },
};

/** `playgap deployments stop <request-id>` */
export const deploymentsStop: Command = {
  name: 'deployments stop',
  summary: 'stop one deployment',
  help: `Usage: playgap deployments stop <request-id> [--json]

Asks Edgegap to stop a deployment. Prints "stopped" (now), "stopping once ready" (it was still
starting) or "already gone" (it had stopped; not an error).

${ENV_HELP}
Exit codes: 0 stopped or already gone, 1 refused, 2 usage error.

Example:
  playgap deployments stop 9f2c1e0d8a7b`,
  options: {},
  positionals: ['request-id'],
  async run({ out, edgegap }, _flags, positionals) {
    const id = requestIdOf(positionals, 'stop');
    const client = edgegap();
    const { stopped } = await edgegapCall(() => client.stopDeployment(id), `deployment ${id}`);
    const words = {
      now: 'stopped',
      'when-ready': 'stopping once ready',
      'already-gone': 'already gone',
    };
    emit(out, { requestId: id, stopped }, () => line(out, `Deployment ${id}: ${words[stopped]}.`));
  },
};
