/**
 * Join CAS: promise a player a seat on a deployment of a version that is still starting (or
 * READY while its server is up) by raising its record's `promised` count with a
 * compare-and-set, so two replicas never promise the same last seat.
 */
import { DeploymentState, ServerState } from '@playgap/protocol';
import type { FleetCache } from '../fleet-cache.js';
import type { DeploymentStore } from './deployment-store.js';

/** Passes over all records when other matchmakers keep changing them first. */
export const JOIN_ATTEMPTS = 10;

export interface JoinOptions {
  store: DeploymentStore;
  fleet: Pick<FleetCache, 'server'>;
  app: string;
  version: string;
  now: () => number;
}

/**
 * Add one promised player to a joinable deployment of `version`; resolves to its request id,
 * or undefined when none has a seat left. When another writer changed a record first, every
 * record is read again.
 *
 * @example
 * const requestId = await joinStartingDeployment({ store, fleet, app, version, now });
 */
export async function joinStartingDeployment(options: JoinOptions): Promise<string | undefined> {
  const { store, fleet, app, version, now } = options;
  for (let attempt = 0; attempt < JOIN_ATTEMPTS; attempt++) {
    let raced = false;
    for (const { record, revision } of await store.list()) {
      if (record.app !== app || record.version !== version) continue;
      // A READY one is joinable only while its server is (a stopped one never comes back).
      const serverUp = fleet.server(record.requestId)?.state === ServerState.READY;
      if (record.state === DeploymentState.FAILED) continue;
      if (record.state === DeploymentState.READY && !serverUp) continue;
      if (record.promised >= record.capacity || record.deadlineAt <= now()) continue;
      const updated = { ...record, promised: record.promised + 1, updatedAt: now() };
      if (await store.update(updated, revision)) return record.requestId;
      raced = true;
    }
    if (!raced) return undefined;
  }
  return undefined;
}
