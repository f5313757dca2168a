/**
 * The built images themselves: each runs as a non-root user and declares a HEALTHCHECK; the
 * matchmaker image, run the way compose.yaml runs it (against a real nats-server and
 * edgegap-local on this host), turns healthy and stops on SIGTERM well within its grace period.
 * (The game-server and drop-in images' SIGTERM stops are measured in arena/dropin tests.)
 */
import { EdgegapClient, type EdgegapLocal, startEdgegapLocal } from '@playgap/edgegap';
import { freePort, type RunningNatsServer, startNatsServer } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerSupport, docker, IMAGES, until } from './engine.js';

const support = containerSupport(Object.values(IMAGES));
const GRACE_SECONDS = 10;

describe.skipIf(!support.ok)('the playgap images', { timeout: 180_000 }, () => {
  it.each(Object.entries(IMAGES))(
    '%s runs as a non-root user and has a HEALTHCHECK',
    async (_n, image) => {
      const config = JSON.parse(
        await docker('image', 'inspect', '--format', '{{json .Config}}', image),
      ) as {
        User: string;
        Healthcheck?: { Test?: string[] };
      };
      expect(config.User).not.toMatch(/^(|root|0)(:.*)?$/);
      expect(config.Healthcheck?.Test?.[0]).toBe('CMD');
      const uid = await docker('run', '--rm', '--entrypoint', 'id', image, '-u');
      expect(uid).not.toBe('0');
    },
  );

  describe('matchmaker image', () => {
    let nats: RunningNatsServer;
    let local: EdgegapLocal;
    const name = `playgap-test-matchmaker-${process.pid}`;

    beforeAll(async () => {
      nats = await startNatsServer();
      local = await startEdgegapLocal({ apps: [{ name: 'arena', versions: [] }] });
      await new EdgegapClient({ apiUrl: local.url, apiKey: local.apiKey }).createVersion('arena', {
        name: 'v1',
        docker_image: 'playgap/gameserver',
        docker_tag: 'local',
        ports: [{ name: 'game', port: 4000, protocol: 'TCP', to_check: true }],
      });
    }, 60_000);

    afterAll(async () => {
      await docker('rm', '-f', name).catch(() => '');
      await local?.close();
      await nats?.stop();
    }, 60_000);

    it(`turns healthy, then stops on SIGTERM within ${GRACE_SECONDS} s`, async () => {
      const port = await freePort();
      const env = {
        PLAYGAP_APP: 'arena',
        PLAYGAP_VERSIONS: 'v1',
        PLAYGAP_PROTOCOL_ID: '4444',
        PLAYGAP_PRIVATE_KEY: '3d'.repeat(32),
        EDGEGAP_API_URL: local.url,
        EDGEGAP_API_KEY: local.apiKey,
        NATS_URL: nats.url,
      };
      const flags = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
      // Port 8080 is the image's; on the host network it must be a free one, and the health
      // check's URL follows (compose maps 8080 instead).
      await docker(
        'run',
        '-d',
        '--name',
        name,
        '--network',
        'host',
        ...flags,
        '--health-cmd',
        `node -e "fetch('http://127.0.0.1:${port}/healthz').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"`,
        '--health-interval',
        '1s',
        '--health-start-period',
        '1s',
        IMAGES.matchmaker,
        '--all-in-one',
        '--listen',
        `127.0.0.1:${port}`,
      );
      const startedAt = Date.now();
      await until(
        'the matchmaker container healthy',
        async () => {
          const health = await docker('inspect', '--format', '{{.State.Health.Status}}', name);
          if (health === 'unhealthy') throw new Error('unhealthy');
          return health === 'healthy' ? true : undefined;
        },
        90_000,
      ).catch(async (error: Error) => {
        throw new Error(`${error.message}\n${await docker('logs', name).catch(() => '')}`);
      });
      console.log(`containers: matchmaker healthy ${Date.now() - startedAt} ms after docker run`);
      const stopAt = Date.now();
      await docker('stop', '--time', String(GRACE_SECONDS), name);
      const stopMs = Date.now() - stopAt;
      const exitCode = Number(await docker('inspect', '--format', '{{.State.ExitCode}}', name));
      console.log(`containers: matchmaker SIGTERM → exit ${exitCode} in ${stopMs} ms`);
      expect(exitCode).not.toBe(137);
      expect(stopMs).toBeLessThan(GRACE_SECONDS * 1000);
    });
  });
});
