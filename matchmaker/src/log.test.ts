import { describe, expect, it } from 'vitest';
import {
  createLogger,
  edgegapErrorFields,
  type LoggerOptions,
  REDACTED,
  redactSecrets,
} from './log.js';

function capture(level?: Pick<LoggerOptions, 'level'>) {
  const lines: Record<string, unknown>[] = [];
  let raw = '';
  const logger = createLogger({
    ...(level ?? {}),
    destination: {
      write(chunk: string) {
        raw += chunk;
        lines.push(JSON.parse(chunk) as Record<string, unknown>);
      },
    },
  });
  return { logger, lines, raw: () => raw };
}

describe('createLogger', () => {
  it('writes one JSON line per event with time, level name, component, event and message', () => {
    const { logger, lines } = capture();
    logger.info({ event: 'placed', serverId: 'a1' }, 'player placed');
    expect(lines).toEqual([
      {
        level: 'info',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        component: 'matchmaker',
        event: 'placed',
        serverId: 'a1',
        msg: 'player placed',
      },
    ]);
  });

  it('redacts tokens, keys and passwords at the top and nested, whatever the event', () => {
    const { logger, raw } = capture();
    logger.warn(
      {
        token: 'connect-token-1',
        connectToken: 'connect-token-2',
        apiKey: 'api-key-3',
        password: 'password-4',
        reply: { token: 'connect-token-5', privateKey: 'private-key-6' },
        request: { headers: { authorization: 'token api-key-7' } },
        config: { edgegapApiKey: 'api-key-8', nats: { password: 'password-9' } },
      },
      'careless',
    );
    for (const secret of [1, 2, 3, 4, 5, 6, 7, 8, 9]) expect(raw()).not.toContain(`-${secret}"`);
    expect(raw()).toContain(`"token":"${REDACTED}"`);
    expect(raw()).toContain(`"authorization":"${REDACTED}"`);
  });

  it('redacts in lists and child bindings, and never touches the caller’s object', () => {
    const { logger, raw } = capture();
    const fields = { players: [{ name: 'Ada', token: 'connect-token-1' }], ms: 3 };
    logger.child({ creds: 'creds-2', app: 'arena' }).info(fields, 'listed');
    expect(raw()).not.toContain('connect-token-1');
    expect(raw()).not.toContain('creds-2');
    expect(raw()).toContain('"app":"arena"');
    expect(raw()).toContain('"name":"Ada"');
    expect(fields.players[0]?.token).toBe('connect-token-1');
  });

  it('keeps errors whole for the serializer, and returns a line without secrets as it is', () => {
    const { logger, lines } = capture();
    logger.error({ err: new Error('boom') }, 'failed');
    expect(lines[0]?.err).toMatchObject({ message: 'boom', type: 'Error' });
    const clean = { event: 'placed', serverId: 'a1', nested: { ms: 1 } };
    expect(redactSecrets(clean, 2)).toBe(clean);
    // Three levels down is past the depth searched, as before (pino's `*.*.field` paths).
    expect(redactSecrets({ a: { b: { token: 'x' } } }, 2)).toEqual({
      a: { b: { token: REDACTED } },
    });
  });

  it('writes nothing below its level', () => {
    const { logger, lines } = capture({ level: 'warn' });
    logger.info({ event: 'placed' }, 'player placed');
    logger.warn({ event: 'edgegap_error' }, 'Edgegap call failed');
    expect(lines.map((l) => l.event)).toEqual(['edgegap_error']);
  });
});

describe('edgegapErrorFields', () => {
  it('keeps the status, Edgegap message and request id of an Edgegap answer', () => {
    const error = Object.assign(new Error('Edgegap POST /v2/deployments failed with HTTP 401'), {
      status: 401,
      edgegapMessage: 'Invalid token',
      requestId: 'req-1',
      code: 'EDGEGAP_ERROR',
    });
    expect(edgegapErrorFields(error)).toEqual({
      status: 401,
      edgegapMessage: 'Invalid token',
      edgegapRequestId: 'req-1',
      code: 'EDGEGAP_ERROR',
      error: 'Edgegap POST /v2/deployments failed with HTTP 401',
    });
  });
});
