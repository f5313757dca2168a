/**
 * Paths of the programs the suites of several packages run as real child processes.
 */
import { fileURLToPath } from 'node:url';

/**
 * A plain-Node game server (testkit/fixtures/game-server.mjs) that uses only the sidecar's
 * local API: marks ready, checks a joining player's token at `POST /join`, reports the
 * disconnect. Run it under `playgap-sidecar run --`.
 *
 * @example
 * spawn(process.execPath, [SIDECAR_BIN, 'run', '--', process.execPath, FIXTURE_GAME_SERVER]);
 */
export const FIXTURE_GAME_SERVER = fileURLToPath(
  new URL('../fixtures/game-server.mjs', import.meta.url),
);
