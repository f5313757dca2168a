/**
 * How a command's result reaches the user: JSON on stdout with `--json`, otherwise aligned text
 * tables and lines. Errors go to stderr (or stdout as JSON), never with a secret in them.
 */
import type { Writable } from 'node:stream';

/** Where a command writes and how. */
export interface Output {
  readonly json: boolean;
  readonly stdout: Writable;
  readonly stderr: Writable;
}

/**
 * Print `value` as JSON, or call `text` to print it for people.
 *
 * @example
 * emit(out, { valid: true }, () => line(out, 'The Edgegap API key is valid.'));
 */
export function emit(out: Output, value: unknown, text: () => void): void {
  if (out.json) out.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  else text();
}

/** Write one line of text to stdout. @example line(out, 'done'); */
export function line(out: Output, text: string): void {
  out.stdout.write(`${text}\n`);
}

/**
 * Print rows as an aligned table with a header; "(none)" when empty.
 *
 * @example
 * table(out, ['ID', 'STATE'], [['a1', 'ready']]);
 */
export function table(out: Output, header: string[], rows: string[][]): void {
  if (rows.length === 0) {
    line(out, '(none)');
    return;
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const format = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  line(out, format(header));
  for (const row of rows) line(out, format(row));
}
