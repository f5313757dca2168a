import { readFileSync } from 'node:fs';
import {
  buckets,
  DeploymentState,
  MATCHMAKER_QUEUE,
  PARTY_CODE_ALPHABET,
  PartyState,
  ProgressStage,
  SeatState,
  ServerState,
  subjects,
  TransportKind,
} from '@playgap/protocol';
import { describe, expect, it } from 'vitest';

const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');

describe('docs/protocol.md', () => {
  it('documents every subject, bucket, queue and enum value protocol/src defines', () => {
    const s = subjects('arena');
    const names = [
      s.play,
      s.serverEvents('<serverId>'),
      s.allServerEvents,
      s.serverControl('<serverId>'),
      s.ticketCancel,
      s.party,
      s.partyCommand,
      ...Object.values(buckets('arena')),
      MATCHMAKER_QUEUE,
      ...Object.values(ProgressStage),
      ...Object.values(ServerState),
      ...Object.values(SeatState),
      ...Object.values(DeploymentState),
      ...Object.values(PartyState),
      PARTY_CODE_ALPHABET,
      ...Object.values(TransportKind),
    ];
    const missing = names.filter((name) => !doc.includes(name));
    expect(missing).toEqual([]);
  });
});
