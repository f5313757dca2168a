/**
 * Keeps NATS secrets out of logs and error messages: the password or bare token inside a
 * server URL, and the configured password wherever the client library repeats it.
 */
import type { NatsSettings } from './settings.js';

/**
 * `url` with its password (or bare token) replaced by `***`; also works on any text that
 * contains such URLs, e.g. a client error message. The credentials run to the last `@`
 * before the host, so an `@` inside a password does not end them.
 *
 * @example
 * redactUrl('nats://u:secret@h:4222'); // 'nats://u:***@h:4222'
 */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^/\s]*)@/g, (_all, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return colon < 0 ? '//***@' : `//${userinfo.slice(0, colon)}:***@`; // a bare token is secret too
  });
}

/** `text` percent-decoded, or as it is when it is not valid percent-encoding (`a%zz`). */
function decodedOrSame(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The passwords and bare tokens inside server URLs, as written and decoded. */
function urlSecrets(servers: readonly string[]): string[] {
  const secrets: string[] = [];
  for (const server of servers) {
    try {
      const url = new URL(server);
      const secret = url.password || (url.username && !url.password ? url.username : '');
      if (secret) secrets.push(secret, decodedOrSame(secret));
    } catch {
      // not a URL: settings refuse it before anything connects
    }
  }
  return secrets;
}

/**
 * `text` with URL credentials, the configured password and every password or token written
 * into the server URLs replaced by `***`.
 *
 * @example
 * redactSecrets('auth failed for s3cret', { servers: ['nats://h:4222'], password: 's3cret', insecure: false });
 */
export function redactSecrets(text: string, settings: Readonly<NatsSettings>): string {
  let redacted = redactUrl(text);
  const secrets = [settings.password ?? '', ...urlSecrets(settings.servers)];
  for (const secret of secrets) if (secret) redacted = redacted.split(secret).join('***');
  return redacted;
}
