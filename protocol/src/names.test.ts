import { describe, expect, it } from 'vitest';
import { buckets, parseSeatKey, seatKey, seatKeysOf, subjects } from './names.js';

describe('names', () => {
  it('namespaces subjects and buckets by app', () => {
    expect(subjects('arena').play).toBe('playgap.arena.play');
    expect(subjects('arena').serverEvents('abc123')).toBe('playgap.arena.server.abc123.events');
    expect(buckets('arena')).toEqual({
      servers: 'playgap_arena_servers',
      seats: 'playgap_arena_seats',
      deployments: 'playgap_arena_deployments',
      tickets: 'playgap_arena_tickets',
      backfills: 'playgap_arena_backfills',
      parties: 'playgap_arena_parties',
    });
    expect(subjects('arena').party).toBe('playgap.arena.party');
    expect(subjects('arena').partyCommand).toBe('playgap.arena.party.command');
  });

  it('refuses app names that would break a subject or bucket name', () => {
    for (const bad of ['', 'a.b', 'a*', 'a>', 'a b', 'x'.repeat(65)]) {
      expect(() => subjects(bad)).toThrow(/Invalid app name/);
    }
  });

  it('round-trips seat keys', () => {
    expect(parseSeatKey(seatKey('9f1c2b3a4d5e', 7))).toEqual({
      serverId: '9f1c2b3a4d5e',
      seatIndex: 7,
    });
    expect(seatKeysOf('9f1c2b3a4d5e')).toBe('9f1c2b3a4d5e.>');
    expect(seatKey('9f1c2b3a4d5e', 7).startsWith(seatKeysOf('9f1c2b3a4d5e').slice(0, -1))).toBe(
      true,
    );
    expect(parseSeatKey('nodot')).toBeUndefined();
    expect(parseSeatKey('srv.-1')).toBeUndefined();
    expect(parseSeatKey('srv.x')).toBeUndefined();
  });
});
