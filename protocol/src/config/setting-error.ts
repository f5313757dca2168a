/**
 * The one error of a bad setting: which variable or flag, and what is wrong with it. Every
 * component maps it to its own ConfigError (or CLI usage error) keeping the same message.
 */

/**
 * A setting was refused; `variable` is the env variable, `--flag` or file field at fault and
 * the message is `${variable} ${problem}`. The message never echoes a secret.
 *
 * @example
 * throw new SettingError('PLAYGAP_CAPACITY', 'must be an integer from 1 to 1024 (got "2000")');
 */
export class SettingError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly variable: string;
  readonly problem: string;
  constructor(variable: string, problem: string, options?: ErrorOptions) {
    super(`${variable} ${problem}`, options);
    this.name = 'SettingError';
    this.variable = variable;
    this.problem = problem;
  }
}
