/**
 * WebRTC for Node clients: node-datachannel's polyfill installed as the browser globals
 * (RTCPeerConnection, RTCSessionDescription, RTCIceCandidate), so @geckos.io/client runs in
 * tests and bots. A separate entry (`@playgap/testkit/node-webrtc`): importing the rest of the
 * testkit does not load the native module.
 */
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

/**
 * Install the polyfill as globals (idempotent).
 *
 * @example
 * installNodeWebRtc();
 * const channel = geckos({ url: 'http://127.0.0.1', port });
 */
export function installNodeWebRtc(): void {
  Object.assign(globalThis, {
    RTCPeerConnection: TolerantPeerConnection,
    RTCSessionDescription,
    RTCIceCandidate,
  });
}
