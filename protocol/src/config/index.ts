/**
 * @playgap/protocol/config — settings defined once (kind, bounds, unit, default, parser) and
 * shared by every component that reads them: one parser per value kind, schemas read from env
 * and flags, typed values checked by the same parsers, configs deep-frozen. Reference:
 * docs/configuration.md (checked against the schemas).
 */
export { deepFreeze } from './deep-freeze.js';
export {
  booleanSetting,
  checkValues,
  customSetting,
  durationMsSetting,
  enumSetting,
  type FlagValues,
  findSetting,
  integerSetting,
  listSetting,
  readSetting,
  readSettings,
  type Schema,
  type SchemaValues,
  type Setting,
  type SettingInfo,
  type SettingKind,
  type SettingSource,
  settingLabel,
  textSetting,
  urlSetting,
} from './setting.js';
export { SettingError } from './setting-error.js';
export {
  appNameSetting,
  capacitySetting,
  parsePrivateKeySetting,
  parseProtocolIdSetting,
  privateKeySetting,
  protocolIdSetting,
  tokenDialectSetting,
} from './token-settings.js';
export {
  type IntegerBounds,
  parseBoolean,
  parseEnum,
  parseInteger,
  parseList,
  parseText,
  parseUrl,
  type TextRule,
} from './value-kinds.js';
