/** A real matchmaker logger whose JSON lines tests can read (parsed) as they are written. */
import { createLogger, type Logger } from '../src/log.js';

export interface CapturedLog {
  logger: Logger;
  /** Every line so far, parsed. */
  lines: Record<string, unknown>[];
  /** The lines with this `event`. */
  events(event: string): Record<string, unknown>[];
  /** Everything written, as it was written (for "never contains a secret" checks). */
  text(): string;
}

/** Capture at trace level; `onLine` sees each line as it is written. */
export function captureLogger(onLine?: (line: Record<string, unknown>) => void): CapturedLog {
  const lines: Record<string, unknown>[] = [];
  let raw = '';
  const logger = createLogger({
    level: 'trace',
    destination: {
      write(chunk: string) {
        raw += chunk;
        const line = JSON.parse(chunk) as Record<string, unknown>;
        lines.push(line);
        onLine?.(line);
      },
    },
  });
  return {
    logger,
    lines,
    events: (event) => lines.filter((line) => line.event === event),
    text: () => raw,
  };
}
