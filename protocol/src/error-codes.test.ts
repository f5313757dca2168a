import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ErrorCode, isErrorCode, PlaygapError } from './error-codes.js';

const errorsDoc = readFileSync(
  fileURLToPath(new URL('../../docs/errors.md', import.meta.url)),
  'utf8',
);

/** The codes docs/errors.md lists: the first cell of every table row, `| \`CODE\` | ...`. */
const documentedCodes = [...errorsDoc.matchAll(/^\| `([A-Z][A-Z0-9_]*)` +\|/gm)].map((m) => m[1]);

describe('error codes', () => {
  it.each(Object.values(ErrorCode))('documents %s in docs/errors.md', (code) => {
    expect(documentedCodes).toContain(code);
  });

  it('documents no code that protocol/src/error-codes.ts lacks, and each code once', () => {
    expect(documentedCodes.filter((code) => !isErrorCode(code))).toEqual([]);
    expect(documentedCodes.filter((code, i) => documentedCodes.indexOf(code) !== i)).toEqual([]);
    expect(documentedCodes.length).toBe(Object.keys(ErrorCode).length);
  });

  it('keys equal values, so a code reads the same in code and on the wire', () => {
    for (const [key, value] of Object.entries(ErrorCode)) expect(key).toBe(value);
  });

  it('recognises only known codes', () => {
    expect(isErrorCode('NO_CAPACITY')).toBe(true);
    expect(isErrorCode('toString')).toBe(false);
    expect(isErrorCode(42)).toBe(false);
  });

  it('serialises a PlaygapError to {code, message} without the cause', () => {
    const error = new PlaygapError(ErrorCode.NO_CAPACITY, 'full', { cause: new Error('secret') });
    expect(JSON.parse(JSON.stringify(error))).toEqual({ code: 'NO_CAPACITY', message: 'full' });
  });
});
