/** A real matchmaker logger whose JSON lines tests can read (parsed) as they are written. */
import { createLogger, type Logger } from '../src/log.js';

type Line = Record<string, unknown>;

export interface CapturedLog {
  logger: Logger;
  /** Every line so far, parsed. */
  lines: Line[];
  /** The lines with this `event`. */
  events(event: string): Line[];
  /** Everything written, as it was written (for "never contains a secret" checks). */
  text(): string;
  /** The first line (already written or to come) matching `fields`; rejects after `timeoutMs`. */
  line(fields: Line, timeoutMs: number): Promise<Line>;
}

/** Capture at trace level; `onLine` sees each line as it is written. */
export function captureLogger(onLine?: (line: Line) => void): CapturedLog {
  const lines: Line[] = [];
  const waiters = new Set<(line: Line) => void>();
  let raw = '';
  const logger = createLogger({
    level: 'trace',
    destination: {
      write(chunk: string) {
        raw += chunk;
        const line = JSON.parse(chunk) as Line;
        lines.push(line);
        onLine?.(line);
        for (const waiter of waiters) waiter(line);
      },
    },
  });
  const matches = (line: Line, fields: Line) =>
    Object.entries(fields).every(([key, value]) => line[key] === value);
  return {
    logger,
    lines,
    events: (event) => lines.filter((line) => line.event === event),
    text: () => raw,
    line(fields, timeoutMs) {
      const found = lines.find((line) => matches(line, fields));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = (line: Line) => {
          if (!matches(line, fields)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(line);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(`no log line ${JSON.stringify(fields)} within ${timeoutMs} ms:\n${raw}`),
          );
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
  };
}
