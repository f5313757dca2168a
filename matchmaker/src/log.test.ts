import { spawn } from 'node:child_process';
import { trackChild } from '@playgap/testkit';
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

describe('default stdout', () => {
  const fixture = new URL('../test/fixtures/log-burst.ts', import.meta.url).pathname;
  const run = (count: number, size: number, reader: 'fast' | 'slow', fd = 'blocking') =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--conditions=source', '--import', 'tsx', fixture, String(count), String(size), fd],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      trackChild(child);
      let out = '';
      child.stdout!.setEncoding('utf8');
      // A slow reader: the pipe fills and the writer must wait, not drop lines.
      if (reader === 'slow') child.stdout!.pause();
      child.stdout!.on('data', (chunk: string) => {
        out += chunk;
      });
      if (reader === 'slow') setTimeout(() => child.stdout!.resume(), 300);
      child.once('error', reject);
      child.once('close', (code) =>
        code === 0 ? resolve(out) : reject(new Error(`exit ${code}`)),
      );
    });

  const events = (out: string) =>
    out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; i?: number; token?: string });

  it('writes every line of a turn, in order, and the last one before process.exit()', async () => {
    const lines = events(await run(50, 100, 'fast'));
    expect(lines.map((l) => l.event)).toEqual([...Array(50).fill('burst'), 'later', 'last']);
    expect(lines.slice(0, 50).map((l) => l.i)).toEqual([...Array(50).keys()]);
    expect(lines.at(-1)!.token).toBe(REDACTED);
  });

  it.each(['blocking', 'nonblocking'])(
    'loses nothing when a turn logs more than a pipe holds and the reader is slow (fd 1 %s)',
    async (fd) => {
      // 400 lines of 1 KiB: well past the 64 KiB pipe buffer, with the reader paused.
      const lines = events(await run(400, 1024, 'slow', fd));
      expect(lines).toHaveLength(402);
      expect(lines.slice(0, 400).map((l) => l.i)).toEqual([...Array(400).keys()]);
      expect(lines.at(-1)!.event).toBe('last');
    },
  );
});
