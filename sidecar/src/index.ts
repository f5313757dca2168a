/**
 * @playgap/sidecar — the process beside every playgap game server (CLI `playgap-sidecar`):
 * WebTransport certificate, token verify-and-consume, the server's record and seats in NATS KV,
 * a local HTTP API for game servers in any language, supervisor mode and self-stop.
 */
export { type AppOptions, buildApp } from './app.js';
export {
  certificateDigest,
  createCertificate,
  MAX_CERT_VALIDITY_DAYS,
  type ServerCertificate,
} from './certificate.js';
export { type Clock, ManualClock, systemClock, type TimerHandle } from './clock.js';
export {
  DEFAULTS,
  type LocalDeployment,
  loadConfig,
  type NatsSettings,
  parsePortFlag,
  type SidecarConfig,
} from './config.js';
export {
  type Deployment,
  deploymentFromEnv,
  inDeployment,
  localDeployment,
  withContext,
} from './deployment.js';
export { ConfigError, NatsUnavailableError, SeatRefusedError, SidecarError } from './errors.js';
export {
  type ServerInfo,
  type ShutdownReason,
  Sidecar,
  type SidecarOptions,
  type VerifyResult,
} from './sidecar.js';
export { childEnv, type SuperviseOptions, supervise } from './supervisor.js';
export {
  acceptedAddresses,
  createTokenVerifier,
  type TokenSettings,
  type TokenVerifier,
  type VerifiedToken,
} from './token-check.js';
