/**
 * The one KV replica setting (PLAYGAP_KV_REPLICAS, or a component's `--kv-replicas` flag): how
 * many copies of each bucket JetStream keeps. 1 on a single nats-server; 3 on a cluster of 3 or
 * more, so losing one node loses no seat and stops no placement for longer than an election.
 */
import { KV_DEFAULTS } from '../names.js';
import { NatsConfigError } from '../nats/settings.js';

/** JetStream's own limit on stream replicas. */
export const MAX_KV_REPLICAS = 5;

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
  if (raw === undefined || raw.trim() === '') return KV_DEFAULTS.replicas;
  const value = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || value < 1 || value > MAX_KV_REPLICAS) {
    throw new NatsConfigError(
      name,
      `must be an integer from 1 to ${MAX_KV_REPLICAS}: 1 for one nats-server, 3 for a cluster of three or more (got ${JSON.stringify(raw.slice(0, 20))})`,
    );
  }
  return value;
}
