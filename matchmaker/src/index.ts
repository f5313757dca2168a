/**
 * @playgap/matchmaker — the placement service on NATS and its WebSocket front for browsers.
 * `startMatchmaker` runs either or both in-process; `buildFrontApp` builds the front alone.
 */
export {
  CONFIG_DEFAULTS,
  describeConfig,
  loadConfig,
  type MatchmakerConfig,
  type NatsSettings,
  type PlacementMode,
  type TokenDialect,
} from './config.js';
export type { MintedToken, TokenMinter, TokenRequest } from './connect-token.js';
export { type DashboardRouteOptions, registerDashboard } from './dashboard/dashboard-routes.js';
export { type DashboardSnapshot, DashboardState } from './dashboard/dashboard-state.js';
export type { EdgegapApi } from './edgegap-api.js';
export { ConfigError, PlacementError } from './errors.js';
export { buildFrontApp, type FrontOptions, type HealthCheck } from './front/app.js';
export { MatchmakerMetrics } from './front/metrics.js';
export {
  natsPlacementClient,
  type PlacementAnswer,
  type RequestPlacement,
} from './front/play-client.js';
export {
  createLogger,
  LOG_LEVELS,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  REDACTED,
  silentLogger,
} from './log.js';
export {
  type MatchmakerDeps,
  type RunningMatchmaker,
  type StartOptions,
  startMatchmaker,
} from './matchmaker.js';
export { MATCHMAKER_NATS_FLAGS, MATCHMAKER_SETTINGS, PLACEMENT_MODES } from './settings.js';
