import { describe, expect, it } from 'vitest';
import { normalizeContext, normalizeSession, normalizeStatus, ShapeError } from './normalize.js';

describe('normalize', () => {
  it('reads a status with numbers and booleans as strings, unknown status and extra fields', () => {
    const s = normalizeStatus({
      request_id: 'abcdefabcdef',
      current_status: 'Status.SOMETHING_NEW',
      running: 'false',
      error: 'False',
      public_ip: '1.2.3.4',
      ports: {
        game: {
          name: 'game',
          internal: '7777',
          external: '31000',
          protocol: 'UDP',
          tls_upgrade: 'false',
        },
      },
      tags: 'a,b',
      extra: { anything: true },
    });
    expect(s.status).toBe('Status.SOMETHING_NEW');
    expect(s.ready).toBe(false);
    expect(s.error).toBe(false);
    expect(s.ports.game).toEqual({
      name: 'game',
      internal: 7777,
      external: 31000,
      protocol: 'UDP',
      tlsUpgrade: false,
    });
    expect(s.tags).toEqual(['a', 'b']);
  });

  it('marks READY as ready and running even when running is missing', () => {
    const s = normalizeStatus({ request_id: 'x', current_status: 'Status.READY' });
    expect(s.ready && s.running).toBe(true);
  });

  it('rejects a status without request_id and a body that is not an object', () => {
    expect(() => normalizeStatus({ current_status: 'Status.READY' })).toThrow(ShapeError);
    expect(() => normalizeStatus('nope')).toThrow(ShapeError);
    expect(() => normalizeStatus([1])).toThrow(ShapeError);
  });

  it('reads a session whose user_count and sockets are strings', () => {
    const s = normalizeSession({
      session_id: 'abc-S',
      status: 'Ready',
      ready: true,
      linked: true,
      user_count: '2',
      deployment: { request_id: 'r', public_ip: '1.2.3.4', sockets: '10', sockets_usage: '3' },
    });
    expect(s.userCount).toBe(2);
    expect(s.deployment?.sockets).toBe(10);
    expect(s.deployment?.socketsUsage).toBe(3);
  });

  it('requires request_id and public_ip in a context', () => {
    expect(() => normalizeContext({ request_id: 'r' })).toThrow(ShapeError);
    expect(normalizeContext({ request_id: 'r', public_ip: '1.1.1.1', sockets: '4' }).sockets).toBe(
      4,
    );
  });
});
