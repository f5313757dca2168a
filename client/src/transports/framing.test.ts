import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameReader, MAX_FRAME_BYTES } from './framing.js';

describe('WebTransport framing', () => {
  it('round-trips frames split across arbitrary chunk boundaries', () => {
    const bytes = new Uint8Array([...encodeFrame('{"a":1}'), ...encodeFrame('{"b":"é"}')]);
    const reader = new FrameReader();
    const out: string[] = [];
    for (let i = 0; i < bytes.length; i += 3) out.push(...reader.push(bytes.subarray(i, i + 3)));
    expect(out).toEqual(['{"a":1}', '{"b":"é"}']);
  });

  it('holds a truncated frame until the rest arrives', () => {
    const frame = encodeFrame('hello');
    const reader = new FrameReader();
    expect(reader.push(frame.subarray(0, 6))).toEqual([]);
    expect(reader.push(frame.subarray(6))).toEqual(['hello']);
  });

  it('refuses an oversized length prefix', () => {
    const header = new Uint8Array(4);
    new DataView(header.buffer).setUint32(0, MAX_FRAME_BYTES + 1);
    expect(() => new FrameReader().push(header)).toThrow(RangeError);
  });
});
