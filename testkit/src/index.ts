/**
 * Private test helpers for playgap: real nats-server (one or a cluster), free ports, child
 * cleanup, the bounded poll every suite uses.
 */
export { canTieChildren, spawnTracked, trackChild } from './cleanup.js';
export { FIXTURE_GAME_SERVER } from './fixtures.js';
export {
  type NatsClusterNode,
  type NatsClusterOptions,
  type RunningNatsCluster,
  startNatsCluster,
} from './nats-cluster.js';
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
export { type WaitForOptions, WaitTimeoutError, waitFor } from './wait-for.js';
