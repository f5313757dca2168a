/**
 * One-line JSON logs on stderr (stdout stays for the game server in supervisor mode). Callers
 * never pass secrets: config values are logged by name, keys and tokens never.
 */

/**
 * Write `{time, level, msg, ...fields}` to stderr.
 *
 * @example
 * log('listening', { port: 7999 });
 */
export function log(message: string, fields: Record<string, unknown> = {}): void {
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), component: 'playgap-sidecar', msg: message, ...fields })}\n`,
  );
}
