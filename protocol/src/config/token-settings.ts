/**
 * The settings the matchmaker and every game server's sidecar must agree on, defined here once
 * so both parse them with the same rules: the app name, the protocol id, the private key and
 * the token dialect. Each component builds its schema entry from these (adding its flag).
 */
import { APP_NAME_PATTERN } from '../names.js';
import { MAX_SIDECAR_CAPACITY } from '../sidecar-api/schemas.js';
import { TOKEN_DIALECTS, type TokenDialect } from '../token/constants.js';
import { ConnectTokenError } from '../token/errors.js';
import { parsePrivateKey } from '../token/keys.js';
import { parseProtocolId } from '../token/protocol-id.js';
import {
  customSetting,
  enumSetting,
  integerSetting,
  type Setting,
  type SettingInfo,
  textSetting,
} from './setting.js';
import { SettingError } from './setting-error.js';

type Info<T> = Omit<SettingInfo<T>, 'env' | 'doc'> & { doc?: string };

/**
 * A protocol id (u64, decimal or `0x`/`0X` hex) with protocol's one parser.
 *
 * @example
 * parseProtocolIdSetting('0X1F', 'PLAYGAP_PROTOCOL_ID'); // 31n
 */
export function parseProtocolIdSetting(raw: unknown, name: string): bigint {
  try {
    return parseProtocolId(raw as string | number | bigint);
  } catch (cause) {
    if (!(cause instanceof ConnectTokenError)) throw cause;
    throw new SettingError(name, 'must be an unsigned 64-bit integer (decimal or 0x hex)', {
      cause,
    });
  }
}

/**
 * A 32-byte private key (64 hex characters, optional `0x`, or a list of 32 numbers) with
 * protocol's one parser; the error names the variable and never echoes the key.
 *
 * @example
 * parsePrivateKeySetting('ab'.repeat(32), 'PLAYGAP_PRIVATE_KEY').length; // 32
 */
export function parsePrivateKeySetting(raw: unknown, name: string): Uint8Array {
  try {
    return parsePrivateKey(raw as string | Uint8Array);
  } catch (cause) {
    if (!(cause instanceof ConnectTokenError)) throw cause;
    throw new SettingError(
      name,
      'must be 64 hex characters or a list of 32 numbers 0-255 (run `playgap keygen`)',
    );
  }
}

/**
 * PLAYGAP_APP: the app name that namespaces every subject and bucket.
 *
 * @example
 * appNameSetting({ flag: 'app-name', required: true });
 */
export function appNameSetting(info: Info<string> = {}): Setting<string> {
  return textSetting({
    doc: 'app name (= the Edgegap application)',
    ...info,
    env: 'PLAYGAP_APP',
    placeholder: 'NAME',
    pattern: APP_NAME_PATTERN,
    problem: 'must be 1-64 letters, digits, "_" or "-"',
  });
}

/**
 * PLAYGAP_PROTOCOL_ID: the u64 tying tokens to one game.
 *
 * @example
 * protocolIdSetting({ required: true });
 */
export function protocolIdSetting(info: Info<bigint> = {}): Setting<bigint> {
  return customSetting(
    'protocol id',
    {
      doc: 'protocol id shared by matchmaker and game servers',
      ...info,
      env: 'PLAYGAP_PROTOCOL_ID',
      placeholder: 'U64',
    },
    parseProtocolIdSetting,
  );
}

/**
 * PLAYGAP_PRIVATE_KEY: the 32-byte connect-token key.
 *
 * @example
 * privateKeySetting({ required: true });
 */
export function privateKeySetting(info: Info<Uint8Array> = {}): Setting<Uint8Array> {
  return customSetting(
    'key',
    { doc: 'connect-token key', ...info, env: 'PLAYGAP_PRIVATE_KEY', placeholder: 'KEY' },
    parsePrivateKeySetting,
  );
}

/**
 * PLAYGAP_TOKEN_DIALECT: the token byte order, `netcode` by default.
 *
 * @example
 * tokenDialectSetting({ flag: 'token-dialect' });
 */
export function tokenDialectSetting(info: Info<TokenDialect> = {}): Setting<TokenDialect> {
  return enumSetting({
    doc: 'token byte order',
    default: TOKEN_DIALECTS[0],
    ...info,
    env: 'PLAYGAP_TOKEN_DIALECT',
    placeholder: TOKEN_DIALECTS.join('|'),
    values: TOKEN_DIALECTS,
  });
}

/**
 * PLAYGAP_CAPACITY, seats (max players) of a server, within the sidecar API's bound: the
 * sidecar reads it, the matchmaker starts servers with it (`--seats-per-server`), and
 * `playgap version create` checks it, so none accepts a capacity another refuses.
 *
 * @example
 * capacitySetting({ flag: 'seats-per-server' }).max; // 1024
 */
export function capacitySetting(info: Info<number> = {}): Setting<number> {
  return integerSetting({
    doc: 'seats (max players) of this server',
    default: 16,
    ...info,
    env: 'PLAYGAP_CAPACITY',
    min: 1,
    max: MAX_SIDECAR_CAPACITY,
    unit: 'seats',
  });
}
