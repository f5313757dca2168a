import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder } from './length-prefixed.js';

describe('length-prefixed JSON frames', () => {
  it('decodes messages split across and merged within chunks', () => {
    const a = encodeFrame({ t: 'a' });
    const b = encodeFrame({ t: 'b', n: [1, 2] });
    const all = Buffer.concat([a, b]);
    const decoder = new FrameDecoder(1024);
    const out: unknown[] = [];
    for (let i = 0; i < all.length; i += 3) out.push(...decoder.push(all.subarray(i, i + 3)));
    expect(out).toEqual([{ t: 'a' }, { t: 'b', n: [1, 2] }]);
  });

  it('writes the length as u32 big-endian', () => {
    const frame = encodeFrame('x');
    expect([...frame.subarray(0, 4)]).toEqual([0, 0, 0, 3]);
  });

  it('throws RangeError on a frame longer than the limit (before buffering it)', () => {
    const header = Buffer.from([0, 1, 0, 0]);
    expect(() => new FrameDecoder(1024).push(header)).toThrow(RangeError);
  });

  it('throws SyntaxError on a frame that is not JSON', () => {
    const body = Buffer.from('{nope');
    const frame = Buffer.concat([Buffer.from([0, 0, 0, body.length]), body]);
    expect(() => new FrameDecoder(1024).push(frame)).toThrow(SyntaxError);
  });

  it('waits for the rest of a truncated frame', () => {
    const frame = encodeFrame({ long: 'x'.repeat(50) });
    const decoder = new FrameDecoder(1024);
    expect(decoder.push(frame.subarray(0, 10))).toEqual([]);
    expect(decoder.push(frame.subarray(10))).toHaveLength(1);
  });
});
