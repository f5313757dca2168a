import { describe, expect, it } from 'vitest';
import { resolvePort, sidecarUrlFrom } from './config.js';
import { ServerConfigError } from './errors.js';
import type { SidecarInfo } from './sidecar-client.js';
import { parseSseBlock } from './sidecar-client.js';

const info = {
  ports: { rtc: { name: 'rtc', internal: 5001, external: 31001, protocol: 'UDP' } },
} as unknown as SidecarInfo;

describe('config', () => {
  it('takes internal/external ports from the sidecar info', () => {
    expect(resolvePort('rtc', info, {})).toEqual({ name: 'rtc', internal: 5001, external: 31001 });
  });

  it('lets PLAYGAP_PORT_<NAME> override the internal port and falls back to ARBITRIUM_*_EXTERNAL', () => {
    expect(resolvePort('rtc', info, { PLAYGAP_PORT_RTC: '6001' })).toEqual({
      name: 'rtc',
      internal: 6001,
      external: 31001,
    });
    expect(
      resolvePort('wt', info, { PLAYGAP_PORT_WT: '7000', ARBITRIUM_PORT_WT_EXTERNAL: '32000' }),
    ).toEqual({
      name: 'wt',
      internal: 7000,
      external: 32000,
    });
    expect(resolvePort('game', info, {})).toBeUndefined();
  });

  it('rejects a bad port value naming the variable', () => {
    expect(() => resolvePort('rtc', info, { PLAYGAP_PORT_RTC: '70000' })).toThrow(
      /PLAYGAP_PORT_RTC/,
    );
    expect(() => resolvePort('rtc', info, { PLAYGAP_PORT_RTC: 'x' })).toThrow(ServerConfigError);
  });

  it('needs a sidecar URL and valid timings', () => {
    expect(() => sidecarUrlFrom({}, {})).toThrow(/PLAYGAP_SIDECAR_URL/);
    expect(() => sidecarUrlFrom({}, { PLAYGAP_SIDECAR_URL: 'not a url' })).toThrow(/not a URL/);
    expect(() =>
      sidecarUrlFrom({ heartbeatIntervalMs: -1 }, { PLAYGAP_SIDECAR_URL: 'http://x' }),
    ).toThrow(/heartbeatIntervalMs/);
    expect(sidecarUrlFrom({ sidecarUrl: 'http://127.0.0.1:1' }, {})).toBe('http://127.0.0.1:1');
  });
});

describe('server-sent events', () => {
  it('parses event and JSON data, ignores comments', () => {
    expect(parseSseBlock('event: drain\ndata: {"state":"draining"}')).toEqual({
      event: 'drain',
      data: { state: 'draining' },
    });
    expect(parseSseBlock(': keep-alive')).toBeUndefined();
    expect(parseSseBlock('event: x\ndata: not json')).toEqual({ event: 'x', data: 'not json' });
  });
});
