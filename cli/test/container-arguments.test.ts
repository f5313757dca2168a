// The version's `arguments` string: how the CLI quotes the NATS CA into it, how it is split
// (checked against /bin/sh, which edgegap-local uses for a string), and its size cap.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  CliError,
  caArguments,
  DEFAULT_SERVER_COMMAND,
  EDGEGAP_ARGUMENTS_MAX_BYTES,
  shellQuote,
  splitArguments,
} from '../src/index.js';

const PEM = [
  '-----BEGIN CERTIFICATE-----',
  'MIIBkTCB+wIJAKHBfpegPjMCMA0GCSqGSIb3DQEBCwUAMBExDzANBgNVBAMMBnRl',
  'c3RDQTAeFw0yNjExMjIwMDAwMDBaFw0yNzExMjIwMDAwMDBaMBExDzANBgNVBAMM',
  '-----END CERTIFICATE-----',
  '',
].join('\n');

/** The words /bin/sh makes of `text`, as edgegap-local runs a string `arguments`. */
function shellWords(text: string): string[] {
  const run = spawnSync('/bin/sh', ['-c', `printf '%s\\0' ${text}`], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout.split('\0').slice(0, -1);
}

describe('caArguments', () => {
  it('puts a multi-line PEM into one single-line word the sidecar reads as --ca-contents', () => {
    const text = caArguments(PEM, DEFAULT_SERVER_COMMAND);
    expect(text).not.toContain('\n');
    const words = splitArguments(text);
    expect(words).toEqual([
      `--ca-contents=${PEM.trim().replaceAll('\n', '\\n')}`,
      'run',
      '--',
      'node',
      '/app/server-template/dist/main.js',
    ]);
    // The sidecar turns the literal \n back into newlines: the PEM survives intact.
    expect(words[0]?.slice('--ca-contents='.length).replace(/\\n/g, '\n')).toBe(PEM.trim());
  });

  it('is split by /bin/sh exactly as splitArguments splits it', () => {
    const text = caArguments(PEM, ['./arena.x86_64', '--name', "it's a game", '$HOME', 'a\\b']);
    expect(shellWords(text)).toEqual(splitArguments(text));
    expect(splitArguments(text).slice(-4)).toEqual(['--name', "it's a game", '$HOME', 'a\\b']);
  });

  it('accepts a CRLF PEM and sends it with \\n separators', () => {
    const text = caArguments(PEM.replaceAll('\n', '\r\n'), DEFAULT_SERVER_COMMAND);
    expect(text).not.toMatch(/[\r\n]/);
    expect(splitArguments(text)[0]).toBe(`--ca-contents=${PEM.trim().replaceAll('\n', '\\n')}`);
  });

  it(`refuses arguments over ${EDGEGAP_ARGUMENTS_MAX_BYTES} bytes with PAYLOAD_TOO_LARGE`, () => {
    const bundle = PEM.repeat(60);
    let caught: unknown;
    try {
      caArguments(bundle, DEFAULT_SERVER_COMMAND);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CliError);
    expect(caught).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', exitCode: 2 });
    expect((caught as Error).message).toMatch(/over the 8192-byte cap/);
  });

  it('refuses a CA with a quote or NUL byte and an empty server command (BAD_REQUEST)', () => {
    expect(() => caArguments(`${PEM}'; rm -rf /`, DEFAULT_SERVER_COMMAND)).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST' }),
    );
    expect(() => caArguments(`${PEM}\0`, DEFAULT_SERVER_COMMAND)).toThrow(/plain PEM/);
    expect(() => caArguments(PEM, [])).toThrow(/serverCommand/);
  });
});

describe('splitArguments', () => {
  it.each([
    [`a  b\tc`, ['a', 'b', 'c']],
    [`'a b' "c d" e\\ f`, ['a b', 'c d', 'e f']],
    [`"x\\"y" 'x\\y' ''`, ['x"y', 'x\\y', '']],
    [`--flag='v w'x`, ['--flag=v wx']],
  ])('splits %j like /bin/sh', (text, words) => {
    expect(splitArguments(text)).toEqual(words);
    expect(shellWords(text)).toEqual(words);
  });

  it.each([`'open`, `"open`, `end\\`])('refuses the malformed %j with BAD_REQUEST', (text) => {
    expect(() => splitArguments(text)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });

  it('round-trips any word through shellQuote', () => {
    const words = ['', ' ', "'", `'"'"'`, '\\n', 'é ü', '$(id)', '`id`', '*', '-----BEGIN X-----'];
    expect(splitArguments(words.map(shellQuote).join(' '))).toEqual(words);
    expect(shellWords(words.map(shellQuote).join(' '))).toEqual(words);
  });
});
