/**
 * A geckos.io client running in Node: node-datachannel's WebRTC polyfill stands in for the
 * browser's RTCPeerConnection (installed from the testkit, as the bots do).
 */
import geckos, { type ClientChannel } from '@geckos.io/client';
import { installNodeWebRtc } from '@playgap/testkit/node-webrtc';

installNodeWebRtc();

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

/**
 * Close the client's peer connection after the server has already closed the channel.
 * `channel.close()` would also POST `/close` to the server (unawaited, so a late refusal
 * becomes an unhandled rejection); and a peer left open in this process holds node-datachannel's
 * global cleanup, which the server's close runs, for its full 10 s timeout.
 */
export function dropClosedPeer(channel: ClientChannel): void {
  const peer = (
    channel as unknown as { peerConnection?: { localPeerConnection?: { close(): void } } }
  ).peerConnection;
  peer?.localPeerConnection?.close();
}
