/**
 * @playgap/protocol/nats — the one NATS connection contract of playgap: the env every component
 * reads (NATS_URL or NATS_HOST, NATS_USER, NATS_PASSWORD, NATS_CREDS, NATS_NKEY, NATS_CA,
 * NATS_CA_CONTENTS, NATS_INSECURE), the client options built from it, and a connect that
 * retries the first connection with logging, then reconnects forever. Node only.
 */
export { type ConnectNatsOptions, connectNats } from './connect.js';
export { natsConnectionOptions } from './options.js';
export { redactSecrets, redactUrl } from './redact.js';
export {
  NATS_DEFAULTS,
  NatsConfigError,
  type NatsFlags,
  type NatsSettings,
  natsSettingsFromEnv,
} from './settings.js';
