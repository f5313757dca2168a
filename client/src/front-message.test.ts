import { describe, expect, it } from 'vitest';
import { PlaygapClientError } from './errors.js';
import { parseFrontMessage } from './front-message.js';

const reply = {
  type: 'ready',
  token: 'AAAA',
  serverId: 's1',
  ip: '127.0.0.1',
  port: 4000,
  transports: [{ kind: 'websocket', url: 'ws://127.0.0.1:4000/', port: 4000 }],
  certDigest: 'AB',
  clientId: '42',
  expiresAt: 1,
};

describe('parseFrontMessage', () => {
  it('reads a progress message', () => {
    const text =
      '{"type":"progress","stage":"deploying","elapsedMs":4000,"message":"Starting (4 s)"}';
    expect(parseFrontMessage(text)).toEqual({
      type: 'progress',
      stage: 'deploying',
      elapsedMs: 4000,
      message: 'Starting (4 s)',
    });
  });

  it("keeps a queued ticket's state on progress", () => {
    const text = JSON.stringify({
      type: 'progress',
      stage: 'match_found',
      elapsedMs: 12_000,
      message: 'Match found',
      ticket: { id: 't1', mode: '2v2', expansion: 1, waitedSeconds: 12, matchId: 'm1' },
    });
    expect(parseFrontMessage(text)).toMatchObject({
      stage: 'match_found',
      ticket: { id: 't1', mode: '2v2', expansion: 1, waitedSeconds: 12, matchId: 'm1' },
    });
  });

  it('reads a party roster and a refused party command', () => {
    const roster = parseFrontMessage(
      JSON.stringify({
        type: 'party',
        code: 'K7QF-2M',
        you: 'b',
        leaderId: 'a',
        state: 'open',
        members: [{ memberId: 'a', name: 'Ada' }, { memberId: 'b' }],
        maxSize: 2,
        ticketError: { code: 'TICKET_EXPIRED', message: 'No match' },
      }),
    );
    expect(roster).toMatchObject({
      type: 'party',
      code: 'K7QF-2M',
      members: [{ name: 'Ada' }, {}],
    });
    expect(
      parseFrontMessage('{"type":"party_refused","code":"PARTY_NOT_LEADER","message":"no"}'),
    ).toEqual({ type: 'party_refused', code: 'PARTY_NOT_LEADER', message: 'no' });
    expect(() => parseFrontMessage('{"type":"party","code":"X","state":"odd"}')).toThrow(
      PlaygapClientError,
    );
  });

  it('reads a play reply with its transports', () => {
    const parsed = parseFrontMessage(JSON.stringify(reply));
    expect(parsed.type).toBe('ready');
    expect(parsed.type === 'ready' && parsed.transports[0]?.kind).toBe('websocket');
  });

  it('reads an error and maps an unknown code to INTERNAL', () => {
    expect(parseFrontMessage('{"type":"error","code":"NO_CAPACITY","message":"full"}')).toEqual({
      type: 'error',
      code: 'NO_CAPACITY',
      message: 'full',
    });
    const odd = parseFrontMessage('{"type":"error","code":"WHAT","message":"x"}');
    expect(odd.type === 'error' && odd.code).toBe('INTERNAL');
  });

  it.each([
    ['not JSON', '{"type":'],
    ['a binary frame', new ArrayBuffer(2)],
    ['an array', '[]'],
    ['an unknown type', '{"type":"hello"}'],
    ['an unknown stage', '{"type":"progress","stage":"nap","elapsedMs":1}'],
    ['a reply without token', JSON.stringify({ ...reply, token: 5 })],
    [
      'a reply with an unknown transport',
      JSON.stringify({ ...reply, transports: [{ kind: 'x' }] }),
    ],
  ])('refuses %s with MATCHMAKER_UNREACHABLE', (_name, input) => {
    try {
      parseFrontMessage(input);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PlaygapClientError);
      expect((error as PlaygapClientError).code).toBe('MATCHMAKER_UNREACHABLE');
    }
  });
});
