import { describe, expect, it } from 'vitest';
import type { Deployment } from './deployments.js';
import { injectedEnvironment } from './environment.js';

const deployment = {
  requestId: 'abcdefabcdef',
  contextNumber: 11,
  contextToken: 'ctx',
  deleteKey: 22,
  deleteToken: 'del',
  tags: new Map([['a', {}]]),
  ports: {
    'game udp': { name: 'game udp', internal: 4000, external: 5000, protocol: 'UDP' },
  },
  version: { envs: [{ key: 'SHARED', value: 'version' }], req_cpu: 1024 },
  requestEnvs: [{ key: 'SHARED', value: 'request' }],
} as unknown as Deployment;

describe('injectedEnvironment', () => {
  const env = injectedEnvironment(deployment, 'http://127.0.0.1:9', '10.0.0.1');

  it('names port variables upper-case with spaces as underscores', () => {
    expect(env.ARBITRIUM_PORT_GAME_UDP_INTERNAL).toBe('4000');
    expect(env.ARBITRIUM_PORT_GAME_UDP_EXTERNAL).toBe('5000');
    expect(env.ARBITRIUM_PORT_GAME_UDP_PROTOCOL).toBe('UDP');
  });

  it('builds the context and delete URLs from the base URL and secrets', () => {
    expect(env.ARBITRIUM_CONTEXT_URL).toBe('http://127.0.0.1:9/v1/context/abcdefabcdef/11');
    expect(env.ARBITRIUM_DELETE_URL).toBe('http://127.0.0.1:9/v1/self/stop/abcdefabcdef/22');
    expect(env.ARBITRIUM_PUBLIC_IP).toBe('10.0.0.1');
    expect(env.ARBITRIUM_DEPLOYMENT_VCPU_UNITS).toBe('1024');
  });

  it('lets request envs win over version envs, and keeps nothing secret of the parent', () => {
    expect(env.SHARED).toBe('request');
    expect(
      Object.keys(env).every((k) =>
        /^(ARBITRIUM_|SHARED$|PATH$|HOME$|TMPDIR$|TMP$|TEMP$|LANG$|LC_ALL$|USER$|NODE_)/.test(k),
      ),
    ).toBe(true);
  });
});
