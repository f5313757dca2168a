/**
 * Commands to one sidecar over NATS, on `playgap.<app>.server.<id>.control` (request/reply):
 * JSON `{"command": "drain" | "shutdown" | "info"}` or the bare word. Anything else gets
 * `{code: "BAD_REQUEST", message}`.
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { ErrorCode } from '@playgap/protocol';

/** What each command does; each returns the JSON reply. */
export interface ControlHandlers {
  drain(): unknown;
  shutdown(): unknown;
  info(): unknown;
}

/** Parse a control message body into a command word (undefined when unreadable). */
export function parseCommand(text: string): string | undefined {
  const trimmed = text.trim();
  try {
    const command = trimmed.startsWith('{')
      ? (JSON.parse(trimmed) as { command?: unknown }).command
      : trimmed;
    return typeof command === 'string' ? command : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Answer control requests on `subject` (the subscription lives as long as the connection and
 * survives reconnects).
 *
 * @example
 * serveControl(nc, subjects('arena').serverControl(id), { drain: () => ..., shutdown: () => ..., info: () => ... });
 */
export function serveControl(
  nc: NatsConnection,
  subject: string,
  handlers: ControlHandlers,
): Subscription {
  return nc.subscribe(subject, {
    callback: (_error, msg) => {
      const command = parseCommand(msg.string());
      const reply =
        command === 'drain' || command === 'shutdown' || command === 'info'
          ? handlers[command]()
          : {
              code: ErrorCode.BAD_REQUEST,
              message: 'Unknown command: send {"command": "drain" | "shutdown" | "info"}.',
            };
      if (msg.reply) msg.respond(JSON.stringify(reply));
    },
  });
}
