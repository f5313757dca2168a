/**
 * Turns what the Edgegap client throws into CLI errors with a hint a studio can act on (the
 * key, the app name); the API key itself never appears.
 */
import { EdgegapAccessError, EdgegapApiError } from '@playgap/edgegap';
import { ErrorCode, PlaygapError } from '@playgap/protocol';
import { CliError, ExitCode } from './errors.js';

/**
 * Run an Edgegap call; map its failure to a CliError.
 *
 * @example
 * const status = await edgegapCall(() => edgegap.getStatus(id), `deployment ${id}`);
 */
export async function edgegapCall<T>(call: () => Promise<T>, what: string): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toCliError(error, what);
  }
}

function toCliError(error: unknown, what: string): CliError {
  if (error instanceof CliError) return error;
  // Its message already says what Edgegap answered and what to do.
  if (error instanceof EdgegapAccessError) {
    return new CliError(error.code, error.message, ExitCode.FAILED, { cause: error });
  }
  if (error instanceof EdgegapApiError) {
    if (error.status === 401 || error.status === 403) {
      return new CliError(
        ErrorCode.EDGEGAP_ERROR,
        `Edgegap refused the API key (HTTP ${error.status}) for ${what}: check EDGEGAP_API_KEY (dashboard: User settings > Tokens).`,
        ExitCode.FAILED,
        { cause: error },
      );
    }
    if (error.status === 404) {
      return new CliError(
        ErrorCode.NOT_FOUND,
        `Edgegap has no ${what} (HTTP 404): ${error.edgegapMessage}`,
        ExitCode.FAILED,
        { cause: error },
      );
    }
    return new CliError(error.code, `${what}: ${error.message}`, ExitCode.FAILED, { cause: error });
  }
  if (error instanceof PlaygapError) {
    return new CliError(error.code, `${what}: ${error.message}`, ExitCode.FAILED, { cause: error });
  }
  return new CliError(
    ErrorCode.EDGEGAP_ERROR,
    `${what}: ${error instanceof Error ? error.message : String(error)}`,
    ExitCode.FAILED,
    { cause: error },
  );
}
