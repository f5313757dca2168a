import type { ServerRecord } from '@playgap/protocol';
import { describe, expect, it } from 'vitest';
import { tokenAddresses, transportEndpoints } from '../src/endpoints.js';
import { clientIp } from '../src/front/client-ip.js';
import { originMatcher } from '../src/front/origins.js';
import { serverRecord } from './fake-fleet.js';

const server: ServerRecord = serverRecord('s1', {
  publicIp: '203.0.113.7',
  fqdn: 'abc.pr.edgegap.net',
  ports: {
    game: { name: 'game', internal: 4000, external: 31000, protocol: 'TCP' },
    rtc: { name: 'rtc', internal: 4001, external: 31001, protocol: 'UDP' },
    wt: { name: 'wt', internal: 4002, external: 31002, protocol: 'TCP/UDP' },
    wss: { name: 'wss', internal: 4003, external: 31003, protocol: 'WS', tlsUpgrade: true },
  },
  transports: [
    { kind: 'webtransport', port: 'wt', path: 'game' },
    { kind: 'webrtc', port: 'game', dataPort: 'rtc' },
    { kind: 'websocket', port: 'wss', path: '/play' },
    { kind: 'websocket', port: 'missing' },
  ],
});

describe('transport endpoints', () => {
  it('builds https, http signaling and wss-on-fqdn URLs and skips unknown ports', () => {
    expect(transportEndpoints(server)).toEqual([
      { kind: 'webtransport', url: 'https://203.0.113.7:31002/game', port: 31002 },
      { kind: 'webrtc', url: 'http://203.0.113.7', port: 31000 },
      { kind: 'websocket', url: 'wss://abc.pr.edgegap.net:31003/play', port: 31003 },
    ]);
  });

  it('signals WebRTC over https on the fqdn when the game port has the TLS upgrade (shipped config)', () => {
    const shipped = serverRecord('s2', {
      publicIp: '203.0.113.8',
      fqdn: 'def.pr.edgegap.net',
      ports: {
        game: { name: 'game', internal: 4000, external: 32000, protocol: 'WS', tlsUpgrade: true },
        rtc: { name: 'rtc', internal: 4001, external: 32001, protocol: 'UDP' },
      },
      transports: [
        { kind: 'webrtc', port: 'game', dataPort: 'rtc' },
        { kind: 'websocket', port: 'game', path: '/ws' },
      ],
    });
    expect(transportEndpoints(shipped)).toEqual([
      { kind: 'webrtc', url: 'https://def.pr.edgegap.net', port: 32000 },
      { kind: 'websocket', url: 'wss://def.pr.edgegap.net:32000/ws', port: 32000 },
    ]);
  });

  it('lists one token address per distinct port the transports use', () => {
    expect(tokenAddresses(server)).toEqual([
      '203.0.113.7:31002',
      '203.0.113.7:31000',
      '203.0.113.7:31003',
    ]);
  });

  it('brackets IPv6 addresses', () => {
    const v6 = { ...server, publicIp: '2001:db8::1', transports: [server.transports[0]!] };
    expect(tokenAddresses(v6)).toEqual(['[2001:db8::1]:31002']);
    expect(transportEndpoints(v6)[0]!.url).toBe('https://[2001:db8::1]:31002/game');
  });
});

describe('client IP and origins', () => {
  it('ignores X-Forwarded-For from an untrusted peer and takes the first entry from a trusted one', () => {
    expect(clientIp('198.51.100.1', '203.0.113.9', [])).toBe('198.51.100.1');
    expect(clientIp('::ffff:10.0.0.2', '203.0.113.9, 10.0.0.2', ['10.0.0.2'])).toBe('203.0.113.9');
    expect(clientIp('10.0.0.2', 'not-an-ip', ['10.0.0.2'])).toBe('10.0.0.2');
  });

  it('matches exact origins and wildcard subdomains, not the apex or look-alikes', () => {
    const allowed = originMatcher(['https://game.example.com', 'https://*.example.org']);
    expect(allowed('https://game.example.com')).toBe(true);
    expect(allowed('https://a.b.example.org')).toBe(true);
    expect(allowed('https://example.org')).toBe(false);
    expect(allowed('https://evilexample.org')).toBe(false);
    expect(allowed('http://a.example.org')).toBe(false);
    expect(allowed(undefined)).toBe(true);
    expect(originMatcher([])('https://anything.test')).toBe(true);
  });
});
