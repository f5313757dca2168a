import { describe, expect, it } from 'vitest';
import { rewriteCandidate, rewriteSdp } from './ice-rewrite.js';

const mapping = { publicIp: '203.0.113.7', internalPort: 5000, externalPort: 31000 };

describe('ICE candidate rewrite', () => {
  it('rewrites a UDP host candidate on the internal data port to the public ip and external port', () => {
    expect(
      rewriteCandidate('a=candidate:1 1 UDP 2122317823 172.17.0.2 5000 typ host', mapping),
    ).toBe('a=candidate:1 1 UDP 2122317823 203.0.113.7 31000 typ host');
    expect(
      rewriteCandidate('candidate:1 1 udp 2122317823 10.0.0.5 5000 typ host generation 0', mapping),
    ).toBe('candidate:1 1 udp 2122317823 203.0.113.7 31000 typ host generation 0');
  });

  it('leaves candidates on other ports, TCP candidates and other lines alone', () => {
    for (const line of [
      'a=candidate:1 1 UDP 2122317823 172.17.0.2 5001 typ host',
      'a=candidate:2 1 TCP 2122317823 172.17.0.2 5000 typ host tcptype passive',
      'a=ice-ufrag:abcd',
      'c=IN IP4 172.17.0.2',
      'a=candidate:garbage',
    ]) {
      expect(rewriteCandidate(line, mapping)).toBe(line);
    }
  });

  it('rewrites every candidate of an SDP and drops the duplicates it creates', () => {
    const sdp = [
      'v=0',
      'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
      'a=candidate:1 1 UDP 2122317823 172.17.0.2 5000 typ host',
      'a=candidate:2 1 UDP 2122317822 192.168.1.9 5000 typ host',
      'a=candidate:3 1 UDP 2122317821 ::1 5000 typ host',
      'a=end-of-candidates',
      '',
    ].join('\r\n');
    const out = rewriteSdp(sdp, mapping);
    const candidates = out.split('\r\n').filter((l) => l.startsWith('a=candidate'));
    expect(candidates).toEqual(['a=candidate:1 1 UDP 2122317823 203.0.113.7 31000 typ host']);
    expect(out).toContain('a=end-of-candidates\r\n');
    expect(out.startsWith('v=0\r\nm=application 9')).toBe(true);
  });

  it('keeps LF line endings when the SDP uses them', () => {
    const out = rewriteSdp('v=0\na=candidate:1 1 UDP 1 10.0.0.1 5000 typ host\n', mapping);
    expect(out).toBe('v=0\na=candidate:1 1 UDP 1 203.0.113.7 31000 typ host\n');
  });
});
