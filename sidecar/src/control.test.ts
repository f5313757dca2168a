import { describe, expect, it } from 'vitest';
import { parseCommand } from './control.js';

describe('parseCommand', () => {
  it('reads a JSON command or a bare word', () => {
    expect(parseCommand('{"command":"drain"}')).toBe('drain');
    expect(parseCommand(' info ')).toBe('info');
  });

  it('gives undefined for truncated JSON or a non-string command', () => {
    expect(parseCommand('{"command":')).toBeUndefined();
    expect(parseCommand('{"command":42}')).toBeUndefined();
  });
});
