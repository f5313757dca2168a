import { existsSync } from 'node:fs';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { NatsServerNotFoundError, type RunningNatsServer, startNatsServer } from './index.js';

describe('startNatsServer', () => {
  let server: RunningNatsServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('runs a JetStream server on a free port and round-trips a KV put/get', async () => {
    server = await startNatsServer();
    expect(server.port).toBeGreaterThan(0);
    expect(server.port).not.toBe(4222);
    const nc = await connect({ servers: server.url });
    try {
      const kv = await new Kvm(nc).create('testkit_roundtrip');
      await kv.put('greeting', 'hello');
      const entry = await kv.get('greeting');
      expect(entry?.string()).toBe('hello');
    } finally {
      await nc.close();
    }
  });

  it('removes its temp store on stop', async () => {
    server = await startNatsServer();
    const { storeDir } = server;
    expect(existsSync(storeDir)).toBe(true);
    await server.stop();
    server = undefined;
    expect(existsSync(storeDir)).toBe(false);
  });

  it('keeps KV data across a restart on the same port', async () => {
    const first = await startNatsServer();
    server = await first.restart();
    expect(server.port).toBe(first.port);
    const nc = await connect({ servers: server.url });
    try {
      const kv = await new Kvm(nc).create('testkit_restart');
      await kv.put('k', 'v');
    } finally {
      await nc.close();
    }
    server = await server.restart();
    const nc2 = await connect({ servers: server.url });
    try {
      const kv = await new Kvm(nc2).open('testkit_restart');
      expect((await kv.get('k'))?.string()).toBe('v');
    } finally {
      await nc2.close();
    }
  });

  it('says what to install when no nats-server binary exists', async () => {
    const saved = process.env.NATS_SERVER_BIN;
    process.env.NATS_SERVER_BIN = '/nonexistent/nats-server';
    try {
      await expect(startNatsServer()).rejects.toBeInstanceOf(NatsServerNotFoundError);
      await expect(startNatsServer()).rejects.toThrow(/apt-get install nats-server/);
    } finally {
      if (saved === undefined) delete process.env.NATS_SERVER_BIN;
      else process.env.NATS_SERVER_BIN = saved;
    }
  });
});
