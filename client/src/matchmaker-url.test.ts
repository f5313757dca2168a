import { describe, expect, it } from 'vitest';
import { resolveMatchmakerUrl } from './matchmaker-url.js';

describe('resolveMatchmakerUrl', () => {
  it('derives wss from an https page and ws from an http page', () => {
    expect(resolveMatchmakerUrl(undefined, { protocol: 'https:', host: 'g.example.com' })).toBe(
      'wss://g.example.com/matchmaker/ws',
    );
    expect(resolveMatchmakerUrl(undefined, { protocol: 'http:', host: '127.0.0.1:8080' })).toBe(
      'ws://127.0.0.1:8080/matchmaker/ws',
    );
  });

  it('turns a configured http origin into the ws front path', () => {
    expect(resolveMatchmakerUrl('http://127.0.0.1:9000')).toBe('ws://127.0.0.1:9000/matchmaker/ws');
    expect(resolveMatchmakerUrl('https://mm.example.com/')).toBe(
      'wss://mm.example.com/matchmaker/ws',
    );
  });

  it('keeps a configured ws URL with its own path', () => {
    expect(resolveMatchmakerUrl('ws://h:1/custom/ws')).toBe('ws://h:1/custom/ws');
  });

  it('resolves a relative configured path against the page', () => {
    expect(resolveMatchmakerUrl('/mm/ws', { protocol: 'https:', host: 'h' })).toBe('wss://h/mm/ws');
  });

  it('refuses a non-web scheme and a missing URL outside a page', () => {
    expect(() => resolveMatchmakerUrl('ftp://h/')).toThrow(/ws\(s\)/);
    expect(() => resolveMatchmakerUrl(undefined, undefined)).toThrow(/required/);
  });
});
