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
