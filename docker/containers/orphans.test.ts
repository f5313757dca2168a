/**
 * Containers an edgegap-local left behind when it was SIGKILLed (it never got to remove them):
 * the next edgegap-local's first container deployment removes those whose owner is gone, says
 * so in that deployment's log, and leaves a live owner's containers alone. The orphans are made
 * with `docker run` and the labels edgegap-local gives, one owned by a pid that has exited.
 */
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { EdgegapClient, type EdgegapLocal, startEdgegapLocal } from '@playgap/edgegap';
import { afterAll, describe, expect, it } from 'vitest';
import { containerRemoved, containerSupport, docker, IMAGES, until } from './engine.js';

const support = containerSupport([IMAGES.gameserver]);
const APP = 'arena';

/** The pid of a process that has exited. */
function deadPid(): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', '']);
    child.once('exit', () => resolve(child.pid!));
  });
}

/** A sleeping container labelled as edgegap-local labels its own, owned by `pid`. */
function leftBehind(name: string, pid: number): Promise<string> {
  return docker(
    'run',
    '--detach',
    '--name',
    name,
    '--network',
    'none',
    '--label',
    'playgap.edgegap-local=1',
    '--label',
    `playgap.edgegap-local.owner=${hostname()}/${pid}`,
    '--entrypoint',
    'sleep',
    IMAGES.gameserver,
    '600',
  );
}

const exists = async (name: string) =>
  (await docker('ps', '--all', '--quiet', '--filter', `name=^${name}$`)) !== '';

describe.skipIf(!support.ok)('containers a dead edgegap-local left', { timeout: 180_000 }, () => {
  const orphan = `edgegap-local-orphan-${process.pid}`;
  const kept = `edgegap-local-kept-${process.pid}`;
  let local: EdgegapLocal | undefined;
  let requestId: string | undefined;

  afterAll(async () => {
    await local?.close();
    await docker('rm', '--force', orphan, kept).catch(() => {});
    // Whatever state the test left it in, the deployment's container goes too.
    if (requestId) await docker('rm', '--force', `edgegap-local-${requestId}`).catch(() => {});
  }, 60_000);

  it("are removed at the next edgegap-local's first container deployment; a live owner's stay", async () => {
    await leftBehind(orphan, await deadPid());
    await leftBehind(kept, process.pid); // this test process: alive
    expect(await exists(orphan)).toBe(true);

    local = await startEdgegapLocal({
      apps: [
        {
          name: APP,
          versions: [
            {
              name: 'v1',
              docker_image: 'playgap/gameserver',
              docker_tag: 'local',
              arguments: `'run' '--' node -e 'setTimeout(() => {}, 2000)'`,
              ports: [{ name: 'game', port: 4000, protocol: 'TCP' }],
            },
          ],
        },
      ],
    });
    const edgegap = new EdgegapClient({ apiUrl: local.url, apiKey: local.apiKey });
    ({ requestId } = await edgegap.deploy({
      application: APP,
      version: 'v1',
      users: [{ ipAddress: '127.0.0.1' }],
    }));
    const id = requestId;
    const line = await until(
      'the removal line in the deployment log',
      async () => {
        const { logs } = await edgegap.getLogs(id);
        return /removed 1 container\(s\) left by an edgegap-local that is gone: (\S+)/.exec(
          logs,
        )?.[1];
      },
      60_000,
    );
    expect(line).toBe(orphan);
    expect(await exists(orphan)).toBe(false);
    expect(await exists(kept)).toBe(true);
    await edgegap.stopDeployment(id).catch(() => {}); // it may have exited already
    await containerRemoved(id);
  });
});
