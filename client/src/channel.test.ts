import type { TransportKind } from '@playgap/protocol';
import { describe, expect, it } from 'vitest';
import { ChannelBase, type ChannelCloseEvent } from './channel.js';

/** A transport whose hang-up reports the link as lost right away, as geckos does. */
class EagerCloseChannel extends ChannelBase {
  readonly transport: TransportKind = 'webrtc';
  protected transmit(): void {}
  protected hangUp(): void {
    this.closed({ code: 'DISCONNECTED', reason: 'The WebRTC connection closed.' });
  }
  lose(): void {
    this.closed({ code: 'DISCONNECTED', reason: 'lost' });
  }
}

describe('ChannelBase close events', () => {
  it("reports the game's own close() without a code even when the transport reports one", () => {
    const channel = new EagerCloseChannel();
    const events: ChannelCloseEvent[] = [];
    channel.on('close', (event) => events.push(event));
    channel.close();
    expect(events).toEqual([{ code: undefined, reason: 'Closed by the game.' }]);
  });

  it('reports a lost link with its code', () => {
    const channel = new EagerCloseChannel();
    const events: ChannelCloseEvent[] = [];
    channel.on('close', (event) => events.push(event));
    channel.lose();
    channel.close();
    expect(events).toEqual([{ code: 'DISCONNECTED', reason: 'lost' }]);
  });
});
