/**
 * @playgap/edgegap — a typed Edgegap API client, and edgegap-local: a server that speaks the
 * same API on 127.0.0.1 and runs each deployment as a local child process.
 */

export { ArgumentsSyntaxError, splitArguments } from './arguments.js';
export {
  type AccessCheckClient,
  type AccessCheckTarget,
  checkEdgegapAccess,
} from './client/access-check.js';
export {
  authorizationFromKey,
  DEFAULT_EDGEGAP_API_URL,
  EDGEGAP_RATE_LIMITS,
  EdgegapClient,
  type EdgegapClientOptions,
} from './client/client.js';
export type { Clock } from './client/rate-limit.js';
export type {
  CallOptions,
  CreateSessionRequest,
  DeployEnv,
  DeploymentContext,
  DeploymentFilter,
  DeploymentLocation,
  DeploymentPort,
  DeploymentStatus,
  DeploymentSummary,
  DeploymentTag,
  DeployRequest,
  DeployUser,
  DeployV1Request,
  DeployV1Result,
  EdgegapBody,
  PingBeacon,
  SessionStatus,
} from './client/types.js';
export {
  EdgegapAbortedError,
  EdgegapAccessError,
  type EdgegapAccessProblem,
  EdgegapApiError,
  EdgegapConfigError,
  EdgegapNetworkError,
  EdgegapResponseError,
  EdgegapTimeoutError,
} from './errors.js';
export { buildEdgegapLocalApp } from './local/app.js';
export {
  type LocalClock,
  type LocalTimer,
  ManualLocalClock,
  systemLocalClock,
} from './local/clock.js';
export type {
  DeploymentOutputLine,
  EdgegapLocalOptions,
  LocalAppConfig,
  LocalVersionConfig,
} from './local/config.js';
export type { FaultSpec } from './local/faults.js';
export {
  DEMO_LOCATIONS,
  distanceKm,
  type LocalLocationConfig,
} from './local/locations.js';
export { type EdgegapLocal, startEdgegapLocal } from './local/start.js';
export type { RecordedCall } from './local/state.js';
