/**
 * A geckos.io client running in Node: node-datachannel's WebRTC polyfill stands in for the
 * browser's RTCPeerConnection. Used by the tests (and the same trick by the bots).
 */
import geckos, { type ClientChannel } from '@geckos.io/client';
import {
  RTCIceCandidate,
  RTCPeerConnection,
  RTCSessionDescription,
} from 'node-datachannel/polyfill';

/** geckos' client trickles late candidates into a peer it already closed; ignore those. */
class TolerantPeerConnection extends RTCPeerConnection {
  override async addIceCandidate(
    candidate?: ConstructorParameters<typeof RTCIceCandidate>[0],
  ): Promise<void> {
    try {
      await super.addIceCandidate(candidate as never);
    } catch {
      // the peer is closed: a late candidate does not matter
    }
  }
}

Object.assign(globalThis, {
  RTCPeerConnection: TolerantPeerConnection,
  RTCSessionDescription,
  RTCIceCandidate,
});

export interface GeckosResult {
  channel: ClientChannel;
  error?: { status?: number; message?: string };
}

export function connectGeckos(
  port: number,
  authorization: string | undefined,
): Promise<GeckosResult> {
  const channel = geckos({ url: 'http://127.0.0.1', port, authorization, iceServers: [] } as never);
  return new Promise((resolve) => {
    channel.onConnect((error) => resolve(error ? { channel, error: error as never } : { channel }));
  });
}
