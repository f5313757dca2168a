/** Private test helpers for playgap: real nats-server, free ports, child cleanup. */
export { trackChild } from './cleanup.js';
export {
  findNatsServer,
  NatsServerNotFoundError,
  type NatsServerOptions,
  NatsServerStartError,
  type RunningNatsServer,
  startNatsServer,
  storeParent,
} from './nats-server.js';
export { freePort } from './ports.js';
