/**
 * The one KV replica setting (PLAYGAP_KV_REPLICAS, or a component's `--kv-replicas` flag): how
 * many copies of each bucket JetStream keeps. 1 on a single nats-server; 3 on a cluster of 3 or
 * more, so losing one node loses no seat and stops no placement for longer than an election.
 */
import { integerSetting, type Setting } from '../config/setting.js';
import { SettingError } from '../config/setting-error.js';
import { KV_DEFAULTS } from '../names.js';
import { NatsConfigError } from '../nats/settings.js';

/** JetStream's own limit on stream replicas. */
export const MAX_KV_REPLICAS = 5;

/**
 * PLAYGAP_KV_REPLICAS (and `--kv-replicas`, where a component has that flag).
 *
 * @example
 * KV_REPLICAS_SETTING.parse('3', 'PLAYGAP_KV_REPLICAS'); // 3
 */
export const KV_REPLICAS_SETTING = integerSetting({
  env: 'PLAYGAP_KV_REPLICAS',
  flag: 'kv-replicas',
  placeholder: 'N',
  min: 1,
  max: MAX_KV_REPLICAS,
  hint: '1 for one nats-server, 3 for a cluster of three or more',
  default: KV_DEFAULTS.replicas,
  unit: 'replicas',
  doc: 'KV bucket replicas: 1, or 3 on a NATS cluster',
}) as Setting<number> & { default: number };

/**
 * Read the replica count: the flag when given, else PLAYGAP_KV_REPLICAS, else 1. Throws
 * NatsConfigError naming the flag or variable when it is not an integer from 1 to 5.
 *
 * @example
 * kvReplicasFromEnv({ PLAYGAP_KV_REPLICAS: '3' }); // 3
 */
export function kvReplicasFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  flag?: string,
): number {
  const [name, raw] =
    flag !== undefined ? ['--kv-replicas', flag] : ['PLAYGAP_KV_REPLICAS', env.PLAYGAP_KV_REPLICAS];
  if (raw === undefined || raw.trim() === '') return KV_REPLICAS_SETTING.default;
  try {
    return KV_REPLICAS_SETTING.parse(raw, name);
  } catch (error) {
    // NatsConfigError, as every NATS setting: the components map it the same way.
    if (error instanceof SettingError) throw new NatsConfigError(name, error.problem);
    throw error;
  }
}
