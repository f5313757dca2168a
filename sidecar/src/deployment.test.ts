import { describe, expect, it } from 'vitest';
import { deploymentFromEnv, inDeployment, localDeployment, withContext } from './deployment.js';

const env = {
  ARBITRIUM_REQUEST_ID: 'abc123def456',
  ARBITRIUM_PUBLIC_IP: '203.0.113.5',
  ARBITRIUM_PORTS_MAPPING: JSON.stringify({
    ports: {
      game: { name: 'game', internal: 7000, external: 31500, protocol: 'TCP' },
      wt: { name: 'wt', internal: 7001, external: 31501, protocol: 'UDP' },
    },
  }),
  ARBITRIUM_DEPLOYMENT_LOCATION: JSON.stringify({
    city: 'Montreal',
    country: 'Canada',
    continent: 'North America',
    latitude: 45.5,
    longitude: -73.6,
  }),
  ARBITRIUM_DELETE_URL: 'https://api.example/v1/self/stop/abc/key',
  ARBITRIUM_DELETE_TOKEN: 'del-token',
  ARBITRIUM_CONTEXT_URL: 'https://api.example/v1/context/abc/1',
  ARBITRIUM_CONTEXT_TOKEN: 'ctx-token',
};

describe('deploymentFromEnv', () => {
  it('reads id, public ip, port mapping, location and the self-stop target', () => {
    const d = deploymentFromEnv(env);
    expect(inDeployment(env)).toBe(true);
    expect(d).toMatchObject({ serverId: 'abc123def456', publicIp: '203.0.113.5', local: false });
    expect(d.ports.wt).toEqual({ name: 'wt', internal: 7001, external: 31501, protocol: 'UDP' });
    expect(d.location).toMatchObject({ city: 'Montreal', latitude: 45.5 });
    expect(d.selfStop).toEqual({ url: env.ARBITRIUM_DELETE_URL, token: 'del-token' });
  });

  it('falls back to ARBITRIUM_PORT_<NAME>_* variables', () => {
    const d = deploymentFromEnv({
      ARBITRIUM_REQUEST_ID: 'x1',
      ARBITRIUM_PUBLIC_IP: '1.2.3.4',
      ARBITRIUM_PORT_GAME_INTERNAL: '7000',
      ARBITRIUM_PORT_GAME_EXTERNAL: '32000',
      ARBITRIUM_PORT_GAME_PROTOCOL: 'TCP',
    });
    expect(d.ports.game).toEqual({
      name: 'game',
      internal: 7000,
      external: 32000,
      protocol: 'TCP',
    });
  });

  it('names the variable when the env is missing or malformed', () => {
    expect(() => deploymentFromEnv({})).toThrow(/ARBITRIUM_REQUEST_ID/);
    expect(() => deploymentFromEnv({ ARBITRIUM_REQUEST_ID: 'x' })).toThrow(/ARBITRIUM_PUBLIC_IP/);
    expect(() => deploymentFromEnv({ ...env, ARBITRIUM_PORTS_MAPPING: '{nope' })).toThrow(
      /ARBITRIUM_PORTS_MAPPING/,
    );
    expect(() =>
      deploymentFromEnv({ ...env, ARBITRIUM_PORTS_MAPPING: '{"ports":{"g":{"internal":"x"}}}' }),
    ).toThrow(/ARBITRIUM_PORTS_MAPPING/);
  });

  it('takes the fqdn and app name from the context', () => {
    const d = withContext(deploymentFromEnv(env), {
      fqdn: 'abc123def456.pr.edgegap.net',
      app_name: 'arena',
    });
    expect(d.fqdn).toBe('abc123def456.pr.edgegap.net');
    expect(d.appName).toBe('arena');
  });

  it('builds local deployments with no self-stop', () => {
    const d = localDeployment({ serverId: 'dev', publicIp: '127.0.0.1', ports: {} });
    expect(d.local).toBe(true);
    expect(d.selfStop).toBeUndefined();
  });
});
