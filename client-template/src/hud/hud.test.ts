import { describe, expect, it } from 'vitest';
import { InputLatencyProbe } from '../game/input-latency.js';
import { readPong, readSnapshot, readYourShip } from '../game/messages.js';
import { PingMeter } from '../game/ping.js';
import { readPageOptions } from '../net/query.js';
import { overlayShownAtStart } from './overlay.js';
import { newPartyId, shareLink } from './share-link.js';

describe('copy link', () => {
  it('links to this page with the party (and a non-default matchmaker), nothing else', () => {
    expect(shareLink('http://127.0.0.1:8080/?name=Ada&transport=websocket#x', 'p-1')).toBe(
      'http://127.0.0.1:8080/?party=p-1',
    );
    expect(shareLink('https://g.example/play?matchmaker=wss%3A%2F%2Fm%2Fws', 'p-2')).toBe(
      'https://g.example/play?party=p-2&matchmaker=wss%3A%2F%2Fm%2Fws',
    );
  });

  it('makes party ids the page options (and the matchmaker) accept', () => {
    const id = newPartyId(() => 0.999);
    expect(id).toMatch(/^p-[0-9a-z]{10}$/);
    expect(readPageOptions(`?party=${id}`)).toEqual({ party: id });
    expect(readPageOptions('?party=no%20spaces')).toEqual({});
  });
});

describe('overlay and ping', () => {
  it('shows the overlay in development or with ?overlay=1, hides it with ?overlay=0', () => {
    expect(overlayShownAtStart('', true)).toBe(true);
    expect(overlayShownAtStart('', false)).toBe(false);
    expect(overlayShownAtStart('?overlay=1', false)).toBe(true);
    expect(overlayShownAtStart('?overlay=0', true)).toBe(false);
  });

  it('pings once per interval and smooths the round trips', () => {
    const meter = new PingMeter(1000, 0.5);
    expect(meter.due(0)).toEqual({ type: 'ping', t: 0 });
    expect(meter.due(999)).toBeUndefined();
    expect(meter.pong(0, 100)).toBe(100);
    expect(meter.due(1000)).toEqual({ type: 'ping', t: 1000 });
    meter.pong(1000, 1200);
    expect(meter.rttMs).toBe(150);
    expect(meter.lastRttMs).toBe(200);
    expect(meter.pong(5000, 10)).toBeUndefined(); // from the future: ignored
  });

  it('reads pongs, the tick rate in the welcome and the acks in a snapshot', () => {
    expect(readPong({ type: 'pong', t: 5 })).toBe(5);
    expect(readPong({ type: 'pong' })).toBeUndefined();
    expect(readYourShip({ type: 'welcome', id: '1', n: 2, hz: 30 })).toEqual({
      id: '1',
      n: 2,
      hz: 30,
    });
    expect(readYourShip({ type: 'welcome', id: '1', hz: -1 })).toEqual({ id: '1' });
    const s = readSnapshot({ type: 'snapshot', tick: 1, ships: [], acks: [3, 40, 4, 'x', 5] });
    expect([...(s?.acks ?? [])]).toEqual([[3, 40]]);
    expect(readSnapshot({ type: 'snapshot', tick: 1, ships: [] })?.acks).toBeUndefined();
  });
});

describe('InputLatencyProbe', () => {
  it('measures keydown → the first frame that draws the ship moved', () => {
    const probe = new InputLatencyProbe(0.5);
    probe.keyDown(100, { x: 10, y: 10 });
    expect(probe.frame(110, { x: 10.2, y: 10 })).toBeUndefined();
    expect(probe.frame(117, { x: 11, y: 10 })).toBe(17);
    expect(probe.frame(130, { x: 20, y: 10 })).toBeUndefined(); // one sample per keydown
  });

  it('drops a keydown whose key went up before the ship moved (against a wall)', () => {
    const probe = new InputLatencyProbe();
    probe.keyDown(100, { x: 16, y: 10 });
    probe.keyUp();
    expect(probe.frame(200, { x: 30, y: 10 })).toBeUndefined();
  });
});
