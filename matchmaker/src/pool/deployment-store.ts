/**
 * The deployments bucket as the pool sees it: DeploymentRecords by Edgegap request id, read
 * with their revisions, written with compare-and-set; the per-version starting slots share
 * the bucket under their own prefix and are left out of every listing.
 */
import { Bucket, type KV } from '@nats-io/kv';
import type { DeploymentRecord } from '@playgap/protocol';
import { isKvConflict, retryWhileUnavailable } from '@playgap/protocol/kv';

/** Deployments-bucket keys of the per-version starting slots (request ids never look like it). */
export const SLOT_PREFIX = 'starting-slot.';

const encoder = new TextEncoder();

/** A record with the revision a compare-and-set must name. */
export interface StoredDeployment {
  record: DeploymentRecord;
  revision: number;
}

/**
 * Reads and writes DeploymentRecords.
 *
 * @example
 * const store = new DeploymentStore(kv.deployments);
 * for (const { record } of await store.list()) console.log(record.requestId, record.state);
 */
export class DeploymentStore {
  constructor(readonly kv: KV) {}

  /** Every deployment record with its revision (deleted keys and starting slots left out). */
  async list(): Promise<StoredDeployment[]> {
    const keys = (await this.#keys()).filter((key) => !key.startsWith(SLOT_PREFIX));
    const result: StoredDeployment[] = [];
    for (const key of keys) {
      const stored = await this.get(key);
      if (stored) result.push(stored);
    }
    return result;
  }

  /** One record, or undefined when absent, deleted or not a record. */
  async get(requestId: string): Promise<StoredDeployment | undefined> {
    const entry = await this.kv.get(requestId);
    if (entry?.operation !== 'PUT') return undefined;
    try {
      return { record: entry.json<DeploymentRecord>(), revision: entry.revision };
    } catch {
      return undefined;
    }
  }

  /**
   * Write the record of a deployment just started. It must not be lost to a NATS leader
   * election, so the write is retried while JetStream cannot answer.
   */
  async put(record: DeploymentRecord): Promise<number> {
    return retryWhileUnavailable(() => this.kv.put(record.requestId, encode(record)));
  }

  /** Write `record` if its key is still at `revision`; false when another writer came first. */
  async update(record: DeploymentRecord, revision: number): Promise<boolean> {
    try {
      await this.kv.update(record.requestId, encode(record), revision);
      return true;
    } catch (error) {
      if (isKvConflict(error)) return false;
      throw error;
    }
  }

  /**
   * Read, change and write one record, reading again when another writer came first, up to
   * `attempts` times. `change` returns the new record, or undefined to leave it as it is.
   * Resolves to the record written, or undefined when none was.
   */
  async change(
    requestId: string,
    change: (record: DeploymentRecord) => DeploymentRecord | undefined,
    attempts: number,
  ): Promise<DeploymentRecord | undefined> {
    for (let attempt = 0; attempt < attempts; attempt++) {
      const stored = await this.get(requestId);
      if (!stored) return undefined;
      const next = change(stored.record);
      if (!next) return undefined;
      if (await this.update(next, stored.revision)) return next;
    }
    return undefined;
  }

  /** Forget a record (best effort: a record already gone is fine). */
  async delete(requestId: string): Promise<void> {
    await this.kv.delete(requestId).catch(() => {});
  }

  /**
   * Keys of the bucket (deleted ones too; `get` tells). Read from the stream's subject list:
   * `KV.keys()` can stall for 30 s when a key changes while it lists.
   */
  async #keys(): Promise<string[]> {
    const kv = this.kv;
    if (!(kv instanceof Bucket)) {
      const keys: string[] = [];
      for await (const key of await kv.keys()) keys.push(key);
      return keys;
    }
    const info = await kv.jsm.streams.info(kv.stream, { subjects_filter: `${kv.prefix}.>` });
    return Object.keys(info.state.subjects ?? {}).map((subject) => subject.slice(kv.prefixLen));
  }
}

function encode(record: DeploymentRecord): Uint8Array {
  return encoder.encode(JSON.stringify(record));
}
