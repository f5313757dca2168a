/**
 * `playgap version create|update --config file`: the Edgegap app version for a release, built
 * from the version config file (ports, env with hidden secrets, sidecar settings, NATS CA, pull
 * credentials). The release workflow runs `version create --update-existing` on every tag.
 */
import { resolve } from 'node:path';
import { EdgegapApiError } from '@playgap/edgegap';
import { ErrorCode } from '@playgap/protocol';
import type { Command, CommandContext, Flags } from '../command.js';
import { edgegapCall } from '../edgegap-errors.js';
import { CliError, ExitCode, usageError } from '../errors.js';
import { emit, line } from '../output.js';
import {
  loadVersionConfig,
  redactPlan,
  type VersionOverrides,
  type VersionPlan,
} from '../version-config.js';

const FLAGS_HELP = `Flags:
  --config FILE        version config, YAML or JSON (required); \${VAR} is read from the env
  --app NAME           override the config's app
  --version NAME       override the config's version (e.g. the git tag)
  --tag TAG            override the image tag (default: the version)
  --nats-ca FILE       PEM of the CA that signed the NATS certificate (overrides nats.caFile)
  --nats-ca-as WHERE   env (NATS_CA_CONTENTS, default) or argument: the version's \`arguments\`
                       become '--ca-contents=<pem>' 'run' '--' <serverCommand> (the image's
                       ENTRYPOINT must be the sidecar alone; see docs/deploy-edgegap.md)
  --dry-run            print the request body (secrets as ***) and send nothing
  --json               machine-readable output

Env: EDGEGAP_API_KEY (required unless --dry-run), EDGEGAP_API_URL, and every \${VAR} the
config uses. Config reference: docs/deploy-edgegap.md and docker/edgegap-version.yaml.
Exit codes: 0 done, 1 Edgegap refused, 2 bad flags or config.`;

const options = {
  config: { type: 'string' },
  app: { type: 'string' },
  version: { type: 'string' },
  tag: { type: 'string' },
  'nats-ca': { type: 'string' },
  'nats-ca-as': { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
} as const;

async function plan(context: CommandContext, flags: Flags): Promise<VersionPlan> {
  const config = flags.config;
  if (typeof config !== 'string') throw usageError('Missing --config <file>.');
  const overrides: VersionOverrides = {};
  if (typeof flags.app === 'string') overrides.app = flags.app;
  if (typeof flags.version === 'string') overrides.version = flags.version;
  if (typeof flags.tag === 'string') overrides.tag = flags.tag;
  if (typeof flags['nats-ca'] === 'string')
    overrides.natsCaFile = resolve(context.cwd, flags['nats-ca']);
  const caAs = flags['nats-ca-as'];
  if (caAs !== undefined) {
    if (caAs !== 'env' && caAs !== 'argument') {
      throw usageError('--nats-ca-as must be env or argument.');
    }
    overrides.natsCaAs = caAs;
  }
  return loadVersionConfig(resolve(context.cwd, config), context.env, overrides);
}

function report(
  context: CommandContext,
  result: VersionPlan,
  action: 'created' | 'updated' | 'dry-run',
): void {
  const { out } = context;
  const shown = redactPlan(result);
  emit(
    out,
    {
      action,
      app: result.app,
      version: result.version,
      ...(action === 'dry-run' ? { body: shown.body } : {}),
    },
    () => {
      if (action === 'dry-run') {
        line(out, JSON.stringify(shown.body, null, 2));
        return;
      }
      const b = result.body;
      line(out, `App version ${result.app}/${result.version} ${action}.`);
      line(out, `Image: ${b.docker_repository}/${b.docker_image}:${b.docker_tag}`);
      line(out, `Ports: ${b.ports.map((p) => `${p.name} ${p.port}/${p.protocol}`).join(', ')}`);
      line(
        out,
        `Env: ${b.envs.map((e) => (e.is_hidden ? `${e.key} (hidden)` : e.key)).join(', ')}`,
      );
      if (b.arguments !== undefined) {
        line(out, `Arguments: the NATS CA as --ca-contents (${b.arguments.length} chars)`);
      }
    },
  );
}

function isAlreadyThere(error: unknown): boolean {
  const cause = error instanceof CliError ? error.cause : error;
  return (
    cause instanceof EdgegapApiError &&
    (cause.status === 409 || (cause.status === 400 && /exist/i.test(cause.edgegapMessage)))
  );
}

/** `playgap version create --config FILE [--update-existing]` */
export const versionCreate: Command = {
  name: 'version create',
  summary: 'create an Edgegap app version from a config file',
  help: `Usage: playgap version create --config FILE [--update-existing] [flags]

Creates the Edgegap app version described by the config file. If it already exists, fails with
code BAD_REQUEST unless --update-existing, which patches it instead (what the release
workflow does, so re-running a tag is safe).

  --update-existing    patch the version when it already exists
${FLAGS_HELP}

Example:
  playgap version create --config docker/edgegap-version.yaml --version v1.2.0 --update-existing`,
  options: { ...options, 'update-existing': { type: 'boolean', default: false } },
  async run(context, flags) {
    const result = await plan(context, flags);
    if (flags['dry-run']) return report(context, result, 'dry-run');
    const client = context.edgegap();
    const what = `app version ${result.app}/${result.version}`;
    try {
      await edgegapCall(() => client.createVersion(result.app, result.body), what);
      report(context, result, 'created');
    } catch (error) {
      if (!isAlreadyThere(error)) throw error;
      if (!flags['update-existing']) {
        throw new CliError(
          ErrorCode.BAD_REQUEST,
          `${what} already exists: use \`playgap version update\` or --update-existing.`,
          ExitCode.FAILED,
          { cause: error },
        );
      }
      const { name: _name, ...patch } = result.body;
      await edgegapCall(() => client.patchVersion(result.app, result.version, patch), what);
      report(context, result, 'updated');
    }
  },
};

/** `playgap version update --config FILE` */
export const versionUpdate: Command = {
  name: 'version update',
  summary: 'update (patch) an Edgegap app version from a config file',
  help: `Usage: playgap version update --config FILE [flags]

Patches an existing Edgegap app version with everything the config file describes (image tag,
ports, env, pull credentials...). Fails with NOT_FOUND when the version does not exist.

${FLAGS_HELP}

Example:
  playgap version update --config docker/edgegap-version.yaml --version v1.2.0`,
  options,
  async run(context, flags) {
    const result = await plan(context, flags);
    if (flags['dry-run']) return report(context, result, 'dry-run');
    const client = context.edgegap();
    const { name: _name, ...patch } = result.body;
    await edgegapCall(
      () => client.patchVersion(result.app, result.version, patch),
      `app version ${result.app}/${result.version}`,
    );
    report(context, result, 'updated');
  },
};
